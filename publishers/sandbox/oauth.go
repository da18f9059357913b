package sandbox

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// This file holds both sides of the sandbox's OAuth 2.0: the authorization server a real
// network would run (consent page, token endpoint, /api/me), and Herald's client side of it
// (BeginOAuth, CompleteOAuth, Refresh), which talks to the server over HTTP through
// Options.HTTPClient exactly as a real publisher talks to its network.

// scopes are what Herald asks the sandbox for.
var scopes = []string{"posts.write", "posts.read"}

// oauthConfig is Herald's client configuration for the sandbox.
func (n *Network) oauthConfig(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: ClientID,
		Endpoint: oauth2.Endpoint{
			AuthURL:  n.base + "/sandbox/oauth/authorize",
			TokenURL: n.base + "/sandbox/oauth/token",
			// A public client: send client_id in the form, never an empty Basic password.
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirectURL,
		Scopes:      scopes,
	}
}

// BeginOAuth returns the sandbox's consent page URL, with Herald's state and the S256 PKCE
// challenge of in.Verifier. The sandbox needs nothing kept until the callback.
func (n *Network) BeginOAuth(_ context.Context, in publishers.OAuthStart) (string, map[string]string, error) {
	switch {
	case in.RedirectURL == "":
		return "", nil, publishers.Errorf(Name, publishers.KindPermanent, 0, "no redirect URL to come back to")
	case in.State == "" || in.Verifier == "":
		return "", nil, publishers.Errorf(Name, publishers.KindPermanent, 0, "an OAuth state and PKCE verifier are required")
	}
	return publishers.AuthCodeURL(n.oauthConfig(in.RedirectURL), in), nil, nil
}

// CompleteOAuth exchanges code, with the PKCE verifier, at the sandbox's token endpoint and
// reads the account the person chose on the consent page.
func (n *Network) CompleteOAuth(ctx context.Context, in publishers.OAuthStart, _ map[string]string, code string) (*publishers.Credentials, publishers.Account, error) {
	if code == "" {
		return nil, publishers.Account{}, publishers.Errorf(Name, publishers.KindPermanent, 0, "the sandbox sent no authorization code")
	}
	issued := n.clock()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, n.client)
	tok, err := n.oauthConfig(in.RedirectURL).Exchange(ctx, code, oauth2.VerifierOption(in.Verifier))
	if err != nil {
		return nil, publishers.Account{}, tokenError(err, publishers.KindPermanent, "exchanging the authorization code")
	}
	acct, err := n.fetchAccount(ctx, tok.AccessToken)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	creds := &publishers.Credentials{
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		Expiry:       expiryOf(tok, issued),
		Extra:        map[string]string{"account_id": acct.ExternalID, "handle": strings.TrimPrefix(acct.Handle, "@")},
	}
	return creds, acct, nil
}

// Refresh renews the access token when it expires within five minutes, at the token endpoint
// with the refresh token (which rotates: save the new credentials). Credentials without a
// refresh token (DemoCredentials) never expire and are returned unchanged.
func (n *Network) Refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	if creds == nil || creds.AccessToken == "" {
		return nil, false, authError("no_token", "Sandbox got no access token; connect the account again.")
	}
	if creds.RefreshToken == "" || creds.Expiry.IsZero() || creds.Expiry.After(n.clock().Add(refreshWindow)) {
		return creds, false, nil
	}
	out, err := n.refresh(ctx, creds)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// refresh uses creds' refresh token unconditionally.
func (n *Network) refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, error) {
	issued := n.clock()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, n.client)
	tok, err := n.oauthConfig("").TokenSource(ctx, &oauth2.Token{RefreshToken: creds.RefreshToken}).Token()
	if err != nil {
		return nil, tokenError(err, publishers.KindAuthExpired, "refreshing the access token")
	}
	out := &publishers.Credentials{
		AccessToken:  tok.AccessToken,
		RefreshToken: creds.RefreshToken,
		Expiry:       expiryOf(tok, issued),
		Extra:        maps.Clone(creds.Extra),
	}
	if tok.RefreshToken != "" {
		out.RefreshToken = tok.RefreshToken
	}
	return out, nil
}

// expiryOf computes a token's expiry from expires_in on the sandbox's clock (the oauth2 package
// uses the wall clock, which tests replace), counted from before the request was sent.
func expiryOf(tok *oauth2.Token, issued time.Time) time.Time {
	if tok.ExpiresIn <= 0 {
		return time.Time{}
	}
	return issued.Add(time.Duration(tok.ExpiresIn) * time.Second)
}

// tokenError classifies a failure at the token endpoint. invalidGrant is the kind of a refused
// code or refresh token: permanent while connecting (start again), auth-expired while
// refreshing (reconnect the account).
func tokenError(err error, invalidGrant publishers.Kind, doing string) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "could not reach the sandbox while " + doing, Err: err}
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	e := &publishers.Error{Network: Name, Status: status, Code: re.ErrorCode, Err: err, Kind: publishers.KindPermanent}
	switch {
	case re.ErrorCode == "invalid_grant":
		e.Kind = invalidGrant
	case status == http.StatusTooManyRequests || status >= 500:
		e.Kind = publishers.KindRetryable
	}
	desc := re.ErrorDescription
	if desc == "" {
		desc = re.ErrorCode
	}
	e.Message = fmt.Sprintf("Sandbox refused %s: %s", strings.TrimPrefix(doing, "exchanging "), desc)
	if invalidGrant == publishers.KindAuthExpired && e.Kind == publishers.KindAuthExpired {
		e.Message += ". Connect the account again."
	}
	return e
}

// meResponse is the body of GET /sandbox/api/me.
type meResponse struct {
	ID     string `json:"id"`
	Handle string `json:"handle"`
	Name   string `json:"name"`
	URL    string `json:"url"`
}

// fetchAccount reads the account of an access token, as a real network's "who am I" call.
func (n *Network) fetchAccount(ctx context.Context, accessToken string) (publishers.Account, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.base+"/sandbox/api/me", nil)
	if err != nil {
		return publishers.Account{}, err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := n.client.Do(req)
	if err != nil {
		return publishers.Account{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "could not reach the sandbox to read the account", Err: err}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return publishers.Account{}, authError("invalid_token", "Sandbox did not accept the new access token.")
	case resp.StatusCode != http.StatusOK:
		return publishers.Account{}, publishers.Errorf(Name, publishers.KindRetryable, resp.StatusCode, "Sandbox could not read the account")
	}
	var me meResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&me); err != nil {
		return publishers.Account{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "Sandbox sent an unreadable account", Err: err}
	}
	return publishers.Account{ExternalID: me.ID, Name: me.Name, Handle: "@" + me.Handle, URL: me.URL}, nil
}

// authError is a KindAuthExpired error as the sandbox's API reports it (HTTP 401).
func authError(code, msg string) *publishers.Error {
	return &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name, Status: http.StatusUnauthorized, Code: code, Message: msg}
}

// authenticateLocked resolves the access token of creds to its account.
func (n *Network) authenticateLocked(creds *publishers.Credentials) (*account, *publishers.Error) {
	if creds == nil || creds.AccessToken == "" {
		return nil, authError("no_token", "Sandbox got no access token; connect the account again.")
	}
	tok := creds.AccessToken
	if isStaticToken(tok) {
		if _, revoked := n.st.RevokedStatic[hashToken(tok)]; revoked {
			return nil, authError("token_revoked", "Sandbox revoked this access token; connect the account again.")
		}
		h, name := legacyHandle, creds.Get("name")
		if tok == legacyDemoToken {
			if x := creds.Get("handle"); x != "" {
				h = slugHandle(x)
			}
		} else {
			h = slugHandle(strings.TrimPrefix(tok, demoTokenPrefix))
		}
		if a := n.st.Accounts[h]; a != nil {
			return a, nil
		}
		if name == "" && h == legacyHandle {
			name = DefaultAccountName
		}
		return n.ensureAccountLocked(h, name), nil
	}
	t := n.st.Access[hashToken(tok)]
	switch {
	case t == nil:
		return nil, authError("invalid_token", "Sandbox does not recognise this access token (it was replaced, or the sandbox forgot it when Herald restarted); connect the account again.")
	case t.Revoked:
		return nil, authError("token_revoked", "Sandbox revoked this access token; connect the account again.")
	case !n.clock().Before(t.Expiry):
		return nil, authError("token_expired", "Sandbox says the access token has expired.")
	}
	return n.ensureAccountLocked(t.Handle, ""), nil
}

// The authorization server.

// authRequest is an authorization request, from the consent page's query or form.
type authRequest struct {
	ClientID, RedirectURI, ResponseType, State, Challenge, Method, Scope string
}

func authRequestFrom(v url.Values) authRequest {
	return authRequest{
		ClientID:     v.Get("client_id"),
		RedirectURI:  v.Get("redirect_uri"),
		ResponseType: v.Get("response_type"),
		State:        v.Get("state"),
		Challenge:    v.Get("code_challenge"),
		Method:       v.Get("code_challenge_method"),
		Scope:        v.Get("scope"),
	}
}

// validate checks an authorization request. fatal is set when the request cannot be answered by
// redirecting (unknown client or redirect URI: RFC 6749 §4.1.2.1 forbids redirecting then); code
// and desc describe an error to send back to the redirect URI.
func (n *Network) validate(ar authRequest) (fatal, code, desc string) {
	if ar.ClientID != ClientID {
		return fmt.Sprintf("Unknown client %q: the sandbox only knows Herald (%s).", ar.ClientID, ClientID), "", ""
	}
	if !n.allowedRedirect(ar.RedirectURI) {
		return "The redirect URI must be an absolute http(s) URL on " + n.origin + ", Herald's public URL.", "", ""
	}
	switch {
	case ar.ResponseType != "code":
		return "", "unsupported_response_type", "only response_type=code is supported"
	case ar.Method != "S256":
		return "", "invalid_request", "PKCE is required, with code_challenge_method=S256"
	case !validChallenge(ar.Challenge):
		return "", "invalid_request", "code_challenge must be 43 base64url characters (S256)"
	}
	return "", "", ""
}

// allowedRedirect accepts redirect URIs on Herald's own origin, so the consent page can never
// be used to send a code, or a person, anywhere else.
func (n *Network) allowedRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Fragment != "" || u.User != nil || u.Host == "" {
		return false
	}
	return originOf(u) == n.origin
}

// validChallenge: an S256 challenge is the base64url (unpadded) SHA-256 of the verifier.
func validChallenge(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// validVerifier: RFC 7636 §4.1, 43 to 128 unreserved characters.
func validVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// redirectWith returns the redirect URI with params added to its query.
func redirectWith(redirectURI string, params url.Values) string {
	u, _ := url.Parse(redirectURI) // validated by allowedRedirect
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// serveAuthorize shows the consent page (GET /sandbox/oauth/authorize).
func (n *Network) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	ar := authRequestFrom(r.URL.Query())
	fatal, code, desc := n.validate(ar)
	if fatal != "" {
		n.renderError(w, http.StatusBadRequest, "This connection request is not valid", fatal)
		return
	}
	if code != "" {
		http.Redirect(w, r, redirectWith(ar.RedirectURI, url.Values{"error": {code}, "error_description": {desc}, "state": {ar.State}}), http.StatusFound)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	n.render(w, http.StatusOK, consentPage, consentData{
		Title:       "Connect to the Sandbox",
		Request:     ar,
		AccountName: DefaultAccountName,
		RedirectTo:  originOf(mustParse(ar.RedirectURI)),
	})
}

// serveAuthorizeDecision handles Allow and Deny (POST /sandbox/oauth/authorize).
func (n *Network) serveAuthorizeDecision(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		n.renderError(w, http.StatusBadRequest, "This form could not be read", err.Error())
		return
	}
	if !n.sameOrigin(r) {
		n.renderForbidden(w)
		return
	}
	ar := authRequestFrom(r.PostForm)
	fatal, code, desc := n.validate(ar)
	if fatal != "" {
		n.renderError(w, http.StatusBadRequest, "This connection request is not valid", fatal)
		return
	}
	if code != "" {
		http.Redirect(w, r, redirectWith(ar.RedirectURI, url.Values{"error": {code}, "error_description": {desc}, "state": {ar.State}}), http.StatusSeeOther)
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		http.Redirect(w, r, redirectWith(ar.RedirectURI, url.Values{"error": {"access_denied"}, "error_description": {"the person denied access"}, "state": {ar.State}}), http.StatusSeeOther)
		return
	}
	name := cleanName(r.PostForm.Get("account_name"))
	c := randomToken("sbx_code_")
	n.mu.Lock()
	n.pruneLocked(n.clock())
	a := n.ensureAccountLocked(slugHandle(name), name)
	n.codes[hashToken(c)] = &authCode{Handle: a.Handle, RedirectURI: ar.RedirectURI, Challenge: ar.Challenge, Expiry: n.clock().Add(codeLifetime)}
	n.mu.Unlock()
	n.save()
	http.Redirect(w, r, redirectWith(ar.RedirectURI, url.Values{"code": {c}, "state": {ar.State}}), http.StatusSeeOther)
}

// cleanName makes the name typed on the consent page fit to show: no control characters, at
// most 80 characters, DefaultAccountName when empty.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 80 {
		s = string([]rune(s)[:80])
	}
	if s == "" {
		return DefaultAccountName
	}
	return s
}

// tokenResponse is the token endpoint's success body (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// serveToken is the token endpoint (POST /sandbox/oauth/token).
func (n *Network) serveToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the request body must be a form")
		return
	}
	form := r.PostForm
	clientID := form.Get("client_id")
	if u, _, ok := r.BasicAuth(); ok {
		clientID, _ = url.QueryUnescape(u)
	}
	if clientID != ClientID {
		w.Header().Set("WWW-Authenticate", `Basic realm="sandbox"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return
	}
	var handle string
	switch form.Get("grant_type") {
	case "authorization_code":
		h, desc := n.redeemCode(form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier"))
		if desc != "" {
			oauthError(w, http.StatusBadRequest, "invalid_grant", desc)
			return
		}
		handle = h
	case "refresh_token":
		h, desc := n.redeemRefresh(form.Get("refresh_token"))
		if desc != "" {
			oauthError(w, http.StatusBadRequest, "invalid_grant", desc)
			return
		}
		handle = h
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "use authorization_code or refresh_token")
		return
	}
	n.mu.Lock()
	access, refresh, _ := n.issueTokensLocked(handle)
	n.mu.Unlock()
	n.save()
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(AccessTokenLifetime / time.Second),
		RefreshToken: refresh, Scope: strings.Join(scopes, " "),
	})
}

// redeemCode checks an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6) and uses it up,
// whether the check passes or not, so a code can be tried only once.
func (n *Network) redeemCode(code, redirectURI, verifier string) (handle, problem string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	key := hashToken(code)
	c := n.codes[key]
	delete(n.codes, key)
	switch {
	case code == "" || c == nil:
		return "", "the authorization code is unknown or was already used"
	case !n.clock().Before(c.Expiry):
		return "", "the authorization code has expired"
	case redirectURI != c.RedirectURI:
		return "", "redirect_uri does not match the authorization request"
	case !validVerifier(verifier):
		return "", "code_verifier is missing or malformed (PKCE)"
	case subtle.ConstantTimeCompare([]byte(s256(verifier)), []byte(c.Challenge)) != 1:
		return "", "code_verifier does not match the code_challenge (PKCE)"
	}
	return c.Handle, ""
}

// redeemRefresh checks a refresh token and rotates it: it stays usable for refreshGrace, then
// only the new one works.
func (n *Network) redeemRefresh(tok string) (handle, problem string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.clock()
	t := n.st.Refresh[hashToken(tok)]
	switch {
	case tok == "" || t == nil:
		return "", "the refresh token is unknown"
	case t.Revoked:
		return "", "the refresh token was revoked"
	case !t.RotatedAt.IsZero() && now.Sub(t.RotatedAt) > refreshGrace:
		return "", "the refresh token was already used"
	}
	if t.RotatedAt.IsZero() {
		t.RotatedAt = now
	}
	return t.Handle, ""
}

// serveMe answers GET /sandbox/api/me with the bearer token's account.
func (n *Network) serveMe(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	n.mu.Lock()
	a, perr := n.authenticateLocked(&publishers.Credentials{AccessToken: strings.TrimSpace(tok)})
	var me meResponse
	if ok && perr == nil {
		me = meResponse{ID: accountID(a.Handle), Handle: a.Handle, Name: a.Name, URL: n.accountURL(a.Handle)}
	}
	n.mu.Unlock()
	if !ok || perr != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "the access token is missing, expired or revoked")
		return
	}
	writeJSON(w, http.StatusOK, me)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func mustParse(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		return &url.URL{}
	}
	return u
}
