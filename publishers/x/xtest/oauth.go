package xtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// knownScopes are X's OAuth 2.0 scopes (docs.x.com, "OAuth 2.0 Authorization Code Flow with
// PKCE": the scopes table; media.write for the v2 media upload).
var knownScopes = map[string]bool{}

func init() {
	for _, s := range strings.Fields(`tweet.read tweet.write tweet.moderate.write users.read users.email
		follows.read follows.write offline.access space.read mute.read mute.write like.read like.write
		list.read list.write block.read block.write bookmark.read bookmark.write dm.read dm.write media.write`) {
		knownScopes[s] = true
	}
}

// authorizeEndpoint serves GET /i/oauth2/authorize as a person who approves at once (or
// declines, with SetDenyConsent), redirecting to the client's callback with the code and the
// state. Requests X shows an error page for (an unknown client, a callback URL the app did not
// register, no state) get a 400 page instead of a redirect.
func (s *Server) authorizeEndpoint(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for name := range q {
		switch name {
		case "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method":
		default:
			s.errorf("GET /i/oauth2/authorize: parameter %q is not one X documents", name)
		}
	}
	page := func(msg string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "<html><body><p>Something went wrong. You weren't able to give access to the App. %s</p></body></html>", msg)
	}
	s.mu.Lock()
	c := s.clients[q.Get("client_id")]
	deny := s.denyConsent
	now := s.now()
	s.mu.Unlock()
	redirect := q.Get("redirect_uri")
	switch {
	case c == nil:
		page("Unknown client_id.")
		return
	case !slices.Contains(c.redirects, redirect):
		page("The redirect_uri does not match the app's callback URL.")
		return
	case q.Get("state") == "":
		page("The state parameter is required.")
		return
	}
	back := func(v url.Values) {
		v.Set("state", q.Get("state"))
		u, _ := url.Parse(redirect)
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) {
		back(url.Values{"error": {code}, "error_description": {desc}})
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "response_type must be code")
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		fail("invalid_scope", "scope is required")
		return
	}
	for _, sc := range scopes {
		if !knownScopes[sc] {
			fail("invalid_scope", "unknown scope "+sc)
			return
		}
	}
	method := q.Get("code_challenge_method")
	if q.Get("code_challenge") == "" || (method != "S256" && method != "plain") {
		fail("invalid_request", "code_challenge and code_challenge_method (S256 or plain) are required")
		return
	}
	if deny {
		fail("access_denied", "The user denied the request")
		return
	}
	code := randomString()
	s.mu.Lock()
	s.grants[code] = &grant{clientID: c.id, redirect: redirect, challenge: q.Get("code_challenge"), method: method, scopes: scopes, issued: now}
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

// Authorize plays the person at an authorization URL a client built: it requests it from the
// fake and returns the redirect URL (the callback with code and state, or with an error). It
// fails when the fake shows an error page instead of redirecting.
func (s *Server) Authorize(authURL string) (string, error) {
	loc, status, _, err := s.Visit(authURL)
	if err != nil {
		return "", fmt.Errorf("xtest: %w", err)
	}
	if status != http.StatusFound {
		return "", fmt.Errorf("xtest: the authorization page answered %d", status)
	}
	return loc, nil
}

// oauthError writes an RFC 6749 error, as X's token endpoint does.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// tokenEndpoint serves POST /2/oauth2/token (application/x-www-form-urlencoded): the
// authorization_code grant (code single-use and valid for 30 seconds, redirect URI and PKCE
// verifier checked) and the refresh_token grant, which rotates the refresh token: the one used
// is void from then on. A confidential client must authenticate with HTTP Basic; a public client
// sends its client_id in the body.
func (s *Server) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		s.errorf("POST /2/oauth2/token: content type %q, X takes application/x-www-form-urlencoded", mt)
		oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter [grant_type].")
		return
	}
	form, err := url.ParseQuery(string(readBody(r)))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}
	allowed := map[string][]string{
		"authorization_code": {"grant_type", "code", "redirect_uri", "code_verifier", "client_id"},
		"refresh_token":      {"grant_type", "refresh_token", "client_id"},
	}
	grantType := form.Get("grant_type")
	names, ok := allowed[grantType]
	if !ok {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "The grant type is not supported.")
		return
	}
	for name := range form {
		if !slices.Contains(names, name) {
			s.errorf("POST /2/oauth2/token: parameter %q is not one X documents for the %s grant", name, grantType)
		}
	}
	// Client authentication. RFC 6749 §2.3.1 form-encodes the id and secret inside Basic.
	clientID, secret, basic := r.BasicAuth()
	if basic {
		clientID, _ = url.QueryUnescape(clientID)
		secret, _ = url.QueryUnescape(secret)
	} else {
		clientID = form.Get("client_id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	auth := "body"
	if basic {
		auth = "basic"
	}
	s.grantsSeen = append(s.grantsSeen, TokenGrant{GrantType: grantType, ClientAuth: auth, HasVerifier: form.Get("code_verifier") != ""})
	c := s.clients[clientID]
	switch {
	case !basic && clientID == "":
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Missing valid authorization header")
		return
	case c == nil:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	case c.secret != "" && !basic:
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Missing valid authorization header")
		return
	case c.secret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) != 1:
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Missing valid authorization header")
		return
	}
	var scopes []string
	switch grantType {
	case "authorization_code":
		const bad = "Value passed for the authorization code was invalid."
		g := s.grants[form.Get("code")]
		if g == nil || g.used || g.clientID != clientID || s.now().Sub(g.issued) > CodeTTL || form.Get("redirect_uri") != g.redirect {
			oauthError(w, http.StatusBadRequest, "invalid_grant", bad)
			return
		}
		// A code is used once, whether or not the exchange succeeds.
		g.used = true
		if !verifierMatches(form.Get("code_verifier"), g.challenge, g.method) {
			oauthError(w, http.StatusBadRequest, "invalid_grant", bad)
			return
		}
		scopes = g.scopes
	case "refresh_token":
		old := s.refresh[form.Get("refresh_token")]
		if old == nil || old.revoked || old.clientID != clientID {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Value passed for the token was invalid.")
			return
		}
		delete(s.refresh, old.refresh)
		scopes = old.scopes
	}
	tok := s.issue(clientID, scopes)
	body := map[string]any{
		"token_type":   "bearer",
		"expires_in":   int(DefaultTokenTTL.Seconds()),
		"access_token": tok.access,
		"scope":        strings.Join(scopes, " "),
	}
	if tok.refresh != "" {
		body["refresh_token"] = tok.refresh
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

// verifierMatches checks a PKCE code verifier against the challenge (RFC 7636).
func verifierMatches(verifier, challenge, method string) bool {
	if verifier == "" {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// decodeJSON decodes a JSON body into a map, for the documented endpoints' checks.
func decodeJSON(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}
