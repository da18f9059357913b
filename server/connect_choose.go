package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/store"
)

// A sign-in that reaches several accounts (a Facebook user's Pages, a LinkedIn member's
// organizations) ends with the person choosing which become channels. Between the OAuth callback
// and that choice, the credentials wait sealed in the oauth_states table under the hash of a
// random key that only the person's browser receives, for 15 minutes, bound to the workspace,
// the network and the user.

// pendingChoice is what waits, sealed, for the person's choice.
type pendingChoice struct {
	Credentials publishers.Credentials `json:"credentials"`
	Choices     []publishers.Choice    `json:"choices"`
}

const choiceTTL = 15 * time.Minute

func choiceAAD(hash string) []byte { return []byte("herald:choice:" + hash) }

// chooseAfterOAuth turns an OAuth sign-in into the one account to connect: the channel being
// reconnected, or the only account the sign-in reaches. With several, it keeps them for the
// person to choose, redirects the browser to the choice, and returns nil credentials. Its errors
// are messages for the person.
func (s *Server) chooseAfterOAuth(c *gin.Context, chooser publishers.AccountChooser, st *store.OAuthState, creds *publishers.Credentials) (*publishers.Credentials, publishers.Account, error) {
	ctx := c.Request.Context()
	choices, err := chooser.Choices(ctx, creds)
	if err != nil {
		return nil, publishers.Account{}, errors.New("The network did not list the accounts this sign-in reaches: " + publishers.Message(err))
	}
	if len(choices) == 0 {
		return nil, publishers.Account{}, errors.New("This sign-in reaches no account Herald can publish to (on Facebook, a Page you manage; on Instagram, a professional account linked to one). Check the permissions you granted and try again.")
	}
	pick := func(id string) (*publishers.Credentials, publishers.Account, error) {
		cc, acct, err := chooser.Choose(ctx, creds, id)
		if err != nil {
			return nil, publishers.Account{}, errors.New("The network refused access to that account: " + publishers.Message(err))
		}
		return cc, acct, nil
	}
	if st.ChannelID != nil {
		ch, err := s.store.Channel(ctx, st.WorkspaceID, *st.ChannelID)
		if err != nil {
			return nil, publishers.Account{}, errors.New("The channel being reconnected no longer exists.")
		}
		for _, ch2 := range choices {
			if ch2.ID == ch.ExternalID {
				return pick(ch2.ID)
			}
		}
		return nil, publishers.Account{}, errors.New("This sign-in does not reach " + ch.Name + " any more; sign in with an account that manages it.")
	}
	if len(choices) == 1 {
		return pick(choices[0].ID)
	}
	key := publishers.NewState()
	hash := auth.HashToken(key)
	raw, err := json.Marshal(pendingChoice{Credentials: *creds, Choices: choices})
	if err != nil {
		return nil, publishers.Account{}, errors.New("The accounts could not be listed. Please try again.")
	}
	sealed, err := s.keys.Seal(raw, choiceAAD(hash))
	if err == nil {
		err = s.store.SaveOAuthState(ctx, &store.OAuthState{StateHash: hash, WorkspaceID: st.WorkspaceID, UserID: st.UserID,
			Network: st.Network, Sealed: sealed, ExpiresAt: s.now().Add(choiceTTL)})
	}
	if err != nil {
		s.log.ErrorContext(ctx, "keeping the accounts to choose from failed", "request_id", requestID(c), "err", err.Error())
		return nil, publishers.Account{}, errors.New("The accounts could not be kept for you to choose. Please try again.")
	}
	c.Redirect(http.StatusSeeOther, strings.TrimRight(s.cfg.PublicURL, "/")+"/#/channels?choose="+url.QueryEscape(key)+"&network="+url.QueryEscape(st.Network))
	return nil, publishers.Account{}, nil
}

// openChoice reads the pending choice behind key for the caller, in the workspace and network of
// the request; take consumes it.
func (s *Server) openChoice(c *gin.Context, key string, take bool) (*pendingChoice, error) {
	ctx := c.Request.Context()
	if key == "" || len(key) > 200 {
		return nil, fieldErr(map[string]string{"key": "the key from the address the network sent you back to is required"})
	}
	hash := auth.HashToken(key)
	var st *store.OAuthState
	var err error
	if take {
		st, err = s.store.TakeOAuthState(ctx, hash)
	} else {
		st, err = s.store.PeekOAuthState(ctx, hash)
	}
	gone := apiErr(http.StatusNotFound, "choice_not_found", "This choice has expired or was already made. Connect the account again.")
	if errors.Is(err, store.ErrNotFound) {
		return nil, gone
	}
	if err != nil {
		return nil, err
	}
	if st.WorkspaceID != workspaceID(c) || st.UserID != callerOf(c).User.ID || st.Network != c.Param("network") {
		return nil, gone
	}
	raw, err := s.keys.Open(st.Sealed, choiceAAD(hash))
	if err != nil {
		return nil, gone // an OAuth state, not a choice
	}
	var pc pendingChoice
	if err := json.Unmarshal(raw, &pc); err != nil {
		return nil, gone
	}
	return &pc, nil
}

// listChoices shows the accounts a sign-in reached, for the person to choose from.
func (s *Server) listChoices(c *gin.Context) {
	pc, err := s.openChoice(c, c.Query("key"), false)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page[publishers.Choice]{Items: pc.Choices})
}

type chooseRequest struct {
	Key string   `json:"key"`
	IDs []string `json:"ids"`
}

// chooseAccounts connects the chosen accounts as channels. Every chosen account's credentials are
// obtained from the network before the choice is consumed, so a refusal can be retried.
func (s *Server) chooseAccounts(c *gin.Context) {
	var req chooseRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	pub, ok := s.publisher(c.Param("network"))
	chooser, isChooser := pub.(publishers.AccountChooser)
	if !ok || !isChooser {
		s.fail(c, apiErr(http.StatusNotFound, "unknown_network", "Herald cannot connect to "+truncate(c.Param("network"), 40)+" here."))
		return
	}
	pc, err := s.openChoice(c, req.Key, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	offered := map[string]bool{}
	for _, ch := range pc.Choices {
		offered[ch.ID] = true
	}
	f := fields{}
	if len(req.IDs) == 0 || len(req.IDs) > 50 {
		f.add("ids", "choose 1 to 50 accounts")
	}
	seen := map[string]bool{}
	for _, id := range req.IDs {
		if !offered[id] {
			f.add("ids", "choose among the accounts listed for this sign-in")
		}
		if seen[id] {
			f.add("ids", "each account may be chosen once")
		}
		seen[id] = true
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	type chosen struct {
		creds *publishers.Credentials
		acct  publishers.Account
	}
	ctx := c.Request.Context()
	picked := make([]chosen, 0, len(req.IDs))
	for _, id := range req.IDs {
		creds, acct, err := chooser.Choose(ctx, &pc.Credentials, id)
		if err != nil {
			s.fail(c, networkErr(err, "ids"))
			return
		}
		picked = append(picked, chosen{creds, acct})
	}
	if _, err := s.openChoice(c, req.Key, true); err != nil {
		s.fail(c, err) // chosen meanwhile in another tab
		return
	}
	out := page[channelView]{Items: []channelView{}}
	for _, p := range picked {
		ch, err := s.saveConnection(c, workspaceID(c), c.Param("network"), 0, p.creds, p.acct)
		if err != nil {
			s.fail(c, err)
			return
		}
		out.Items = append(out.Items, viewChannel(ch))
	}
	c.JSON(http.StatusCreated, out)
}

// checkFormValues refuses a form connect that misses a required field or sends one the network
// does not ask for.
func checkFormValues(form []publishers.FormField, values map[string]string) error {
	f := fields{}
	known := map[string]bool{}
	for _, fl := range form {
		known[fl.Name] = true
		v := strings.TrimSpace(values[fl.Name])
		switch {
		case v == "" && !fl.Optional:
			f.add("values."+fl.Name, "enter the "+strings.ToLower(fl.Label))
		case len(v) > 2000:
			f.add("values."+fl.Name, "at most 2,000 characters")
		}
	}
	for name := range values {
		if !known[name] {
			f.add("values."+truncate(name, 40), "this network does not ask for this value")
		}
	}
	return f.err()
}

func trimValues(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = strings.TrimSpace(v)
	}
	return out
}
