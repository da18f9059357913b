package metagraphtest

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// knownPermissions are the Facebook Login permissions the dialog accepts.
var knownPermissions = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`public_profile email pages_show_list pages_manage_posts pages_read_engagement
		pages_read_user_content pages_manage_engagement pages_manage_metadata read_insights business_management
		instagram_basic instagram_content_publish instagram_manage_insights instagram_manage_comments
		instagram_manage_messages publish_video`) {
		knownPermissions[p] = true
	}
}

// dialogError answers the way the Login dialog refuses a malformed request: a page for the
// person, not a redirect.
func dialogError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "<html><body><h1>Sorry, something went wrong.</h1><p>%s</p></body></html>", msg)
}

// dialog serves GET /{version}/dialog/oauth as a person who approves at once (or cancels, with
// SetDenyConsent, or switches permissions off, with SetDeclinedPermissions). Herald's fake
// requires what Herald always sends: a state and an S256 PKCE challenge.
func (s *Server) dialog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	app := s.app
	registered := s.redirects[q.Get("redirect_uri")]
	deny := s.denyConsent
	declined := s.declined
	now := s.now()
	s.mu.Unlock()
	if q.Get("client_id") != app.ClientID {
		dialogError(w, "Invalid App ID: The provided app ID does not look like a valid app ID.")
		return
	}
	redirect := q.Get("redirect_uri")
	u, err := url.Parse(redirect)
	if err != nil || u.Scheme == "" || u.Host == "" {
		dialogError(w, "Invalid redirect_uri: the redirect URI is not an absolute URL.")
		return
	}
	if !registered {
		dialogError(w, "URL blocked: This redirect failed because the redirect URI is not whitelisted in the app's Client OAuth Settings.")
		return
	}
	if rt := q.Get("response_type"); rt != "" && rt != "code" {
		dialogError(w, "Herald's fake serves only response_type=code.")
		return
	}
	state := q.Get("state")
	if state == "" {
		dialogError(w, "Herald's fake requires a state parameter.")
		return
	}
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43 {
		dialogError(w, "Herald's fake requires PKCE: code_challenge with code_challenge_method=S256.")
		return
	}
	var scopes []string
	for _, sc := range strings.FieldsFunc(q.Get("scope"), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !knownPermissions[sc] {
			dialogError(w, "Invalid Scopes: "+sc+". This message is only shown to developers.")
			return
		}
		if !declined[sc] {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 && q.Get("config_id") == "" {
		dialogError(w, "Herald's fake requires the permissions to be asked for.")
		return
	}
	back := func(v url.Values) {
		v.Set("state", state)
		u.RawQuery = v.Encode()
		// Facebook appends #_=_ to the redirect of the Login dialog.
		http.Redirect(w, r, u.String()+"#_=_", http.StatusFound)
	}
	if deny {
		back(url.Values{"error": {"access_denied"}, "error_code": {"200"}, "error_description": {"Permissions error"}, "error_reason": {"user_denied"}})
		return
	}
	code := "AQ" + randomHex(32)
	s.mu.Lock()
	s.grants[code] = &grant{redirect: redirect, challenge: q.Get("code_challenge"), scopes: scopes, issued: now}
	s.mu.Unlock()
	back(url.Values{"code": {code}})
}

// Authorize plays the person at an authorization URL a client built and returns the redirect
// (Herald's callback with code and state, or with an error). It fails when the dialog refuses the
// URL outright.
func (s *Server) Authorize(authURL string) (string, error) {
	u, err := url.Parse(authURL)
	if err != nil {
		return "", err
	}
	if u.Scheme+"://"+u.Host != s.URL {
		return "", fmt.Errorf("metagraphtest: the authorization URL is not on this server (%s)", u.Host)
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(resp.Body)
		return "", fmt.Errorf("metagraphtest: the dialog answered %d: %s", resp.StatusCode, b)
	}
	return resp.Header.Get("Location"), nil
}

// accessToken serves /{version}/oauth/access_token: the authorization-code exchange (checking the
// app secret, the redirect URI, and the PKCE verifier against the S256 challenge) and
// grant_type=fb_exchange_token (a short-lived user token for a long-lived one).
func (s *Server) accessToken(w http.ResponseWriter, q *request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.get("client_id") != s.app.ClientID {
		s.writeErr(w, oauthErr(http.StatusBadRequest, 101, 0, "Error validating application. Invalid application ID."))
		return
	}
	if q.get("client_secret") != s.app.ClientSecret {
		s.writeErr(w, oauthErr(http.StatusBadRequest, 1, 0, "Error validating client secret."))
		return
	}
	now := s.now()
	if q.get("grant_type") == "fb_exchange_token" {
		short := s.tokens[q.get("fb_exchange_token")]
		switch {
		case short == nil || short.kind != "user":
			s.writeErr(w, oauthErr(http.StatusBadRequest, 190, 0, "Invalid OAuth access token - Cannot parse access token"))
			return
		case short.revoked || (!short.expires.IsZero() && now.After(short.expires)):
			s.writeErr(w, oauthErr(http.StatusBadRequest, 190, 463, "Error validating access token: Session has expired."))
			return
		}
		perms := make([]string, 0, len(short.scopes))
		for p := range short.scopes {
			perms = append(perms, p)
		}
		long := s.issueUser(true, perms)
		writeJSON(w, http.StatusOK, map[string]any{"access_token": long.value, "token_type": "bearer", "expires_in": int(longTokenTTL.Seconds())})
		return
	}
	if gt := q.get("grant_type"); gt != "" && gt != "authorization_code" {
		s.writeErr(w, invalid("(#100) Unsupported grant_type"))
		return
	}
	g := s.grants[q.get("code")]
	switch {
	case q.get("code") == "" || g == nil:
		s.writeErr(w, oauthErr(http.StatusBadRequest, 100, 36007, "Invalid verification code format."))
		return
	case g.used:
		s.writeErr(w, oauthErr(http.StatusBadRequest, 100, 36009, "This authorization code has been used."))
		return
	case now.Sub(g.issued) > codeTTL:
		s.writeErr(w, oauthErr(http.StatusBadRequest, 100, 36007, "This authorization code has expired."))
		return
	case q.get("redirect_uri") != g.redirect:
		s.writeErr(w, oauthErr(http.StatusBadRequest, 100, 36008, "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request"))
		return
	}
	sum := sha256.Sum256([]byte(q.get("code_verifier")))
	if q.get("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		s.writeErr(w, oauthErr(http.StatusBadRequest, 100, 0, "Invalid code verifier."))
		return
	}
	g.used = true
	tok := s.issueUser(false, g.scopes)
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok.value, "token_type": "bearer", "expires_in": int(shortTokenTTL.Seconds())})
}
