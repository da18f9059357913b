package mastodontest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers/content"
)

// routeScopes are the OAuth scopes each route the fake serves accepts (any one of them), as
// Mastodon's API description gives them; a broader scope ("read", "write") covers its parts.
var routeScopes = map[string][]string{
	"GET /api/v1/accounts/verify_credentials": {"profile", "read:accounts"},
	"POST /api/v1/statuses":                   {"write:statuses"},
	"GET /api/v1/statuses/{id}":               {"read:statuses"},
	"GET /api/v1/statuses/{id}/context":       {"read:statuses"},
	"GET /api/v1/accounts/{id}/statuses":      {"read:statuses"},
	"POST /api/v2/media":                      {"write:media"},
	"GET /api/v1/media/{id}":                  {"write:media"},
}

// knownScopes are the scopes an app may register (Mastodon's OAuth scopes, admin ones aside).
var knownScopes = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`profile read write push follow
		read:accounts read:blocks read:bookmarks read:collections read:favourites read:filters read:follows
		read:lists read:mutes read:notifications read:search read:statuses
		write:accounts write:blocks write:bookmarks write:collections write:conversations write:favourites
		write:filters write:follows write:lists write:media write:mutes write:notifications write:reports
		write:statuses admin:read admin:write`) {
		knownScopes[s] = true
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/apps", s.createApp)
	mux.HandleFunc("GET /oauth/authorize", s.authorizeEndpoint)
	mux.HandleFunc("POST /oauth/token", s.tokenEndpoint)
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", s.verifyCredentials)
	mux.HandleFunc("POST /api/v1/statuses", s.createStatus)
	mux.HandleFunc("GET /api/v1/statuses/{id}", s.getStatus)
	mux.HandleFunc("GET /api/v1/statuses/{id}/context", s.statusContext)
	mux.HandleFunc("GET /api/v1/accounts/{id}/statuses", s.accountStatuses)
	mux.HandleFunc("POST /api/v2/media", s.uploadMedia)
	mux.HandleFunc("GET /api/v1/media/{id}", s.getMedia)
	mux.HandleFunc("GET /api/v2/instance", s.instance)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Record not found")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(mux, w, r) })
}

type faultKey struct{}

// serve checks the request against the API description, stamps the rate-limit headers every
// Mastodon answer carries, applies injected faults, and hands over to the route.
func (s *Server) serve(mux http.Handler, w http.ResponseWriter, r *http.Request) {
	body := readBody(r)
	s.mu.Lock()
	s.requests[r.Method+" "+r.URL.Path]++
	s.inFlight++
	if s.inFlight > s.maxInFlight {
		s.maxInFlight = s.inFlight
	}
	latency := s.latency
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()

	if s.spec != nil {
		for _, p := range s.spec.check(r, body) {
			s.errorf("%s %s: %s", r.Method, r.URL.Path, p)
		}
	}
	now := s.clock()
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	exceeded := s.countRate(w, r, now)
	f := s.takeFault(r, body)
	if f != nil && !f.AcceptThenHang && !f.AcceptThenDrop {
		s.writeFault(w, *f, now)
		return
	}
	if exceeded {
		writeError(w, http.StatusTooManyRequests, "Too many requests")
		return
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if f != nil {
		r = r.WithContext(context.WithValue(r.Context(), faultKey{}, f))
	}
	mux.ServeHTTP(w, r)
}

// countRate counts the request in its fixed window (per token, or per client address) and sets
// X-RateLimit-Limit, -Remaining and -Reset (ISO 8601 with microseconds, as Mastodon sends it).
func (s *Server) countRate(w http.ResponseWriter, r *http.Request, now time.Time) (exceeded bool) {
	key := bearer(r)
	if key == "" {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		key = "addr:" + host
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	start := now.Truncate(s.rateWindow)
	win := s.windows[key]
	if win == nil || !win.start.Equal(start) {
		win = &window{start: start}
		s.windows[key] = win
	}
	win.used++
	remaining := s.rateLimit - win.used
	if remaining < 0 {
		remaining, exceeded = 0, true
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", isoTime(start.Add(s.rateWindow)))
	return exceeded
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func (s *Server) writeFault(w http.ResponseWriter, f Fault, now time.Time) {
	msg := f.Error
	switch f.Status {
	case http.StatusTooManyRequests:
		retry := f.RetryIn
		if retry <= 0 {
			retry = 30 * time.Second
		}
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", isoTime(now.UTC().Truncate(time.Second).Add(retry)))
		if msg == "" {
			msg = "Too many requests"
		}
	case http.StatusUnauthorized:
		if msg == "" {
			msg = "The access token is invalid"
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="Doorkeeper", error="invalid_token", error_description="`+msg+`"`)
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		if msg == "" {
			// A proxy's page, not Mastodon JSON.
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", f.Status, http.StatusText(f.Status))
			return
		}
	}
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	writeError(w, f.Status, msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes Mastodon's error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// oauthError writes an RFC 6749 error.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func bearer(r *http.Request) string {
	v, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(v)
}

// covers reports whether granted scopes include need, directly or through their parent
// ("read" covers "read:statuses").
func covers(granted []string, need string) bool {
	parent, _, _ := strings.Cut(need, ":")
	for _, g := range granted {
		if g == need || g == parent {
			return true
		}
	}
	return false
}

// auth checks the bearer token for route (a key of routeScopes). Without a token, a route that
// does not require one is served anonymously; with one, it must be valid and in scope, as
// Doorkeeper checks it.
func (s *Server) auth(w http.ResponseWriter, r *http.Request, route string, required bool) (*token, bool) {
	value := bearer(r)
	if value == "" {
		if !required {
			return nil, true
		}
		writeError(w, http.StatusUnauthorized, "The access token is invalid")
		return nil, false
	}
	s.mu.Lock()
	tok := s.tokens[value]
	now := s.now()
	s.mu.Unlock()
	msg := ""
	switch {
	case tok == nil:
		msg = "The access token is invalid"
	case tok.revoked:
		msg = "The access token was revoked"
	case !tok.expires.IsZero() && now.After(tok.expires):
		msg = "The access token expired"
	}
	if msg != "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="Doorkeeper", error="invalid_token", error_description="`+msg+`"`)
		writeError(w, http.StatusUnauthorized, msg)
		return nil, false
	}
	for _, need := range routeScopes[route] {
		if covers(tok.scopes, need) {
			return tok, true
		}
	}
	writeError(w, http.StatusForbidden, "This action is outside the authorized scopes")
	return nil, false
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// fields reads a request's body fields (JSON, form or multipart).
func requestFields(r *http.Request) (map[string]any, error) {
	return bodyFields(r.Header.Get("Content-Type"), readBody(r))
}

func isJSON(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/json")
}

// validateBody checks a JSON body strictly against the description's schema for the route;
// without the description, only the names are checked against allowed.
func (s *Server) validateBody(r *http.Request, template string, fields map[string]any, allowed []string) []string {
	if s.spec != nil && isJSON(r) {
		if op, _ := s.spec.find(r.Method, template); op != nil && op.bodySchema() != nil {
			sch := op.bodySchema()
			return s.spec.validate(fields, sch, "body")
		}
	}
	var problems []string
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	for name := range fields {
		if !ok[name] {
			problems = append(problems, fmt.Sprintf("body.%s is not a parameter of this method", name))
		}
	}
	sort.Strings(problems)
	return problems
}

// createApp serves POST /api/v1/apps.
func (s *Server) createApp(w http.ResponseWriter, r *http.Request) {
	fields, err := requestFields(r)
	if err != nil || fields == nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Name can't be blank, Redirect URI can't be blank")
		return
	}
	// redirect_uris was a single string before Mastodon 4.3, and a string is still accepted;
	// the description only shows the array form.
	checked := make(map[string]any, len(fields))
	for k, v := range fields {
		checked[k] = v
	}
	if v, ok := checked["redirect_uris"].(string); ok {
		checked["redirect_uris"] = []any{v}
	}
	if p := s.validateBody(r, "/api/v1/apps", checked, []string{"client_name", "redirect_uris", "scopes", "website"}); len(p) > 0 {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: "+p[0])
		return
	}
	name := strings.TrimSpace(str(fields["client_name"]))
	if name == "" {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Name can't be blank")
		return
	}
	var redirects []string
	switch v := checked["redirect_uris"].(type) {
	case []any:
		for _, u := range v {
			redirects = append(redirects, strings.Fields(str(u))...)
		}
	}
	if len(redirects) == 0 {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Redirect URI can't be blank")
		return
	}
	for _, ru := range redirects {
		u, err := url.Parse(ru)
		if ru != "urn:ietf:wg:oauth:2.0:oob" && (err != nil || u.Scheme == "" || u.Host == "" || u.Fragment != "") {
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: Redirect URI must be an absolute URI.")
			return
		}
	}
	scopes := strings.Fields(str(fields["scopes"]))
	if len(scopes) == 0 {
		scopes = []string{"read"}
	}
	for _, sc := range scopes {
		if !knownScopes[sc] {
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: Scopes must be valid OAuth scopes ("+sc+")")
			return
		}
	}
	s.mu.Lock()
	a := &app{id: strconv.Itoa(len(s.apps) + 1), clientID: randomString(), secret: randomString(), name: name,
		website: str(fields["website"]), redirectURIs: redirects, scopes: scopes}
	s.apps[a.clientID] = a
	s.mu.Unlock()
	var website any
	if a.website != "" {
		website = a.website
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":                       a.id,
		"name":                     a.name,
		"website":                  website,
		"scopes":                   a.scopes,
		"redirect_uri":             strings.Join(a.redirectURIs, "\n"),
		"redirect_uris":            a.redirectURIs,
		"client_id":                a.clientID,
		"client_secret":            a.secret,
		"client_secret_expires_at": 0,
		"vapid_key":                "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=",
	})
}

// authorizeEndpoint serves GET /oauth/authorize as a person who approves at once (or declines,
// with SetDenyConsent): it redirects to the app's redirect URI with a code and the state.
func (s *Server) authorizeEndpoint(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	a := s.apps[q.Get("client_id")]
	deny := s.denyConsent
	now := s.now()
	s.mu.Unlock()
	if a == nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed due to unknown client.")
		return
	}
	redirect := q.Get("redirect_uri")
	registered := false
	for _, ru := range a.redirectURIs {
		registered = registered || ru == redirect
	}
	if !registered {
		oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "The requested redirect uri is malformed or doesn't match client redirect URI.")
		return
	}
	back := func(v url.Values) {
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		u, _ := url.Parse(redirect)
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) {
		back(url.Values{"error": {code}, "error_description": {desc}})
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "The authorization server does not support this response type.")
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		scopes = []string{"read"}
	}
	for _, sc := range scopes {
		allowed := false
		for _, as := range a.scopes {
			allowed = allowed || as == sc
		}
		if !allowed {
			fail("invalid_scope", "The requested scope is invalid, unknown, or malformed.")
			return
		}
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		fail("invalid_request", "Herald's fake requires PKCE with code_challenge_method=S256.")
		return
	}
	if deny {
		fail("access_denied", "The resource owner or authorization server denied the request.")
		return
	}
	code := randomString()
	s.mu.Lock()
	s.grants[code] = &grant{clientID: a.clientID, redirectURI: redirect, challenge: q.Get("code_challenge"), scopes: scopes, issued: now}
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

// Authorize plays the person at the authorization URL a client built: it requests it from the
// fake and returns the redirect URL (Herald's callback with code and state, or with an error).
// It fails when the fake refuses the URL outright (unknown client or redirect URI).
func (s *Server) Authorize(authURL string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	if u.Scheme+"://"+u.Host != s.URL {
		return "", fmt.Errorf("mastodontest: the authorization URL is not on this server (%s)", u.Host)
	}
	c := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Get(authURL)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return "", fmt.Errorf("mastodontest: /oauth/authorize answered %d: %s: %s", resp.StatusCode, e.Error, e.Description)
	}
	return resp.Header.Get("Location"), nil
}

// tokenEndpoint serves POST /oauth/token: the authorization_code grant (checking the client
// secret, the redirect URI and the PKCE verifier against the S256 challenge) and, when enabled,
// refresh_token.
func (s *Server) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	fields, err := requestFields(r)
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request is missing a required parameter.")
		return
	}
	get := func(k string) string { return str(fields[k]) }
	clientID, secret := get("client_id"), get("client_secret")
	if id, sec, ok := r.BasicAuth(); ok {
		clientID, secret = id, sec
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[clientID]
	if a == nil || secret == "" || secret != a.secret {
		oauthError(w, http.StatusUnauthorized, "invalid_client",
			"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	const invalidGrant = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
	var scopes []string
	switch get("grant_type") {
	case "authorization_code":
		g := s.grants[get("code")]
		if g == nil || g.used || g.clientID != clientID || s.now().Sub(g.issued) > 10*time.Minute || get("redirect_uri") != g.redirectURI {
			oauthError(w, http.StatusBadRequest, "invalid_grant", invalidGrant)
			return
		}
		if g.challenge != "" {
			sum := sha256.Sum256([]byte(get("code_verifier")))
			if get("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
				oauthError(w, http.StatusBadRequest, "invalid_grant", invalidGrant)
				return
			}
		}
		g.used = true
		scopes = g.scopes
	case "refresh_token":
		old := s.refresh[get("refresh_token")]
		if s.refreshTTL == 0 || old == nil || old.revoked || old.clientID != clientID {
			oauthError(w, http.StatusBadRequest, "invalid_grant", invalidGrant)
			return
		}
		old.revoked = true
		delete(s.refresh, old.refresh)
		scopes = old.scopes
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	now := s.now()
	tok := &token{access: randomString(), clientID: clientID, scopes: scopes}
	body := map[string]any{
		"access_token": tok.access,
		"token_type":   "Bearer",
		"scope":        strings.Join(scopes, " "),
		"created_at":   now.Unix(),
	}
	if s.refreshTTL > 0 {
		tok.refresh = randomString()
		tok.expires = now.Add(s.refreshTTL)
		s.refresh[tok.refresh] = tok
		body["refresh_token"] = tok.refresh
		body["expires_in"] = int(s.refreshTTL.Seconds())
	}
	s.tokens[tok.access] = tok
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) accountJSON(credential bool) map[string]any {
	base := s.URL
	a := map[string]any{
		"id":              s.account.id,
		"username":        s.account.username,
		"acct":            s.account.username,
		"display_name":    s.account.displayName,
		"locked":          false,
		"bot":             false,
		"discoverable":    true,
		"indexable":       true,
		"group":           false,
		"created_at":      "2022-11-08T00:00:00.000Z",
		"note":            "<p>Herald's test account</p>",
		"url":             base + "/@" + s.account.username,
		"uri":             base + "/users/" + s.account.username,
		"avatar":          base + "/avatars/original/herald.png",
		"avatar_static":   base + "/avatars/original/herald.png",
		"header":          base + "/headers/original/missing.png",
		"header_static":   base + "/headers/original/missing.png",
		"followers_count": 12,
		"following_count": 3,
		"statuses_count":  len(s.statuses),
		"last_status_at":  nil,
		"emojis":          []any{},
		"fields":          []any{},
	}
	if credential {
		a["source"] = map[string]any{"privacy": "public", "sensitive": false, "language": "en", "note": "Herald's test account", "fields": []any{}, "follow_requests_count": 0}
		a["role"] = map[string]any{"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": false}
	}
	return a
}

// verifyCredentials serves GET /api/v1/accounts/verify_credentials.
func (s *Server) verifyCredentials(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "GET /api/v1/accounts/verify_credentials", true); !ok {
		return
	}
	s.mu.Lock()
	a := s.accountJSON(true)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, a)
}

// mediaType is a MediaAttachment's type for a MIME type.
func mediaType(mimeType string) string {
	switch {
	case mimeType == "image/gif":
		return "gifv"
	case strings.HasPrefix(mimeType, "image/"):
		return "image"
	case strings.HasPrefix(mimeType, "video/"):
		return "video"
	case strings.HasPrefix(mimeType, "audio/"):
		return "audio"
	}
	return "unknown"
}

func (s *Server) mediaJSON(m *Media) map[string]any {
	var u, preview, desc any
	if m.Ready {
		u = s.URL + "/system/media_attachments/files/" + m.ID + "/original"
		preview = s.URL + "/system/media_attachments/files/" + m.ID + "/small"
	}
	if m.Description != "" {
		desc = m.Description
	}
	return map[string]any{
		"id": m.ID, "type": mediaType(m.MIME), "url": u, "preview_url": preview, "remote_url": nil,
		"meta": map[string]any{}, "description": desc, "blurhash": nil,
	}
}

func (s *Server) statusJSON(st *Status) map[string]any {
	base := s.URL
	var replyTo, replyAccount, lang any
	if st.InReplyToID != "" {
		replyTo, replyAccount = st.InReplyToID, s.account.id
	}
	if st.Language != "" {
		lang = st.Language
	}
	media := []any{}
	for _, id := range st.MediaIDs {
		if m, ok := s.media[id]; ok {
			media = append(media, s.mediaJSON(m))
		}
	}
	j := map[string]any{
		"id":                     st.ID,
		"created_at":             st.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		"in_reply_to_id":         replyTo,
		"in_reply_to_account_id": replyAccount,
		"sensitive":              false,
		"spoiler_text":           "",
		"visibility":             st.Visibility,
		"language":               lang,
		"uri":                    base + "/users/" + s.account.username + "/statuses/" + st.ID,
		"url":                    base + "/@" + s.account.username + "/" + st.ID,
		"replies_count":          st.Replies,
		"reblogs_count":          st.Reblogs,
		"favourites_count":       st.Favourites,
		"edited_at":              nil,
		"favourited":             false,
		"reblogged":              false,
		"muted":                  false,
		"bookmarked":             false,
		"pinned":                 false,
		"content":                renderContent(base, st.Text),
		"filtered":               []any{},
		"reblog":                 nil,
		"application":            map[string]any{"name": "Herald", "website": nil},
		"account":                s.accountJSON(false),
		"media_attachments":      media,
		"mentions":               []any{},
		"tags":                   []any{},
		"emojis":                 []any{},
		"card":                   nil,
		"poll":                   nil,
	}
	if st.Quotes != nil {
		j["quotes_count"] = *st.Quotes
	}
	return j
}

// statusFields are the parameters of POST /api/v1/statuses, for checks without the description.
var statusFields = []string{"status", "media_ids", "in_reply_to_id", "language", "visibility", "sensitive",
	"spoiler_text", "scheduled_at", "poll", "quoted_status_id", "quote_approval_policy"}

// createStatus serves POST /api/v1/statuses.
func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "POST /api/v1/statuses", true); !ok {
		return
	}
	fault, _ := r.Context().Value(faultKey{}).(*Fault)
	fields, err := requestFields(r)
	if err != nil || fields == nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Text can't be blank")
		return
	}
	key := r.Header.Get("Idempotency-Key")

	s.mu.Lock()
	if id, ok := s.idem[key]; ok && key != "" && s.honourIdempotency {
		// Mastodon answers a repeated key with the status it created the first time.
		st := s.statuses[id]
		if st != nil {
			j := s.statusJSON(st)
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, j)
			return
		}
	}
	s.mu.Unlock()

	if p := s.validateBody(r, "/api/v1/statuses", fields, statusFields); len(p) > 0 {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: "+p[0])
		return
	}
	text := str(fields["status"])
	var mediaIDs []string
	if arr, ok := fields["media_ids"].([]any); ok {
		for _, v := range arr {
			mediaIDs = append(mediaIDs, str(v))
		}
	}
	visibility := str(fields["visibility"])
	if visibility == "" {
		visibility = "public"
	}
	switch {
	case fields["scheduled_at"] != nil, fields["poll"] != nil, fields["quoted_status_id"] != nil:
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: mastodontest does not simulate scheduled statuses, polls or quotes")
		return
	case visibility != "public" && visibility != "unlisted" && visibility != "private" && visibility != "direct":
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Visibility is not included in the list")
		return
	}

	s.mu.Lock()
	if strings.TrimSpace(text) == "" && len(mediaIDs) == 0 {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Text can't be blank")
		return
	}
	if n := content.MastodonCounter.Count(text); n > s.maxChars {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("Validation failed: Text character limit of %d exceeded", s.maxChars))
		return
	}
	if len(mediaIDs) > 4 {
		s.mu.Unlock()
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Cannot attach more than 4 files")
		return
	}
	for _, id := range mediaIDs {
		m, ok := s.media[id]
		if !ok {
			// Mastodon silently drops unknown ids; the fake refuses them so a client bug shows.
			s.mu.Unlock()
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: mastodontest has no media attachment "+id)
			return
		}
		if !m.Ready {
			s.mu.Unlock()
			writeError(w, http.StatusUnprocessableEntity, "Cannot attach files that have not finished processing. Try again in a moment!")
			return
		}
	}
	replyTo := str(fields["in_reply_to_id"])
	if replyTo != "" {
		parent, ok := s.statuses[replyTo]
		if !ok {
			s.mu.Unlock()
			writeError(w, http.StatusNotFound, "Record not found")
			return
		}
		parent.Replies++
	}
	now := s.now()
	st := &Status{ID: s.newID(now), Text: text, InReplyToID: replyTo, MediaIDs: mediaIDs, Language: str(fields["language"]),
		Visibility: visibility, IdempotencyKey: key, CreatedAt: now.UTC()}
	s.statuses[st.ID] = st
	s.createdByText[text]++
	if key != "" {
		s.createdByKey[key]++
		if s.honourIdempotency {
			s.idem[key] = st.ID
		}
	}
	j := s.statusJSON(st)
	s.mu.Unlock()

	if fault != nil && fault.AcceptThenHang {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	if fault != nil && fault.AcceptThenDrop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		s.errorf("cannot drop the connection: the response writer cannot be hijacked")
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// getStatus serves GET /api/v1/statuses/:id.
func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "GET /api/v1/statuses/{id}", false); !ok {
		return
	}
	s.mu.Lock()
	st, ok := s.statuses[r.PathValue("id")]
	var j map[string]any
	if ok {
		j = s.statusJSON(st)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// Context limits of Mastodon's ContextsController: a signed-in viewer gets up to contextLimit
// ancestors and descendants at any depth; an anonymous one fewer, and descendants only so deep.
const (
	contextLimit         = 4096
	anonAncestorsLimit   = 40
	anonDescendantsLimit = 60
	anonDescendantsDepth = 20
)

// statusContext serves GET /api/v1/statuses/:id/context: the chain of statuses the status
// replies to, root first, and the replies below it depth first, each branch in id order, as
// Mastodon walks a thread.
func (s *Server) statusContext(w http.ResponseWriter, r *http.Request) {
	tok, ok := s.auth(w, r, "GET /api/v1/statuses/{id}/context", false)
	if !ok {
		return
	}
	ancestorsLimit, descendantsLimit, depthLimit := contextLimit, contextLimit, 0
	if tok == nil {
		ancestorsLimit, descendantsLimit, depthLimit = anonAncestorsLimit, anonDescendantsLimit, anonDescendantsDepth
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, found := s.statuses[r.PathValue("id")]
	if !found {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	var ancestors []any
	for id := st.InReplyToID; id != "" && len(ancestors) < ancestorsLimit; {
		parent, ok := s.statuses[id]
		if !ok {
			break // a deleted parent ends the chain
		}
		ancestors = append([]any{s.statusJSON(parent)}, ancestors...)
		id = parent.InReplyToID
	}
	children := map[string][]*Status{}
	sorted := s.sortedStatuses()
	for i := len(sorted) - 1; i >= 0; i-- { // oldest first
		if p := sorted[i].InReplyToID; p != "" {
			children[p] = append(children[p], sorted[i])
		}
	}
	descendants := []any{}
	var walk func(id string, depth int)
	walk = func(id string, depth int) {
		if depthLimit > 0 && depth > depthLimit {
			return
		}
		for _, c := range children[id] {
			if len(descendants) >= descendantsLimit {
				return
			}
			descendants = append(descendants, s.statusJSON(c))
			walk(c.ID, depth+1)
		}
	}
	walk(st.ID, 1)
	if ancestors == nil {
		ancestors = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ancestors": ancestors, "descendants": descendants})
}

func boolParam(q url.Values, name string) bool {
	v := strings.ToLower(q.Get(name))
	return v == "true" || v == "1"
}

// accountStatuses serves GET /api/v1/accounts/:id/statuses, newest first, with max_id,
// since_id, min_id and limit (20 by default, at most 40) and a Link header.
func (s *Server) accountStatuses(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "GET /api/v1/accounts/{id}/statuses", false); !ok {
		return
	}
	if r.PathValue("id") != s.account.id {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			writeError(w, http.StatusUnprocessableEntity, "limit must be a positive integer")
			return
		}
		limit = min(n, 40)
	}
	maxID, sinceID, minID := q.Get("max_id"), q.Get("since_id"), q.Get("min_id")
	s.mu.Lock()
	var picked []*Status
	for _, st := range s.sortedStatuses() {
		switch {
		case maxID != "" && !idLess(st.ID, maxID),
			sinceID != "" && !idLess(sinceID, st.ID),
			minID != "" && !idLess(minID, st.ID),
			boolParam(q, "exclude_replies") && st.InReplyToID != "",
			boolParam(q, "only_media") && len(st.MediaIDs) == 0:
			continue
		}
		picked = append(picked, st)
	}
	if minID != "" && len(picked) > limit {
		// min_id pages forwards: the statuses just after min_id.
		picked = picked[len(picked)-limit:]
	} else if len(picked) > limit {
		picked = picked[:limit]
	}
	out := make([]any, 0, len(picked))
	for _, st := range picked {
		out = append(out, s.statusJSON(st))
	}
	s.mu.Unlock()
	if len(picked) > 0 {
		base := s.URL + r.URL.Path
		w.Header().Set("Link", fmt.Sprintf(`<%s?limit=%d&max_id=%s>; rel="next", <%s?limit=%d&min_id=%s>; rel="prev"`,
			base, limit, picked[len(picked)-1].ID, base, limit, picked[0].ID))
	}
	writeJSON(w, http.StatusOK, out)
}

// uploadMedia serves POST /api/v2/media: 200 with a url when processed at once, else 202
// without one (see SetMediaProcessing).
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "POST /api/v2/media", true); !ok {
		return
	}
	if err := r.ParseMultipartForm(64 << 20); err != nil || r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	}
	fh := r.MultipartForm.File["file"][0]
	mimeType := fh.Header.Get("Content-Type")
	if t := mediaType(mimeType); t == "unknown" {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File content type is invalid")
		return
	}
	desc := r.FormValue("description")
	if len([]rune(desc)) > 1500 {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Description is too long (maximum is 1500 characters)")
		return
	}
	s.mu.Lock()
	m := &Media{ID: s.newID(s.now()), MIME: mimeType, FileName: fh.Filename, Size: int(fh.Size), Description: desc}
	status := http.StatusOK
	if s.mediaPolls > 0 {
		m.pollsLeft = s.mediaPolls
		status = http.StatusAccepted
	} else {
		m.Ready = true
	}
	s.media[m.ID] = m
	j := s.mediaJSON(m)
	s.mu.Unlock()
	writeJSON(w, status, j)
}

// getMedia serves GET /api/v1/media/:id: 206 (with the attachment, url null) while processing,
// 200 once processed.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r, "GET /api/v1/media/{id}", true); !ok {
		return
	}
	s.mu.Lock()
	m, ok := s.media[r.PathValue("id")]
	if !ok {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	status := http.StatusOK
	if !m.Ready {
		if m.pollsLeft > 0 {
			m.pollsLeft--
			status = http.StatusPartialContent
		} else {
			m.Ready = true
		}
	}
	j := s.mediaJSON(m)
	s.mu.Unlock()
	writeJSON(w, status, j)
}

// instance serves GET /api/v2/instance.
func (s *Server) instance(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	maxChars := s.maxChars
	s.mu.Unlock()
	u, _ := url.Parse(s.URL)
	writeJSON(w, http.StatusOK, map[string]any{
		"domain":      u.Host,
		"title":       "Herald test instance",
		"version":     "4.5.0",
		"source_url":  "https://github.com/mastodon/mastodon",
		"description": "A fake Mastodon instance for Herald's tests.",
		"usage":       map[string]any{"users": map[string]any{"active_month": 1}},
		"thumbnail":   map[string]any{"url": s.URL + "/packs/media/images/preview.png"},
		"icon":        []any{},
		"languages":   []string{"en"},
		"configuration": map[string]any{
			"urls":     map[string]any{"streaming": "wss://" + u.Host, "status": nil},
			"accounts": map[string]any{"max_featured_tags": 10, "max_pinned_statuses": 5},
			"statuses": map[string]any{"max_characters": maxChars, "max_media_attachments": 4, "characters_reserved_per_url": 23},
			"media_attachments": map[string]any{
				"supported_mime_types": []string{"image/jpeg", "image/png", "image/gif", "image/heic", "image/heif", "image/webp", "image/avif", "video/webm", "video/mp4", "video/quicktime", "video/ogg"},
				"image_size_limit":     16777216, "image_matrix_limit": 33177600,
				"video_size_limit": 103809024, "video_frame_rate_limit": 120, "video_matrix_limit": 8294400,
				"description_limit": 1500,
			},
			"polls":       map[string]any{"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746},
			"translation": map[string]any{"enabled": false},
		},
		"registrations": map[string]any{"enabled": false, "approval_required": false, "message": nil},
		"api_versions":  map[string]any{"mastodon": 6},
		"contact":       map[string]any{"email": "admin@example.invalid", "account": nil},
		"rules":         []any{},
	})
}
