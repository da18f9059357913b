package threadstest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/authorize", s.authorize)
	mux.HandleFunc("POST /oauth/access_token", s.tokenEndpoint)
	mux.HandleFunc("GET /access_token", s.exchange)
	mux.HandleFunc("GET /refresh_access_token", s.refresh)
	mux.HandleFunc("GET /"+Version+"/{id}", s.node)
	mux.HandleFunc("POST /"+Version+"/{id}/threads", s.createContainer)
	mux.HandleFunc("GET /"+Version+"/{id}/threads", s.listThreads)
	mux.HandleFunc("POST /"+Version+"/{id}/threads_publish", s.publish)
	mux.HandleFunc("GET /"+Version+"/{id}/threads_publishing_limit", s.publishingLimit)
	mux.HandleFunc("GET /"+Version+"/{id}/insights", s.insights)
	mux.HandleFunc("GET /"+Version+"/{id}/replies", s.replies)
	mux.HandleFunc("/", s.unknownPath)
	return mux
}

// call is one request being served.
type call struct {
	s        *Server
	w        http.ResponseWriter
	r        *http.Request
	endpoint string
	p        url.Values
	tok      *token
	fault    *Fault
}

func (c *call) get(name string) string { return c.p.Get(name) }

// begin counts the request, reads its parameters (query and body, urlencoded or multipart, as
// Graph takes them), refuses parameters the endpoint does not document, applies an injected
// fault and the latency. It returns false when it has answered already. done must be called when
// the request ends.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, endpoint string, allowed paramSet) (*call, func(), bool) {
	s.mu.Lock()
	s.requests[endpoint]++
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	latency := s.latency
	s.mu.Unlock()
	done := func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}
	c := &call{s: s, w: w, r: r, endpoint: endpoint}
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		s.violate("%s: the parameters cannot be read: %v", endpoint, err)
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The request parameters could not be parsed")
		return nil, done, false
	}
	c.p = r.Form
	names := make([]string, 0, len(c.p))
	for name := range c.p {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !allowed[name] {
			s.violate("%s: %q is not a documented parameter", endpoint, name)
			graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", fmt.Sprintf("(#100) Param %s is not a valid parameter", name))
			return nil, done, false
		}
		if len(c.p[name]) > 1 {
			s.violate("%s: parameter %q given %d times", endpoint, name, len(c.p[name]))
		}
	}
	s.mu.Lock()
	f := s.takeFault(endpoint)
	s.mu.Unlock()
	if f != nil && !f.acceptFirst() {
		writeFault(w, *f)
		return nil, done, false
	}
	c.fault = f
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return nil, done, false
		case <-s.closing:
			return nil, done, false
		}
	}
	return c, done, true
}

// require refuses a request that lacks a required parameter (a client bug).
func (c *call) require(names ...string) bool {
	for _, n := range names {
		if strings.TrimSpace(c.get(n)) == "" {
			c.s.violate("%s: the required parameter %q is missing", c.endpoint, n)
			graphError(c.w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The parameter "+n+" is required")
			return false
		}
	}
	return true
}

// auth checks the access token (an Authorization: Bearer header or the access_token parameter)
// and that it carries every permission in scopes (Get started, "Authorization").
func (c *call) auth(scopes ...string) bool {
	value := c.get("access_token")
	if v, ok := strings.CutPrefix(c.r.Header.Get("Authorization"), "Bearer "); ok {
		value = strings.TrimSpace(v)
	}
	if value == "" {
		c.s.violate("%s: no access token", c.endpoint)
		graphError(c.w, http.StatusBadRequest, 104, 0, "OAuthException", "An access token is required to request this resource.")
		return false
	}
	s := c.s
	s.mu.Lock()
	tok := s.tokens[value]
	now := s.now()
	s.mu.Unlock()
	switch {
	case tok == nil:
		tokenError(c.w, 0, "Invalid OAuth access token - Cannot parse access token")
		return false
	case tok.revoked:
		tokenError(c.w, 458, "Error validating access token: The user has not authorized application "+s.appID+".")
		return false
	case !now.Before(tok.expires):
		tokenError(c.w, 463, "Error validating access token: Session has expired on "+tok.expires.UTC().Format("Monday, 02-Jan-06 15:04:05 MST")+
			". The current time is "+now.UTC().Format("Monday, 02-Jan-06 15:04:05 MST")+".")
		return false
	}
	for _, need := range scopes {
		if !slices.Contains(tok.scopes, need) {
			graphError(c.w, http.StatusBadRequest, 10, 0, "OAuthException", "(#10) Application does not have permission for this action")
			return false
		}
	}
	c.tok = tok
	return true
}

// isUser reports whether a path id names the token's user ("me" or the user id).
func (s *Server) isUser(id string) bool { return id == "me" || id == s.user.id }

// fields checks the fields parameter against a node's fields; def when it is absent.
func (c *call) fields(known paramSet, node, def string) ([]string, bool) {
	v := c.get("fields")
	if v == "" {
		v = def
	}
	fs := splitList(v)
	for _, f := range fs {
		if !known[f] {
			c.s.violate("%s: %q is not a field of %s", c.endpoint, f, node)
			graphError(c.w, http.StatusBadRequest, 100, 0, "OAuthException", fmt.Sprintf("(#100) Tried accessing nonexisting field (%s) on node type (%s)", f, node))
			return nil, false
		}
	}
	return fs, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// graphError writes Meta's error object (Graph errors, "Error Responses").
func graphError(w http.ResponseWriter, status, code, subcode int, typ, message string) {
	writeFault(w, Fault{Status: status, Code: code, Subcode: subcode, Type: typ, Message: message})
}

// tokenError answers an invalid token as Graph does: code 190, with WWW-Authenticate.
func tokenError(w http.ResponseWriter, subcode int, message string) {
	w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+message+`"`)
	graphError(w, http.StatusBadRequest, 190, subcode, "OAuthException", message)
}

func writeFault(w http.ResponseWriter, f Fault) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if f.HTML {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", status, http.StatusText(status))
		return
	}
	e := map[string]any{"message": f.Message, "type": f.Type, "code": f.Code, "fbtrace_id": randomString(8)}
	if f.Type == "" {
		e["type"] = "OAuthException"
	}
	if f.Subcode != 0 {
		e["error_subcode"] = f.Subcode
	}
	if f.UserMessage != "" {
		e["error_user_title"] = "Error"
		e["error_user_msg"] = f.UserMessage
	}
	if f.Transient {
		e["is_transient"] = true
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// authorize serves the authorization window as a person who approves at once (or declines, with
// SetDenyConsent): it redirects to the redirect URI with a code and the state, with "#_" appended
// as Meta's windows do (Instagram's Oauth Authorize reference says so; Threads' callbacks show
// it too).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointAuthorize, authorizeParams)
	defer done()
	if !ok {
		return
	}
	jsonError := func(code int, msg string) {
		// The window shows Meta's error as JSON instead of redirecting (fbsamples/threads_api
		// issues 14, 17 and 24 show such answers).
		writeJSON(w, http.StatusBadRequest, map[string]any{"error_message": msg, "error_code": code})
	}
	if c.get("client_id") != s.appID {
		jsonError(1349026, "No application data was given: There was a problem getting data for an application.")
		return
	}
	redirect := c.get("redirect_uri")
	s.mu.Lock()
	registered := s.redirects[redirect]
	deny := s.denyConsent
	now := s.now()
	s.mu.Unlock()
	if !registered {
		// The fake's wording: Meta documents that the URI must match one of the app's
		// Redirect Callback URLs exactly.
		s.violate("%s: redirect_uri %q is not one of the app's Redirect Callback URLs", c.endpoint, redirect)
		jsonError(1349048, "Invalid Request: The redirect_uri is not one of the app's Redirect Callback URLs.")
		return
	}
	if c.get("response_type") != "code" {
		s.violate("%s: response_type must be code", c.endpoint)
		jsonError(1349047, "Invalid Request: response_type must be code.")
		return
	}
	scopes := strings.FieldsFunc(c.get("scope"), func(r rune) bool { return r == ',' || r == ' ' })
	if !slices.Contains(scopes, "threads_basic") {
		s.violate("%s: scope %q lacks threads_basic, which every endpoint needs", c.endpoint, c.get("scope"))
		jsonError(1349049, "Invalid Scope: threads_basic is required.")
		return
	}
	for _, sc := range scopes {
		if !slices.Contains(Permissions, sc) {
			s.violate("%s: %q is not a Threads permission", c.endpoint, sc)
			jsonError(1349049, "Invalid Scope: "+sc)
			return
		}
	}
	challenge, method := c.get("code_challenge"), c.get("code_challenge_method")
	if challenge != "" && method != "S256" {
		s.violate("%s: code_challenge_method %q; the fake verifies S256 only", c.endpoint, method)
		jsonError(1349050, "Invalid Request: code_challenge_method must be S256.")
		return
	}
	back := func(v url.Values) {
		if st := c.get("state"); st != "" {
			v.Set("state", st)
		}
		u, _ := url.Parse(redirect)
		u.RawQuery = v.Encode()
		u.Fragment = "_"
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	if deny {
		back(url.Values{"error": {"access_denied"}, "error_reason": {"user_denied"}, "error_description": {"Permissions error"}})
		return
	}
	code := randomString(32)
	s.mu.Lock()
	s.grants[code] = &grant{redirectURI: redirect, challenge: challenge, scopes: scopes, issued: now}
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

// Authorize plays the person at an authorization URL: it requests it from the fake and returns
// where the window redirects (Herald's callback with code and state, or with an error). It fails
// when the window answers with an error instead.
func (s *Server) Authorize(authURL string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	if u.Scheme+"://"+u.Host != s.URL {
		return "", fmt.Errorf("threadstest: the authorization URL is not on this server (%s)", u.Host)
	}
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		var e struct {
			Message string `json:"error_message"`
			Code    int    `json:"error_code"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return "", fmt.Errorf("threadstest: the authorization window answered %d: %s (%d)", resp.StatusCode, e.Message, e.Code)
	}
	return resp.Header.Get("Location"), nil
}

// tokenEndpoint serves POST /oauth/access_token (Access tokens, step 2): the app's id and
// secret, the exact redirect URI, a single-use code that has not expired, and, when the
// authorization carried a PKCE challenge, the matching verifier. The answer carries user_id as a
// JSON number, as Meta's example shows.
func (s *Server) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointToken, tokenParams)
	defer done()
	if !ok || !c.require("client_id", "client_secret", "grant_type", "redirect_uri", "code") {
		return
	}
	if c.get("client_id") != s.appID {
		graphError(w, http.StatusBadRequest, 101, 0, "OAuthException", "Error validating application. Invalid application ID.")
		return
	}
	if c.get("client_secret") != s.appSecret {
		graphError(w, http.StatusBadRequest, 1, 0, "OAuthException", "Error validating client secret.")
		return
	}
	if c.get("grant_type") != "authorization_code" {
		s.violate("%s: grant_type %q", c.endpoint, c.get("grant_type"))
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "Unsupported grant_type: "+c.get("grant_type"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	g := s.grants[c.get("code")]
	switch {
	case g == nil:
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "Invalid verification code format.")
		return
	case g.used:
		graphError(w, http.StatusBadRequest, 100, 36009, "OAuthException", "This authorization code has been used.")
		return
	case now.Sub(g.issued) > CodeTTL:
		graphError(w, http.StatusBadRequest, 100, 36007, "OAuthException", "This authorization code has expired.")
		return
	case c.get("redirect_uri") != g.redirectURI:
		graphError(w, http.StatusBadRequest, 100, 36008, "OAuthException",
			"Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request")
		return
	}
	if g.challenge != "" {
		verifier := c.get("code_verifier")
		sum := sha256.Sum256([]byte(verifier))
		if verifier == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			// The fake's wording: Threads documents no PKCE.
			graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "Invalid code_verifier: it does not match the code_challenge.")
			return
		}
	}
	g.used = true
	tok := s.issue(false, g.scopes, now)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok.value, "user_id": json.Number(s.user.id)})
}

// exchange serves GET /access_token?grant_type=th_exchange_token (Long-lived tokens): a valid
// short-lived token and the app secret buy a 60-day token.
func (s *Server) exchange(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointExchange, exchangeParams)
	defer done()
	if !ok || !c.require("grant_type", "client_secret", "access_token") {
		return
	}
	if c.get("grant_type") != "th_exchange_token" {
		s.violate("%s: grant_type %q", c.endpoint, c.get("grant_type"))
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "Unsupported grant_type: "+c.get("grant_type"))
		return
	}
	if c.get("client_secret") != s.appSecret {
		graphError(w, http.StatusBadRequest, 1, 0, "OAuthException", "Error validating client secret.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	tok := s.tokens[c.get("access_token")]
	switch {
	case tok == nil || tok.revoked:
		tokenError(w, 0, "Invalid OAuth access token - Cannot parse access token")
		return
	case !now.Before(tok.expires):
		tokenError(w, 463, "Error validating access token: Session has expired.")
		return
	case tok.long:
		// The fake's wording: the documentation exchanges short-lived tokens only.
		s.violations = append(s.violations, c.endpoint+": the token is long-lived already")
		if !s.allowBad {
			s.t.Errorf("threadstest: %s: the token is long-lived already", c.endpoint)
		}
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Only short-lived access tokens can be exchanged.")
		return
	}
	long := s.issue(true, tok.scopes, now)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": long.value, "token_type": "bearer", "expires_in": int64(LongLivedTTL / time.Second)})
}

// refresh serves GET /refresh_access_token?grant_type=th_refresh_token (Long-lived tokens): a
// long-lived token at least 24 hours old and not expired buys a new one valid 60 days from now.
// The documentation does not say the old token stops working, so it stays valid until it expires.
func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointRefresh, refreshParams)
	defer done()
	if !ok || !c.require("grant_type", "access_token") {
		return
	}
	if c.get("grant_type") != "th_refresh_token" {
		s.violate("%s: grant_type %q", c.endpoint, c.get("grant_type"))
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "Unsupported grant_type: "+c.get("grant_type"))
		return
	}
	s.mu.Lock()
	now := s.now()
	tok := s.tokens[c.get("access_token")]
	var problem string
	switch {
	case tok == nil:
		s.mu.Unlock()
		tokenError(w, 0, "Invalid OAuth access token - Cannot parse access token")
		return
	case tok.revoked:
		s.mu.Unlock()
		tokenError(w, 458, "Error validating access token: The user has not authorized application "+s.appID+".")
		return
	case !now.Before(tok.expires):
		s.mu.Unlock()
		tokenError(w, 463, "Error validating access token: Session has expired on "+tok.expires.UTC().Format("Monday, 02-Jan-06 15:04:05 MST")+".")
		return
	case !tok.long:
		problem = "(#100) Only long-lived access tokens can be refreshed."
	case now.Sub(tok.issued) < MinRefreshAge:
		// The rule is documented; the wording is the fake's.
		problem = "(#100) The access token is less than 24 hours old and cannot be refreshed yet."
	}
	if problem != "" {
		s.mu.Unlock()
		s.violate("%s: %s", c.endpoint, problem)
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", problem)
		return
	}
	next := s.issue(true, tok.scopes, now)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": next.value, "token_type": "bearer", "expires_in": int64(LongLivedTTL / time.Second)})
}

// noObject answers Graph's "does not exist" for an id the fake does not know (or that is not
// this account's).
func noObject(w http.ResponseWriter, id string) {
	graphError(w, http.StatusBadRequest, 100, 33, "GraphMethodException",
		"Unsupported get request. Object with ID '"+id+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
}

// node serves GET /{id}: the user (/me), a container's status (Troubleshooting) or a post
// (Media retrieval).
func (s *Server) node(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	endpoint := EndpointMedia
	switch {
	case s.isUser(id):
		endpoint = EndpointUser
	case s.containers[id] != nil:
		endpoint = EndpointContainer
	}
	s.mu.Unlock()
	c, done, ok := s.begin(w, r, endpoint, nodeParams)
	defer done()
	if !ok {
		return
	}
	switch endpoint {
	case EndpointUser:
		if !c.auth("threads_basic") {
			return
		}
		fs, ok := c.fields(userFields, "ThreadsUser", "id")
		if !ok {
			return
		}
		out := map[string]any{}
		for _, f := range fs {
			switch f {
			case "id":
				out["id"] = s.user.id
			case "username":
				out["username"] = s.user.username
			case "name":
				out["name"] = s.user.name
			case "threads_profile_picture_url":
				out["threads_profile_picture_url"] = s.user.picture
			case "threads_biography":
				out["threads_biography"] = s.user.bio
			case "is_verified":
				out["is_verified"] = false
			}
		}
		writeJSON(w, http.StatusOK, out)
	case EndpointContainer:
		// A publishing endpoint (Publishing reference lists the container status there).
		if !c.auth("threads_basic", "threads_content_publish") {
			return
		}
		fs, ok := c.fields(containerFields, "ThreadsMediaContainer", "id")
		if !ok {
			return
		}
		s.mu.Lock()
		ct := s.containers[id]
		status, msg := s.status(ct, s.now())
		s.mu.Unlock()
		out := map[string]any{"id": id}
		for _, f := range fs {
			switch f {
			case "status":
				out["status"] = status
			case "error_message":
				if msg != "" {
					out["error_message"] = msg
				}
			}
		}
		writeJSON(w, http.StatusOK, out)
	default:
		if !c.auth("threads_basic") {
			return
		}
		fs, ok := c.fields(mediaFields, "ThreadsMedia", "id")
		if !ok {
			return
		}
		s.mu.Lock()
		p := s.posts[id]
		var out map[string]any
		if p != nil {
			out = s.mediaJSON(p, fs)
		}
		s.mu.Unlock()
		if p == nil {
			noObject(w, id)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// mediaJSON renders a post with the fields asked for. Callers hold mu.
func (s *Server) mediaJSON(p *Post, fields []string) map[string]any {
	out := map[string]any{"id": p.ID}
	for _, f := range fields {
		switch f {
		case "media_product_type":
			out[f] = "THREADS"
		case "media_type":
			out[f] = p.MediaType
		case "media_url":
			if p.ImageURL != "" {
				out[f] = p.ImageURL
			} else if p.VideoURL != "" {
				out[f] = p.VideoURL
			}
		case "permalink":
			out[f] = s.permalink(p)
		case "owner":
			if p.ReplyTo == "" { // "only available on top-level posts that you own"
				out[f] = map[string]string{"id": s.user.id}
			}
		case "username":
			out[f] = s.user.username
		case "text":
			if p.Text != "" {
				out[f] = p.Text
			}
		case "timestamp":
			out[f] = timestamp(p.Timestamp)
		case "shortcode":
			out[f] = p.Shortcode
		case "thumbnail_url":
			if p.VideoURL != "" {
				out[f] = p.VideoURL + "#thumbnail"
			}
		case "children":
			if len(p.Children) > 0 {
				data := make([]map[string]string, len(p.Children))
				for i := range p.Children {
					data[i] = map[string]string{"id": p.ID + strconv.Itoa(i+1)}
				}
				out[f] = map[string]any{"data": data}
			}
		case "is_quote_post":
			out[f] = false
		case "alt_text":
			if p.AltText != "" {
				out[f] = p.AltText
			}
		case "has_replies":
			out[f] = s.replyCount(p) > 0
		case "is_reply":
			out[f] = p.ReplyTo != ""
		case "is_reply_owned_by_me":
			if p.ReplyTo != "" {
				out[f] = true
			}
		case "root_post":
			if p.ReplyTo != "" {
				out[f] = map[string]string{"id": p.Root}
			}
		case "replied_to":
			if p.ReplyTo != "" {
				out[f] = map[string]string{"id": p.ReplyTo}
			}
		case "hide_status":
			out[f] = "NOT_HUSHED"
		case "reply_audience":
			out[f] = "EVERYONE"
		}
	}
	return out
}

// replyCount is what the replies metric adds to a post: for a first post every reply in its
// thread, for a reply its direct replies (Insights, "replies"). Callers hold mu.
func (s *Server) replyCount(p *Post) int64 {
	var n int64
	for _, q := range s.posts {
		switch {
		case q.ID == p.ID:
		case p.ReplyTo == "" && q.Root == p.ID:
			n++
		case p.ReplyTo != "" && q.ReplyTo == p.ID:
			n++
		}
	}
	return n
}

// status is a container's status and error message. Callers hold mu.
func (s *Server) status(ct *container, now time.Time) (string, string) {
	switch {
	case ct.publishedAs != "":
		return "PUBLISHED", ""
	case now.Sub(ct.created) >= ContainerTTL:
		return "EXPIRED", ""
	case now.Before(ct.readyAt):
		return "IN_PROGRESS", ""
	}
	for _, id := range ct.children {
		if child := s.containers[id]; child != nil {
			st, msg := s.status(child, now)
			switch st {
			case "IN_PROGRESS":
				return st, ""
			case "ERROR", "EXPIRED":
				return "ERROR", msg
			}
		}
	}
	if ct.failStatus != "" {
		return ct.failStatus, ct.failMessage
	}
	return "FINISHED", ""
}

// createContainer serves POST /{user-id}/threads (Posts; Publishing reference), refusing the
// combinations Threads refuses: media_type decides which of text, image_url, video_url and
// children are required and which are not allowed.
func (s *Server) createContainer(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointCreate, createParams)
	defer done()
	if !ok {
		return
	}
	scopes := []string{"threads_basic", "threads_content_publish"}
	if c.get("reply_to_id") != "" {
		// Replies, "Permissions": threads_manage_replies for POST calls that reply.
		scopes = append(scopes, "threads_manage_replies")
	}
	if !c.auth(scopes...) {
		return
	}
	if !s.isUser(r.PathValue("id")) {
		s.violate("%s: the path names another user (%s)", c.endpoint, r.PathValue("id"))
		noObject(w, r.PathValue("id"))
		return
	}
	for name := range c.p {
		if unsimulatedCreate[name] {
			s.violate("%s: threadstest does not simulate %q", c.endpoint, name)
			graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) threadstest does not simulate "+name)
			return
		}
	}
	refuse := func(msg string) {
		s.violate("%s: %s", c.endpoint, msg)
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", msg)
	}
	if !c.require("media_type") {
		return
	}
	mt := c.get("media_type")
	text, imageURL, videoURL, children := c.get("text"), c.get("image_url"), c.get("video_url"), c.get("children")
	item := false
	switch c.get("is_carousel_item") {
	case "", "false":
	case "true":
		item = true
	default:
		refuse("(#100) Param is_carousel_item must be a boolean")
		return
	}
	forbid := func(names ...string) bool {
		for _, n := range names {
			if c.get(n) != "" {
				refuse(fmt.Sprintf("(#100) Param %s is not allowed for media_type %s", n, mt))
				return false
			}
		}
		return true
	}
	switch mt {
	case "TEXT":
		if strings.TrimSpace(text) == "" {
			refuse("(#100) The parameter text is required for media_type TEXT")
			return
		}
		if !forbid("image_url", "video_url", "children", "alt_text") {
			return
		}
		if item {
			refuse("(#100) A carousel item must be an IMAGE or a VIDEO")
			return
		}
	case "IMAGE":
		if imageURL == "" {
			refuse("(#100) The parameter image_url is required for media_type IMAGE")
			return
		}
		if !isHTTPURL(imageURL) {
			refuse("(#100) Param image_url must be a valid URL")
			return
		}
		if !forbid("video_url", "children") {
			return
		}
	case "VIDEO":
		if videoURL == "" {
			refuse("(#100) The parameter video_url is required for media_type VIDEO")
			return
		}
		if !isHTTPURL(videoURL) {
			refuse("(#100) Param video_url must be a valid URL")
			return
		}
		if !forbid("image_url", "children") {
			return
		}
	case "CAROUSEL":
		if children == "" {
			refuse("(#100) The parameter children is required for media_type CAROUSEL")
			return
		}
		if item {
			refuse("(#100) A carousel cannot be a carousel item")
			return
		}
		if !forbid("image_url", "video_url", "alt_text") {
			return
		}
	default:
		refuse("(#100) Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}")
		return
	}
	if item && c.get("reply_to_id") != "" {
		refuse("(#100) reply_to_id belongs on the carousel container, not on its items")
		return
	}
	if n := textLength(text); n > MaxText {
		// Meta's wording as integrators quote it ("text must be at most 500 characters"). Not a
		// violation: content that is too long is the person's, not the client's.
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", fmt.Sprintf("(#100) Param text must be at most %d characters long.", MaxText))
		return
	}
	if n := len([]rune(c.get("alt_text"))); n > 1000 {
		refuse("(#100) Param alt_text must be at most 1000 characters long")
		return
	}
	s.mu.Lock()
	now := s.now()
	var kids []string
	if mt == "CAROUSEL" {
		kids = splitList(children)
		problem := ""
		if len(kids) < MinChildren || len(kids) > MaxChildren {
			problem = fmt.Sprintf("(#100) A carousel has %d to %d children, not %d", MinChildren, MaxChildren, len(kids))
		}
		for _, k := range kids {
			if ct := s.containers[k]; ct == nil || !ct.carouselItem {
				problem = "(#100) Param children must list carousel item containers (" + k + " is not one)"
			}
		}
		if problem != "" {
			s.mu.Unlock()
			refuse(problem)
			return
		}
	}
	if reply := c.get("reply_to_id"); reply != "" && s.posts[reply] == nil {
		s.mu.Unlock()
		refuse("(#100) Param reply_to_id is not a post of this account")
		return
	}
	ct := &container{id: s.newID(), mediaType: mt, text: text, imageURL: imageURL, videoURL: videoURL,
		altText: c.get("alt_text"), replyTo: c.get("reply_to_id"), carouselItem: item, children: kids,
		created: now, readyAt: now.Add(s.processing[mt])}
	for _, f := range s.failures {
		if f.left > 0 && (f.MediaType == "" || strings.EqualFold(f.MediaType, mt)) {
			f.left--
			ct.failStatus, ct.failMessage = f.Status, f.ErrorMessage
			break
		}
	}
	s.containers[ct.id] = ct
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"id": ct.id})
}

// usage counts the API-published posts (or replies) within the window. Callers hold mu.
func (s *Server) usage(now time.Time, replies bool) int {
	n := 0
	for _, p := range s.posts {
		if p.API && (p.ReplyTo != "") == replies && now.Sub(p.Timestamp) < s.window && !p.Timestamp.After(now) {
			n++
		}
	}
	return n
}

// publish serves POST /{user-id}/threads_publish (Posts, step 2): a FINISHED container becomes a
// post, within the account's quota (Overview: "enforced on the threads_publish endpoint").
func (s *Server) publish(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointPublish, publishParams)
	defer done()
	if !ok || !c.auth("threads_basic", "threads_content_publish") || !c.require("creation_id") {
		return
	}
	if !s.isUser(r.PathValue("id")) {
		s.violate("%s: the path names another user (%s)", c.endpoint, r.PathValue("id"))
		noObject(w, r.PathValue("id"))
		return
	}
	id := c.get("creation_id")
	s.mu.Lock()
	now := s.now()
	ct := s.containers[id]
	problem, code, subcode := "", 100, 0
	if ct != nil {
		switch st, _ := s.status(ct, now); {
		case ct.carouselItem:
			problem = "(#100) A carousel item cannot be published on its own"
		case st == "IN_PROGRESS":
			// As integrators report it (postiz-app pull request 2047); Meta does not list it.
			problem, code, subcode = "The requested resource does not exist", 24, 4279009
		case st == "PUBLISHED":
			problem = "(#100) The media container has already been published"
		case st == "ERROR" || st == "EXPIRED":
			problem = "(#100) The media container is " + st + " and cannot be published"
		case ct.replyTo != "" && s.posts[ct.replyTo] == nil:
			problem, subcode = "(#100) The post replied to no longer exists", 33
		}
	}
	if ct == nil || problem != "" {
		s.mu.Unlock()
		if ct == nil {
			s.violate("%s: creation_id %q is not a container of this account", c.endpoint, id)
			noObject(w, id)
			return
		}
		s.violate("%s: %s (container %s)", c.endpoint, problem, id)
		graphError(w, http.StatusBadRequest, code, subcode, "OAuthException", problem)
		return
	}
	isReply := ct.replyTo != ""
	limit := s.quota[0]
	if isReply {
		limit = s.quota[1]
	}
	if s.usage(now, isReply) >= limit {
		s.mu.Unlock()
		writeFault(w, Fault{Status: http.StatusBadRequest, Code: 4, Type: "OAuthException", Message: "(#4) Application request limit reached",
			UserMessage: fmt.Sprintf("The account has published %d posts through the API in the last 24 hours, the most allowed.", limit)})
		return
	}
	p := &Post{ID: s.newID(), Text: ct.text, ImageURL: ct.imageURL, VideoURL: ct.videoURL, AltText: ct.altText,
		ReplyTo: ct.replyTo, Timestamp: now.UTC(), API: true}
	switch ct.mediaType {
	case "TEXT":
		p.MediaType = "TEXT_POST"
	case "CAROUSEL":
		p.MediaType = "CAROUSEL_ALBUM"
		for _, k := range ct.children {
			child := s.containers[k]
			p.Children = append(p.Children, child.imageURL+child.videoURL)
		}
	default:
		p.MediaType = ct.mediaType
	}
	p.Root = p.ID
	if parent := s.posts[ct.replyTo]; parent != nil {
		p.Root = parent.Root
	}
	p.Shortcode = shortcode(p.ID)
	s.posts[p.ID] = p
	ct.publishedAs = p.ID
	s.createdByText[p.Text]++
	s.mu.Unlock()

	switch {
	case c.fault != nil && c.fault.AcceptThenHang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	case c.fault != nil && c.fault.AcceptThenError:
		writeFault(w, *c.fault)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": p.ID})
}

// publishingLimit serves GET /{user-id}/threads_publishing_limit (Overview, "Posts"; Replies,
// "Rate limits": the reply fields also need threads_manage_replies).
func (s *Server) publishingLimit(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointLimit, nodeParams)
	defer done()
	if !ok {
		return
	}
	fs := splitList(c.get("fields"))
	scopes := []string{"threads_basic", "threads_content_publish"}
	if slices.Contains(fs, "reply_quota_usage") || slices.Contains(fs, "reply_config") {
		scopes = append(scopes, "threads_manage_replies")
	}
	if !c.auth(scopes...) {
		return
	}
	if !s.isUser(r.PathValue("id")) {
		s.violate("%s: the path names another user (%s)", c.endpoint, r.PathValue("id"))
		noObject(w, r.PathValue("id"))
		return
	}
	fs, ok = c.fields(limitFields, "ThreadsPublishingLimit", "quota_usage")
	if !ok {
		return
	}
	s.mu.Lock()
	now := s.now()
	entry := map[string]any{}
	window := int64(s.window / time.Second)
	for _, f := range fs {
		switch f {
		case "quota_usage":
			entry[f] = s.usage(now, false)
		case "config":
			entry[f] = map[string]int64{"quota_total": int64(s.quota[0]), "quota_duration": window}
		case "reply_quota_usage":
			entry[f] = s.usage(now, true)
		case "reply_config":
			entry[f] = map[string]int64{"quota_total": int64(s.quota[1]), "quota_duration": window}
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": []any{entry}})
}

// page renders one page of posts with Graph's paging: cursors, and next when more follow.
func (s *Server) page(r *http.Request, posts []*Post, fields []string, limit int, before, after string) map[string]any {
	start, end := 0, len(posts)
	if after != "" {
		for i, p := range posts {
			if p.ID == after {
				start = i + 1
			}
		}
	}
	if before != "" {
		for i, p := range posts {
			if p.ID == before {
				end = i
				start = max(0, end-limit)
			}
		}
	}
	stop := min(start+limit, end)
	data := make([]any, 0, stop-start)
	for _, p := range posts[start:stop] {
		data = append(data, s.mediaJSON(p, fields))
	}
	out := map[string]any{"data": data}
	if stop > start {
		paging := map[string]any{"cursors": map[string]string{"before": cursor(posts[start].ID), "after": cursor(posts[stop-1].ID)}}
		if stop < len(posts) {
			q := url.Values{}
			for k, v := range r.Form {
				if k != "access_token" && k != "before" && k != "after" {
					q[k] = v
				}
			}
			q.Set("after", cursor(posts[stop-1].ID))
			paging["next"] = s.URL + r.URL.Path + "?" + q.Encode()
		}
		out["paging"] = paging
	}
	return out
}

// listThreads serves GET /{user-id}/threads (User reference): the account's top-level posts,
// newest first, within since and until, limit per page (25 by default, at most 100).
func (s *Server) listThreads(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointList, listParams)
	defer done()
	if !ok || !c.auth("threads_basic") {
		return
	}
	if !s.isUser(r.PathValue("id")) {
		// "You may only fetch a paginated list of all threads created by the app-scoped user."
		s.violate("%s: the path names another user (%s)", c.endpoint, r.PathValue("id"))
		noObject(w, r.PathValue("id"))
		return
	}
	fs, ok := c.fields(mediaFields, "ThreadsMedia", "id")
	if !ok {
		return
	}
	refuse := func(msg string) {
		s.violate("%s: %s", c.endpoint, msg)
		graphError(w, http.StatusBadRequest, 100, 0, "OAuthException", msg)
	}
	now := s.clock()
	limit := 25
	if v := c.get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100 {
			refuse("(#100) Param limit must be a number from 0 to 100")
			return
		}
		limit = n
	}
	var since, until time.Time
	if v := c.get("since"); v != "" {
		t, ok := parseTimeParam(v)
		if !ok || t.Unix() < 1688540400 {
			refuse("(#100) Param since must be a Unix timestamp or date not before 1688540400")
			return
		}
		since = t
	}
	until = now
	if v := c.get("until"); v != "" {
		t, ok := parseTimeParam(v)
		if !ok || t.After(now) {
			refuse("(#100) Param until must be a Unix timestamp or date not after now")
			return
		}
		until = t
	}
	if !since.IsZero() && !since.Before(until) {
		refuse("(#100) Param since must be before until")
		return
	}
	before, after := c.get("before"), c.get("after")
	if before != "" && after != "" {
		refuse("(#100) before and after cannot be passed at the same time")
		return
	}
	var beforeID, afterID string
	for _, cur := range []struct {
		v  string
		to *string
	}{{before, &beforeID}, {after, &afterID}} {
		if cur.v != "" {
			id, ok := fromCursor(cur.v)
			if !ok {
				refuse("(#100) Invalid cursor")
				return
			}
			*cur.to = id
		}
	}
	s.mu.Lock()
	var posts []*Post
	for _, p := range s.sortedPosts() {
		if p.ReplyTo == "" && !p.Timestamp.Before(since) && !p.Timestamp.After(until) {
			posts = append(posts, p)
		}
	}
	out := s.page(r, posts, fs, limit, beforeID, afterID)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// replies serves GET /{media-id}/replies (Reply management reference): a post's top-level
// replies, newest first unless reverse=false.
func (s *Server) replies(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointReplies, replyParams)
	defer done()
	if !ok || !c.auth("threads_basic", "threads_read_replies") {
		return
	}
	fs, ok := c.fields(mediaFields, "ThreadsMedia", "id")
	if !ok {
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.posts[id] == nil {
		noObject(w, id)
		return
	}
	var posts []*Post
	for _, p := range s.sortedPosts() {
		if p.ReplyTo == id {
			posts = append(posts, p)
		}
	}
	if c.get("reverse") == "false" {
		slices.Reverse(posts)
	}
	writeJSON(w, http.StatusOK, s.page(r, posts, fs, 25, "", ""))
}

// insights serves GET /{media-id}/insights (Insights, "Media Insights").
func (s *Server) insights(w http.ResponseWriter, r *http.Request) {
	c, done, ok := s.begin(w, r, EndpointInsights, insightParams)
	defer done()
	if !ok || !c.auth("threads_basic", "threads_manage_insights") || !c.require("metric") {
		return
	}
	metrics := splitList(c.get("metric"))
	for i, m := range metrics {
		if !slices.Contains(mediaMetrics, m) {
			s.violate("%s: %q is not a media metric", c.endpoint, m)
			graphError(w, http.StatusBadRequest, 100, 0, "OAuthException",
				fmt.Sprintf("(#100) metric[%d] must be one of the following values: %s", i, strings.Join(mediaMetrics, ", ")))
			return
		}
	}
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.posts[id]
	if p == nil {
		noObject(w, id)
		return
	}
	data := make([]any, 0, len(metrics))
	for _, m := range metrics {
		var v int64
		switch m {
		case "views":
			v = p.Insights.Views
		case "likes":
			v = p.Insights.Likes
		case "replies":
			v = p.Insights.Replies + s.replyCount(p)
		case "reposts":
			v = p.Insights.Reposts
		case "quotes":
			v = p.Insights.Quotes
		case "shares":
			v = p.Insights.Shares
		}
		data = append(data, map[string]any{
			"name": m, "period": "lifetime", "values": []map[string]int64{{"value": v}},
			"title": strings.ToUpper(m[:1]) + m[1:], "description": "The number of " + m + " of the post.",
			"id": id + "/insights/" + m + "/lifetime",
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

// unknownPath answers a path the fake does not serve as Graph does.
func (s *Server) unknownPath(w http.ResponseWriter, r *http.Request) {
	s.violate("%s %s is not a Threads endpoint the fake knows", r.Method, r.URL.Path)
	graphError(w, http.StatusBadRequest, 2500, 0, "OAuthException", "Unknown path components: "+r.URL.Path)
}
