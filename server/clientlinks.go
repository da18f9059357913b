package server

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/auth"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// Client review links let a client who has no account see some posts and approve them or ask
// for changes. The link's token is its only credential: random (256 bits), shown once, stored
// as a hash, expiring, revocable. Everything the client does is audited as "client link: <name>".

const (
	clientTokenPrefix   = "hrld_rev_"
	maxClientLinkPosts  = 50
	maxClientLinkDays   = 90
	defaultLinkDays     = 14
	maxClientComment    = 2_000
	clientActorPrefix   = "client link: "
	clientPathPrefix    = "/review/"
	clientLinkRateLimit = 60 // requests per minute per link, and per address
)

type clientLinkRequest struct {
	Name          string  `json:"name"`
	PostIDs       []int64 `json:"post_ids"`
	ExpiresInDays *int    `json:"expires_in_days"`
	Locale        string  `json:"locale"`
}

func (s *Server) createClientLink(c *gin.Context) {
	var req clientLinkRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	f := fields{}
	name := strings.TrimSpace(req.Name)
	if err := checkName("name", name, 100, true); err != nil {
		f.add("name", err.(*APIError).Fields["name"])
	}
	if len(req.PostIDs) == 0 || len(req.PostIDs) > maxClientLinkPosts {
		f.add("post_ids", fmt.Sprintf("choose 1 to %d posts", maxClientLinkPosts))
	}
	var ids []int64
	for i, id := range req.PostIDs {
		if id <= 0 {
			f.add(fmt.Sprintf("post_ids[%d]", i), "must be a post id")
		} else if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	days := defaultLinkDays
	if req.ExpiresInDays != nil {
		days = *req.ExpiresInDays
		if days < 1 || days > maxClientLinkDays {
			f.add("expires_in_days", fmt.Sprintf("must be between 1 and %d", maxClientLinkDays))
		}
	}
	locale := req.Locale
	if locale == "" {
		locale = "en"
	}
	if locale != "en" && locale != "fr" {
		f.add("locale", "must be en or fr")
	}
	if err := f.err(); err != nil {
		s.fail(c, err)
		return
	}
	plain, hash, err := auth.NewToken(clientTokenPrefix)
	if err != nil {
		s.fail(c, err)
		return
	}
	l := &store.ClientLink{WorkspaceID: workspaceID(c), Name: name, TokenHash: hash, Locale: locale,
		CreatedBy: callerOf(c).User.ID, ExpiresAt: s.now().Add(time.Duration(days) * 24 * time.Hour)}
	if err := s.store.CreateClientLink(c.Request.Context(), l, ids, callerOf(c).actor()); err != nil {
		s.fail(c, err)
		return
	}
	v := viewClientLink(l, s.now())
	v.Token = plain
	v.URL = strings.TrimRight(s.cfg.PublicURL, "/") + clientPathPrefix + plain
	c.JSON(http.StatusCreated, v)
}

func (s *Server) listClientLinks(c *gin.Context) {
	ls, err := s.store.ClientLinks(c.Request.Context(), workspaceID(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := page[clientLinkView]{Items: []clientLinkView{}}
	for i := range ls {
		out.Items = append(out.Items, viewClientLink(&ls[i], s.now()))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) revokeClientLink(c *gin.Context) {
	id, err := idParam(c, "clid")
	if err != nil {
		s.fail(c, err)
		return
	}
	l, err := s.store.RevokeClientLink(c.Request.Context(), workspaceID(c), id, callerOf(c).actor())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, viewClientLink(l, s.now()))
}

// ---- the client's page ----

//go:embed clientpage.tmpl
var clientPageSource string

var clientPage = template.Must(template.New("client").Funcs(template.FuncMap{
	"t": func(locale, key string) string { return clientText(locale, key) },
}).Parse(clientPageSource))

// clientTexts are the page's words in English and French.
var clientTexts = map[string][2]string{
	"title":               {"Posts to review", "Publications à valider"},
	"for":                 {"For", "Pour"},
	"from":                {"from", "de la part de"},
	"intro":               {"Read each post as it will appear, then approve it or ask for changes. Your answer goes straight to the team.", "Lisez chaque publication telle qu’elle paraîtra, puis validez-la ou demandez des modifications. Votre réponse arrive directement à l’équipe."},
	"planned":             {"Planned for", "Prévue le"},
	"unplanned":           {"Not planned yet", "Pas encore planifiée"},
	"labels":              {"Labels", "Libellés"},
	"approve":             {"Approve", "Valider"},
	"changes":             {"Ask for changes", "Demander des modifications"},
	"comment":             {"Comment (required to ask for changes)", "Commentaire (obligatoire pour demander des modifications)"},
	"approved_by_you":     {"You approved this version.", "Vous avez validé cette version."},
	"asked_by_you":        {"You asked for changes on this version.", "Vous avez demandé des modifications sur cette version."},
	"done_approved":       {"Thank you: your approval was recorded.", "Merci : votre validation est enregistrée."},
	"done_changes":        {"Thank you: the team will see your comments.", "Merci : l’équipe verra vos commentaires."},
	"status":              {"Status", "Statut"},
	"closed":              {"This post can no longer be reviewed here.", "Cette publication ne peut plus être validée ici."},
	"expires":             {"This link expires on", "Ce lien expire le"},
	"invalid_title":       {"Link unavailable", "Lien indisponible"},
	"invalid":             {"This review link is invalid, has expired or was revoked. Ask the team for a new one.", "Ce lien de validation n’est pas valide, a expiré ou a été révoqué. Demandez-en un nouveau à l’équipe."},
	"slow_down":           {"Too many requests from this link. Please wait a minute and reload the page.", "Trop de requêtes depuis ce lien. Patientez une minute, puis rechargez la page."},
	"need_comment":        {"Say what should change in the comment.", "Indiquez dans le commentaire ce qui doit changer."},
	"changed":             {"This post changed since you opened the page; here is the new version.", "Cette publication a changé depuis l’ouverture de la page ; voici la nouvelle version."},
	"not_now":             {"This post cannot take that answer in its current state.", "Cette publication ne peut pas recevoir cette réponse dans son état actuel."},
	"already":             {"You already approved this version.", "Vous avez déjà validé cette version."},
	"draft":               {"Being written", "En cours de rédaction"},
	"in_review":           {"Waiting for review", "En attente de validation"},
	"changes_requested":   {"Changes requested", "Modifications demandées"},
	"approved":            {"Approved", "Validée"},
	"scheduled":           {"Scheduled", "Programmée"},
	"publishing":          {"Being published", "En cours de publication"},
	"published":           {"Published", "Publiée"},
	"partially_published": {"Partly published", "Publiée en partie"},
	"failed":              {"Not published", "Non publiée"},
	"canceled":            {"Withdrawn", "Retirée"},
	"media":               {"Attachment", "Pièce jointe"},
}

func clientText(locale, key string) string {
	t, ok := clientTexts[key]
	if !ok {
		return key
	}
	if locale == "fr" {
		return t[1]
	}
	return t[0]
}

// clientPageData is what the page template renders.
type clientPageData struct {
	Locale    string
	Nonce     string
	Invalid   bool
	Notice    string
	Error     string
	Workspace string
	LinkName  string
	Expires   string
	Action    string
	Posts     []clientPost
}

type clientPost struct {
	ID         int64
	Title      string
	Status     string
	StatusText string
	Planned    string
	Labels     []string
	Revision   int
	Versions   []clientVersion
	CanApprove bool
	CanChange  bool
	Mine       string // "approved" or "changes" when this link decided on this revision
}

type clientVersion struct {
	Channel string
	Text    string
	Media   []store.Media
}

// clientLimit throttles a client page: per link and per address, and failed look-ups per
// address, so a token cannot be guessed by trying many.
func (s *Server) clientLimit(c *gin.Context, key string) bool {
	ok, retry := s.clientRL.Allow(key)
	if !ok {
		c.Header("Retry-After", strconv.Itoa(max(1, int(retry.Seconds()))))
	}
	return ok
}

func clientAddr(c *gin.Context) string {
	ip := net.ParseIP(c.ClientIP())
	if ip != nil && ip.To4() == nil {
		// One host controls a whole IPv6 /64.
		ip = ip.Mask(net.CIDRMask(64, 128))
	}
	if ip == nil {
		return c.ClientIP()
	}
	return ip.String()
}

// clientLink finds the link of the request's token and checks the throttles; it renders the
// answer itself and returns nil when the page must stop.
func (s *Server) clientLink(c *gin.Context, locale string) *store.ClientLink {
	addr := "client-addr:" + clientAddr(c)
	if !s.clientLimit(c, addr) {
		s.renderClient(c, http.StatusTooManyRequests, clientPageData{Locale: locale, Invalid: true, Error: clientText(locale, "slow_down")})
		return nil
	}
	token := c.Param("token")
	var l *store.ClientLink
	var err error
	if strings.HasPrefix(token, clientTokenPrefix) && len(token) < 200 {
		l, err = s.store.ClientLinkByToken(c.Request.Context(), auth.HashToken(token))
	} else {
		err = store.ErrNotFound
	}
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && (l.RevokedAt != nil || !s.now().Before(l.ExpiresAt)):
		if l != nil {
			// A link that existed speaks its own language.
			locale = pageLocale(c, l.Locale)
		}
		// A wrong token costs more than a right one: guessing is throttled hard.
		if ok, retry := s.clientBadRL.Allow("client-bad:" + clientAddr(c)); !ok {
			c.Header("Retry-After", strconv.Itoa(max(1, int(retry.Seconds()))))
			s.renderClient(c, http.StatusTooManyRequests, clientPageData{Locale: locale, Invalid: true, Error: clientText(locale, "slow_down")})
			return nil
		}
		s.renderClient(c, http.StatusNotFound, clientPageData{Locale: locale, Invalid: true})
		return nil
	case err != nil:
		s.log.ErrorContext(c.Request.Context(), "client link lookup failed", "request_id", requestID(c), "err", err.Error())
		s.renderClient(c, http.StatusInternalServerError, clientPageData{Locale: locale, Invalid: true})
		return nil
	}
	if !s.clientLimit(c, fmt.Sprintf("client-link:%d", l.ID)) {
		s.renderClient(c, http.StatusTooManyRequests, clientPageData{Locale: l.Locale, Invalid: true, Error: clientText(l.Locale, "slow_down")})
		return nil
	}
	return l
}

func pageLocale(c *gin.Context, def string) string {
	if l := c.Query("lang"); l == "fr" || l == "en" {
		return l
	}
	if def == "fr" || def == "en" {
		return def
	}
	return localeOf(c)
}

func (s *Server) clientPageGet(c *gin.Context) {
	l := s.clientLink(c, pageLocale(c, ""))
	if l == nil {
		return
	}
	locale := pageLocale(c, l.Locale)
	notice := ""
	switch c.Query("done") {
	case "approved":
		notice = clientText(locale, "done_approved")
	case "changes":
		notice = clientText(locale, "done_changes")
	}
	s.showClientPage(c, l, locale, http.StatusOK, notice, "")
}

func (s *Server) showClientPage(c *gin.Context, l *store.ClientLink, locale string, status int, notice, errMsg string) {
	ctx := c.Request.Context()
	_ = s.store.TouchClientLink(ctx, l.ID)
	data, err := s.clientPageData(ctx, l, locale)
	if err != nil {
		s.log.ErrorContext(ctx, "client page failed", "request_id", requestID(c), "err", err.Error())
		s.renderClient(c, http.StatusInternalServerError, clientPageData{Locale: locale, Invalid: true})
		return
	}
	data.Notice, data.Error = notice, errMsg
	data.Action = clientPathPrefix + c.Param("token")
	s.renderClient(c, status, data)
}

func (s *Server) clientPageData(ctx context.Context, l *store.ClientLink, locale string) (clientPageData, error) {
	d := clientPageData{Locale: locale, LinkName: l.Name}
	ws, err := s.store.Workspace(ctx, l.WorkspaceID)
	if err != nil {
		return d, err
	}
	d.Workspace = ws.Name
	d.Expires = l.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	posts, err := s.store.ClientLinkPosts(ctx, l)
	if err != nil {
		return d, err
	}
	chans, err := s.store.Channels(ctx, ws.ID)
	if err != nil {
		return d, err
	}
	chanName := map[int64]string{}
	for _, ch := range chans {
		chanName[ch.ID] = ch.Name + " · " + ch.Network
	}
	for i := range posts {
		p := &posts[i]
		cp := clientPost{ID: p.ID, Title: p.Title, Status: p.Status, StatusText: clientText(locale, p.Status), Revision: p.Revision, Labels: postLabels(p)}
		if p.ScheduledAt != nil {
			loc, err := cachedZone(p.TimeZone)
			if err != nil {
				loc = time.UTC
			}
			cp.Planned = p.ScheduledAt.In(loc).Format("2006-01-02 15:04 MST")
		}
		for _, t := range p.Targets {
			text := p.Body
			if t.TextOverride != nil && *t.TextOverride != "" {
				text = *t.TextOverride
			}
			cp.Versions = append(cp.Versions, clientVersion{Channel: chanName[t.ChannelID], Text: text, Media: t.Media})
		}
		if len(cp.Versions) == 0 {
			cp.Versions = []clientVersion{{Text: p.Body}}
		}
		decisions, err := s.store.Approvals(ctx, ws.ID, p.ID)
		if err != nil {
			return d, err
		}
		for _, dc := range decisions {
			if dc.ClientLinkID != nil && *dc.ClientLinkID == l.ID && dc.Revision == p.Revision {
				cp.Mine = "approved"
				if dc.Decision == store.DecisionChangesRequested {
					cp.Mine = "changes"
				}
			}
		}
		st := workflow.Status(p.Status)
		cp.CanApprove = st == workflow.InReview && cp.Mine != "approved"
		cp.CanChange = st == workflow.InReview || st == workflow.Approved || st == workflow.Scheduled
		d.Posts = append(d.Posts, cp)
	}
	return d, nil
}

// renderClient writes the page with headers for a page that holds a secret in its address:
// no referrer (images on other hosts must not learn the token), no caching, no indexing, no
// framing, and a content security policy that allows nothing but the page's own inline style
// (by nonce), images and posting its own forms.
func (s *Server) renderClient(c *gin.Context, status int, d clientPageData) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	d.Nonce = base64.StdEncoding.EncodeToString(b[:])
	if d.Locale != "fr" {
		d.Locale = "en"
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+d.Nonce+"'; img-src https: http: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := clientPage.Execute(c.Writer, d); err != nil {
		s.log.ErrorContext(c.Request.Context(), "rendering the client page failed", "request_id", requestID(c), "err", err.Error())
	}
	c.Abort()
}

// clientPagePost records a client's decision on one post of the link.
func (s *Server) clientPagePost(c *gin.Context) {
	l := s.clientLink(c, pageLocale(c, ""))
	if l == nil {
		return
	}
	locale := pageLocale(c, l.Locale)
	ctx := c.Request.Context()
	pid, err := strconv.ParseInt(c.Param("pid"), 10, 64)
	if err != nil || !slices.Contains(l.PostIDs, pid) {
		s.renderClient(c, http.StatusNotFound, clientPageData{Locale: locale, Invalid: true})
		return
	}
	if ct := c.GetHeader("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		s.showClientPage(c, l, locale, http.StatusUnsupportedMediaType, "", clientText(locale, "not_now"))
		return
	}
	decision := c.PostForm("decision")
	comment := strings.TrimSpace(c.PostForm("comment"))
	rev, _ := strconv.Atoi(c.PostForm("revision"))
	f := fields{}
	checkText(f, "comment", comment, maxClientComment)
	var act workflow.Action
	switch decision {
	case "approve":
		act = workflow.Approve
	case "changes":
		act = workflow.RequestChanges
		if comment == "" {
			s.showClientPage(c, l, locale, http.StatusUnprocessableEntity, "", clientText(locale, "need_comment"))
			return
		}
	default:
		f.add("decision", "must be approve or changes")
	}
	if rev < 1 {
		f.add("revision", "is required")
	}
	if len(f) > 0 {
		s.showClientPage(c, l, locale, http.StatusUnprocessableEntity, "", clientText(locale, "not_now"))
		return
	}
	ws, err := s.store.Workspace(ctx, l.WorkspaceID)
	if err != nil {
		s.showClientPage(c, l, locale, http.StatusInternalServerError, "", clientText(locale, "not_now"))
		return
	}
	actor := store.Actor{Label: truncate(clientActorPrefix+l.Name, 200)}
	p, _, err := s.store.ApplyPostAction(ctx, ws.ID, pid, store.PostAction{Action: act, Actor: actor, ClientLink: l.ID,
		Policy: policyOf(ws), Revision: rev, Note: comment})
	if err != nil {
		var ce *store.ConflictError
		msg := clientText(locale, "not_now")
		status := http.StatusConflict
		switch {
		case errors.As(err, &ce):
			msg = clientText(locale, "changed")
		case errors.Is(err, workflow.ErrAlreadyApproved):
			msg = clientText(locale, "already")
		case errors.Is(err, workflow.ErrInvalidTransition), errors.Is(err, workflow.ErrForbidden):
		default:
			s.log.ErrorContext(ctx, "client decision failed", "request_id", requestID(c), "err", err.Error())
			status = http.StatusInternalServerError
		}
		s.showClientPage(c, l, locale, status, "", msg)
		return
	}
	verb, done := "approved", "approved"
	if act == workflow.RequestChanges {
		verb, done = "asked for changes on", "changes"
	}
	msg := fmt.Sprintf("Client link “%s” %s “%s”.", l.Name, verb, postName(p))
	if comment != "" {
		msg += " Comment: " + comment
	}
	_ = s.store.CreateNotification(ctx, &store.Notification{WorkspaceID: ws.ID, Kind: store.NotifyClientReview, PostID: &p.ID, Message: truncate(msg, 2000)})
	if p.Status == string(workflow.Scheduled) {
		s.wake()
	}
	q := "?done=" + done
	if c.Query("lang") != "" {
		q += "&lang=" + pageLocale(c, l.Locale)
	}
	c.Redirect(http.StatusSeeOther, clientPathPrefix+c.Param("token")+q)
}

func postName(p *store.Post) string {
	if p.Title != "" {
		return p.Title
	}
	return truncate(strings.ReplaceAll(p.Body, "\n", " "), 60)
}
