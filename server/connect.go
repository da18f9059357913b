package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/scheduler"
	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/store"
)

type networkView struct {
	publishers.Meta
	Limits networkLimits `json:"limits"`
}

type networkLimits struct {
	MaxLength int `json:"max_length"`
	MaxMedia  int `json:"max_media"`
}

// listNetworks tells the UI which networks can be connected here and how.
func (s *Server) listNetworks(c *gin.Context) {
	out := page[networkView]{Items: []networkView{}}
	if s.cfg.Registry != nil {
		for _, p := range s.cfg.Registry.All() {
			m := s.networkMeta(p)
			out.Items = append(out.Items, networkView{Meta: m, Limits: networkLimits{MaxLength: m.Rules.MaxLength, MaxMedia: m.Rules.MaxMedia}})
		}
	}
	c.JSON(http.StatusOK, out)
}

// networkMeta is a publisher's Meta with this installation's callback URL in its setup help.
func (s *Server) networkMeta(p publishers.Publisher) publishers.Meta {
	m := p.Meta()
	m.Setup = strings.ReplaceAll(m.Setup, publishers.CallbackPlaceholder, s.redirectURL(m.Name))
	return m
}

type connectRequest struct {
	// Instance is the server for networks with many (a Mastodon instance URL).
	Instance string `json:"instance"`
	// Identifier, Password and Server are for app-password networks (Bluesky).
	Identifier string `json:"identifier"`
	Password   string `json:"password"`
	Server     string `json:"server"`
	// Values are the fields of a form network (a bot token and a chat, a webhook URL).
	Values map[string]string `json:"values"`
	// ChannelID reconnects an existing channel instead of adding one.
	ChannelID int64 `json:"channel_id"`
}

// pendingConnect is what an OAuth connect keeps, sealed, between start and callback.
type pendingConnect struct {
	Verifier string            `json:"verifier"`
	Instance string            `json:"instance"`
	Pending  map[string]string `json:"pending"`
}

func (s *Server) redirectURL(network string) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + "/api/v1/connect/" + network + "/callback"
}

// connectChannel starts connecting an account: for OAuth networks it answers with the URL to send
// the browser to; for app-password networks it connects at once and answers with the channel.
func (s *Server) connectChannel(c *gin.Context) {
	network := c.Param("network")
	pub, ok := s.publisher(network)
	if !ok {
		s.fail(c, apiErr(http.StatusNotFound, "unknown_network", "Herald cannot connect to "+truncate(network, 40)+" here."))
		return
	}
	var req connectRequest
	if err := decodeOptionalJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if setup := s.networkMeta(pub).Setup; setup != "" {
		s.fail(c, apiErr(http.StatusConflict, "network_not_configured", setup))
		return
	}
	ctx := c.Request.Context()
	ws := workspaceID(c)
	if req.ChannelID != 0 {
		ch, err := s.store.Channel(ctx, ws, req.ChannelID)
		if err != nil {
			s.fail(c, err)
			return
		}
		if ch.Network != network {
			s.fail(c, fieldErr(map[string]string{"channel_id": "this channel is on " + ch.Network}))
			return
		}
	}
	switch conn := pub.(type) {
	case publishers.OAuthConnector:
		state, verifier := publishers.NewState(), publishers.NewVerifier()
		start := publishers.OAuthStart{RedirectURL: s.redirectURL(network), State: state, Verifier: verifier, Instance: strings.TrimSpace(req.Instance)}
		if network == "mastodon" && start.Instance == "" {
			s.fail(c, fieldErr(map[string]string{"instance": "enter your Mastodon server, e.g. mastodon.social"}))
			return
		}
		authURL, pending, err := conn.BeginOAuth(ctx, start)
		if err != nil {
			s.fail(c, networkErr(err, "instance"))
			return
		}
		raw, _ := json.Marshal(pendingConnect{Verifier: verifier, Instance: start.Instance, Pending: pending})
		hash := auth.HashToken(state)
		sealed, err := s.keys.Seal(raw, []byte("herald:oauth:"+hash))
		if err != nil {
			s.fail(c, err)
			return
		}
		st := &store.OAuthState{StateHash: hash, WorkspaceID: ws, UserID: callerOf(c).User.ID, Network: network,
			Sealed: sealed, ExpiresAt: s.now().Add(15 * time.Minute)}
		if req.ChannelID != 0 {
			st.ChannelID = &req.ChannelID
		}
		if err := s.store.SaveOAuthState(ctx, st); err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"authorize_url": authURL})
	case publishers.PasswordConnector:
		f := fields{}
		if strings.TrimSpace(req.Identifier) == "" {
			f.add("identifier", "enter the account's handle or email")
		}
		if req.Password == "" {
			f.add("password", "enter an app password (Settings → App passwords on the network)")
		}
		if err := f.err(); err != nil {
			s.fail(c, err)
			return
		}
		creds, acct, err := conn.ConnectPassword(ctx, publishers.PasswordLogin{Identifier: strings.TrimSpace(req.Identifier), Password: req.Password, Server: strings.TrimSpace(req.Server)})
		if err != nil {
			field := "password"
			if errors.Is(err, publishers.ErrPrivateAddress) {
				field = "server"
			}
			s.fail(c, networkErr(err, field))
			return
		}
		ch, err := s.saveConnection(c, ws, network, req.ChannelID, creds, acct)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, viewChannel(ch))
	case publishers.FormConnector:
		if err := checkFormValues(pub.Meta().Form, req.Values); err != nil {
			s.fail(c, err)
			return
		}
		creds, acct, err := conn.ConnectForm(ctx, trimValues(req.Values))
		if err != nil {
			var fe *publishers.FieldError
			if errors.As(err, &fe) {
				s.fail(c, fieldErr(map[string]string{"values." + fe.Field: fe.Message}))
				return
			}
			s.fail(c, networkErr(err, "values"))
			return
		}
		ch, err := s.saveConnection(c, ws, network, req.ChannelID, creds, acct)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, viewChannel(ch))
	default:
		s.fail(c, apiErr(http.StatusNotFound, "unknown_network", "Herald cannot connect to "+network+" here."))
	}
}

// connectCallback completes an OAuth connect. The state must be one this server issued, unused,
// unexpired, for this network and for the signed-in user; then the code is exchanged with the
// PKCE verifier. The browser is sent back to the channels page either way.
func (s *Server) connectCallback(c *gin.Context) {
	network := c.Param("network")
	back := func(q string) {
		c.Redirect(http.StatusSeeOther, strings.TrimRight(s.cfg.PublicURL, "/")+"/#/channels?"+q)
	}
	state := c.Query("state")
	if state == "" {
		back("connect_error=" + url.QueryEscape("The network sent no state; please try connecting again."))
		return
	}
	ctx := c.Request.Context()
	hash := auth.HashToken(state)
	st, err := s.store.TakeOAuthState(ctx, hash)
	if err != nil || st.Network != network || st.UserID != callerOf(c).User.ID {
		back("connect_error=" + url.QueryEscape("This connection attempt is unknown or expired (the state did not match). Please try again."))
		return
	}
	if e := c.Query("error"); e != "" {
		back("connect_error=" + url.QueryEscape("The network did not allow the connection ("+truncate(e, 60)+")."))
		return
	}
	if _, err := s.store.Role(ctx, st.WorkspaceID, st.UserID); err != nil {
		back("connect_error=" + url.QueryEscape("You are no longer a member of that workspace."))
		return
	}
	raw, err := s.keys.Open(st.Sealed, []byte("herald:oauth:"+hash))
	var pc pendingConnect
	if err == nil {
		err = json.Unmarshal(raw, &pc)
	}
	pub, ok := s.publisher(network)
	conn, isOAuth := pub.(publishers.OAuthConnector)
	if err != nil || !ok || !isOAuth {
		back("connect_error=" + url.QueryEscape("This connection attempt could not be completed. Please try again."))
		return
	}
	start := publishers.OAuthStart{RedirectURL: s.redirectURL(network), State: state, Verifier: pc.Verifier, Instance: pc.Instance}
	creds, acct, err := conn.CompleteOAuth(ctx, start, pc.Pending, c.Query("code"))
	if err != nil {
		back("connect_error=" + url.QueryEscape("The network refused the connection: "+publishers.Message(err)))
		return
	}
	var chID int64
	if st.ChannelID != nil {
		chID = *st.ChannelID
	}
	if chooser, ok := pub.(publishers.AccountChooser); ok {
		creds, acct, err = s.chooseAfterOAuth(c, chooser, st, creds)
		if err != nil {
			back("connect_error=" + url.QueryEscape(err.Error()))
			return
		}
		if creds == nil {
			return // the person picks among several accounts; chooseAfterOAuth redirected
		}
	}
	ch, err := s.saveConnection(c, st.WorkspaceID, network, chID, creds, acct)
	if err != nil {
		s.log.ErrorContext(ctx, "saving a connected channel failed", "request_id", requestID(c), "err", err.Error())
		back("connect_error=" + url.QueryEscape("The channel could not be saved. Please try again."))
		return
	}
	back("connected=" + strconv.FormatInt(ch.ID, 10))
}

// saveConnection creates the channel for a newly connected account, or stores fresh credentials
// on the channel being reconnected (or already holding that account), releasing its held posts.
func (s *Server) saveConnection(c *gin.Context, ws int64, network string, channelID int64, creds *publishers.Credentials, acct publishers.Account) (*store.Channel, error) {
	ctx := c.Request.Context()
	a := callerOf(c).actor()
	raw, err := json.Marshal(creds)
	if err != nil {
		return nil, err
	}
	var exp *time.Time
	if !creds.Expiry.IsZero() {
		e := creds.Expiry
		exp = &e
	}
	if channelID == 0 && acct.ExternalID != "" {
		if existing, err := s.store.ChannelByExternalID(ctx, ws, network, acct.ExternalID); err == nil {
			channelID = existing.ID
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if channelID != 0 {
		sealed, kid, err := scheduler.SealCredentials(s.keys, channelID, raw)
		if err != nil {
			return nil, err
		}
		if err := s.store.Reconnect(ctx, ws, channelID, sealed, kid, exp, a); err != nil {
			return nil, err
		}
		s.wake()
		return s.store.Channel(ctx, ws, channelID)
	}
	w, err := s.store.Workspace(ctx, ws)
	if err != nil {
		return nil, err
	}
	name := acct.Name
	if name == "" {
		name = acct.Handle
	}
	ch := &store.Channel{WorkspaceID: ws, Network: network, Name: truncate(name, 200), Handle: truncate(acct.Handle, 200),
		AvatarURL: truncate(acct.AvatarURL, 1000), ExternalID: truncate(acct.ExternalID, 255), TimeZone: w.TimeZone,
		Status: store.ChannelConnected, TokenExpiresAt: exp}
	seal := func(id int64) (string, string, error) { return scheduler.SealCredentials(s.keys, id, raw) }
	if err := s.store.CreateChannel(ctx, ch, seal, a); err != nil {
		return nil, err
	}
	return s.store.Channel(ctx, ws, ch.ID)
}

func (s *Server) publisher(network string) (publishers.Publisher, bool) {
	if s.cfg.Registry == nil {
		return nil, false
	}
	return s.cfg.Registry.Get(network)
}

func (s *Server) wake() {
	if s.cfg.Wake != nil {
		s.cfg.Wake()
	}
}

// networkErr shows a network's refusal as a field error (the user can fix their input) or a
// 502 when the network itself failed.
func networkErr(err error, field string) error {
	if errors.Is(err, publishers.ErrPrivateAddress) {
		return fieldErr(map[string]string{field: publishers.ErrPrivateAddress.Error()})
	}
	var pe *publishers.Error
	if errors.As(err, &pe) {
		switch pe.Kind {
		case publishers.KindPermanent, publishers.KindAuthExpired:
			return fieldErr(map[string]string{field: publishers.Message(err)})
		case publishers.KindRateLimited:
			e := apiErr(http.StatusTooManyRequests, "network_rate_limited", publishers.Message(err))
			e.retryAfter = int(pe.RetryAfter.Seconds()) + 1
			return e
		}
	}
	return apiErr(http.StatusBadGateway, "network_unavailable", "The network could not be reached: "+publishers.Message(err))
}

type validateRequest struct {
	Text         string              `json:"text"`
	FirstComment string              `json:"first_comment"`
	Media        []mediaRequest      `json:"media"`
	Thread       []threadPartRequest `json:"thread"`
	Networks     []string            `json:"networks"`
}

// validate checks content against networks' rules: the same function the composer, submission
// and the scheduler use.
func (s *Server) validate(c *gin.Context) {
	var req validateRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	checkText(f, "text", req.Text, maxPostText)
	if len(req.Networks) == 0 || len(req.Networks) > 20 {
		f.add("networks", "name 1 to 20 networks")
	}
	if len(req.Media) > maxMedia {
		f.add("media", "at most 20 attachments")
	}
	if len(req.Thread) > maxThreadParts {
		f.add("thread", fmt.Sprintf("at most %d later parts", maxThreadParts))
	}
	cc := content.Content{Text: req.Text, FirstComment: req.FirstComment, Media: toContentMedia(req.Media)}
	for i, part := range req.Thread {
		checkText(f, fmt.Sprintf("thread[%d].text", i), part.Text, maxPostText)
		cc.Thread = append(cc.Thread, content.Part{Text: part.Text, Media: toContentMedia(part.Media)})
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	results, err := content.CheckAll(req.Networks, cc)
	if err != nil {
		s.fail(c, fieldErr(map[string]string{"networks": err.Error()}))
		return
	}
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	c.JSON(http.StatusOK, gin.H{"results": results, "networks": names})
}
