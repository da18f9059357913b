package linkedin

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// Keys of Credentials.Extra.
const (
	// ExtraAuthor is the URN posts are published as: urn:li:person:… for the member,
	// urn:li:organization:… for a page.
	ExtraAuthor = "author"
	// ExtraMember is the URN of the member who signed in (a page's channel keeps it: LinkedIn
	// checks the member's page role on every call).
	ExtraMember = "member"
	// ExtraScope is the space-separated list of scopes LinkedIn granted.
	ExtraScope = "scope"
	// ExtraRefreshExpiry is when the refresh token expires (RFC 3339), for apps LinkedIn gives
	// refresh tokens to.
	ExtraRefreshExpiry = "refresh_expiry"
)

// Paths of LinkedIn's OAuth 2.0 endpoints and of the OpenID Connect userinfo endpoint.
// https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
// https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
const (
	authorizePath = "/oauth/v2/authorization"
	tokenPath     = "/oauth/v2/accessToken"
	userinfoPath  = "/v2/userinfo"
)

// refreshMargin is how long before expiry Refresh renews a token that can be refreshed: the
// scheduler asks 15 minutes ahead.
const refreshMargin = 15 * time.Minute

// ErrAccessEnded is the message for a channel whose 60-day access ended without a refresh
// token: most LinkedIn apps get none, so a person must sign in again.
const ErrAccessEnded = "LinkedIn access ends every 60 days; reconnect the channel"

// setupError refuses to connect before the app is configured, with the setup help.
func setupError(redirectURL string) error {
	msg := SetupHelp
	if redirectURL != "" {
		msg = strings.ReplaceAll(msg, publishers.CallbackPlaceholder, redirectURL)
	}
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "not_configured", Message: msg}
}

func (c *Client) oauthConfig(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.opts.App.ClientID,
		ClientSecret: c.opts.App.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.opts.AuthURL + authorizePath,
			TokenURL:  c.opts.AuthURL + tokenPath,
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirectURL,
		Scopes:      strings.Fields(c.opts.Scopes),
	}
}

// BeginOAuth returns LinkedIn's authorization URL with the app's client id, the redirect URL,
// the scopes, in.State and the S256 challenge of in.Verifier (see Options.PKCE for why the
// challenge is harmless for apps without PKCE). Nothing needs keeping until the callback.
func (c *Client) BeginOAuth(_ context.Context, in publishers.OAuthStart) (string, map[string]string, error) {
	if !c.opts.App.Configured() {
		return "", nil, setupError(in.RedirectURL)
	}
	if in.RedirectURL == "" || in.State == "" || in.Verifier == "" {
		return "", nil, permanent("connecting needs a redirect URL, a state and a PKCE verifier")
	}
	return publishers.AuthCodeURL(c.oauthConfig(in.RedirectURL), in), map[string]string{}, nil
}

// CheckState compares the state Herald generated for a connection attempt with the one the
// callback carries, in constant time.
func CheckState(expected, got string) error {
	if expected == "" || subtle.ConstantTimeCompare([]byte(expected), []byte(got)) != 1 {
		return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "state_mismatch",
			Message: "the sign-in response does not belong to this connection attempt; start connecting again"}
	}
	return nil
}

// CallbackCode checks the query of Herald's OAuth callback and returns the authorization code:
// the state must match, and an error LinkedIn reports (the member cancelled, or the app lacks
// a scope) becomes a plain message.
func CallbackCode(query url.Values, expectedState string) (string, error) {
	if err := CheckState(expectedState, query.Get("state")); err != nil {
		return "", err
	}
	if e := query.Get("error"); e != "" {
		msg := "LinkedIn did not authorize Herald"
		switch e {
		case "user_cancelled_login", "user_cancelled_authorize", "access_denied":
			msg = "the connection was cancelled on LinkedIn"
		case "unauthorized_scope_error":
			msg = "LinkedIn refused a permission Herald asks for: the app lacks the product that grants it (for pages, the Community Management API)"
		default:
			if d := clean(query.Get("error_description")); d != "" {
				msg += ": " + d
			}
		}
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: clean(e), Message: msg}
	}
	code := query.Get("code")
	if code == "" {
		return "", permanent("LinkedIn sent no authorization code; start connecting again")
	}
	return code, nil
}

// tokenAnswer is LinkedIn's token response. scope is comma separated.
type tokenAnswer struct {
	AccessToken           string `json:"access_token"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	Scope                 string `json:"scope"`
}

// userinfo is the OpenID Connect userinfo answer.
type userinfo struct {
	Sub     string `json:"sub"`
	Name    string `json:"name"`
	Picture string `json:"picture"`
}

// CompleteOAuth exchanges the code for an access token (with the client secret, and the PKCE
// verifier when Options.PKCE is set) and reads the member with the OpenID Connect userinfo
// endpoint. The credentials publish as the member; AccountChooser turns them into a page's.
func (c *Client) CompleteOAuth(ctx context.Context, in publishers.OAuthStart, _ map[string]string, code string) (*publishers.Credentials, publishers.Account, error) {
	if !c.opts.App.Configured() {
		return nil, publishers.Account{}, setupError(in.RedirectURL)
	}
	if code == "" {
		return nil, publishers.Account{}, permanent("LinkedIn sent no authorization code; start connecting again")
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {in.RedirectURL},
		"client_id":     {c.opts.App.ClientID},
		"client_secret": {c.opts.App.ClientSecret},
	}
	if c.opts.PKCE {
		form.Set("code_verifier", in.Verifier)
	}
	tok, err := c.token(ctx, form, false)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	granted := normalizeScopes(tok.Scope)
	if missing := missingScopes(granted, "openid profile"); len(missing) > 0 {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "insufficient_scope",
			Message: "LinkedIn granted fewer permissions than Herald needs (missing " + strings.Join(missing, ", ") + `); add "Sign In with LinkedIn using OpenID Connect" to the app`}
	}
	me, err := c.userinfo(ctx, tok.AccessToken)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	person := "urn:li:person:" + me.Sub
	now := c.opts.Now()
	creds := &publishers.Credentials{
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		Extra:        map[string]string{ExtraAuthor: person, ExtraMember: person, ExtraScope: granted},
	}
	if tok.ExpiresIn > 0 {
		creds.Expiry = now.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC()
	}
	if tok.RefreshToken != "" && tok.RefreshTokenExpiresIn > 0 {
		creds.Extra[ExtraRefreshExpiry] = now.Add(time.Duration(tok.RefreshTokenExpiresIn) * time.Second).UTC().Format(time.RFC3339)
	}
	return creds, memberAccount(person, me), nil
}

func memberAccount(person string, me userinfo) publishers.Account {
	return publishers.Account{ExternalID: person, Name: me.Name, AvatarURL: me.Picture}
}

// userinfo reads the signed-in member (OpenID Connect; scopes openid and profile). It is not a
// versioned REST API, so it takes no LinkedIn-Version header.
func (c *Client) userinfo(ctx context.Context, token string) (userinfo, error) {
	var me userinfo
	_, err := c.call(ctx, request{op: opRead, method: http.MethodGet, url: c.opts.APIURL + userinfoPath, token: token}, &me)
	if err != nil {
		return userinfo{}, err
	}
	if me.Sub == "" {
		return userinfo{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "LinkedIn did not say which member signed in"}
	}
	return me, nil
}

// Refresh keeps a channel's access alive. LinkedIn access tokens last 60 days, and LinkedIn
// gives refresh tokens only to approved partner apps:
//
//   - with a refresh token, Refresh renews the access token once it expires within 15 minutes
//     (LinkedIn keeps the refresh token's own 365-day lifetime; a new one is stored when it
//     sends one);
//   - without one, it returns creds unchanged while the token is valid, and KindAuthExpired
//     with a plain message once it has expired, so the channel is held for reconnection (the
//     scheduler warns ahead of expiry and before scheduled posts).
//
// https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens
func (c *Client) Refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	if creds == nil || creds.AccessToken == "" {
		return nil, false, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no LinkedIn access token is stored for this channel; reconnect the channel"}
	}
	now := c.opts.Now()
	if creds.Expiry.IsZero() || creds.Expiry.Sub(now) > refreshMargin {
		return creds, false, nil
	}
	if creds.RefreshToken == "" {
		if now.Before(creds.Expiry) {
			return creds, false, nil
		}
		return nil, false, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name, Code: "access_ended", Message: ErrAccessEnded}
	}
	if exp, err := time.Parse(time.RFC3339, creds.Get(ExtraRefreshExpiry)); err == nil && !now.Before(exp) {
		return nil, false, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name, Code: "access_ended",
			Message: "LinkedIn access ends a year after connecting, even with renewals; reconnect the channel"}
	}
	if !c.opts.App.Configured() {
		return nil, false, setupError("")
	}
	tok, err := c.token(ctx, url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {creds.RefreshToken},
		"client_id":     {c.opts.App.ClientID},
		"client_secret": {c.opts.App.ClientSecret},
	}, true)
	if err != nil {
		return nil, false, err
	}
	next := &publishers.Credentials{AccessToken: tok.AccessToken, RefreshToken: creds.RefreshToken,
		Extra: make(map[string]string, len(creds.Extra))}
	for k, v := range creds.Extra {
		next.Extra[k] = v
	}
	if tok.RefreshToken != "" {
		next.RefreshToken = tok.RefreshToken
	}
	if tok.ExpiresIn > 0 {
		next.Expiry = now.Add(time.Duration(tok.ExpiresIn) * time.Second).UTC()
	}
	if tok.RefreshTokenExpiresIn > 0 {
		next.Extra[ExtraRefreshExpiry] = now.Add(time.Duration(tok.RefreshTokenExpiresIn) * time.Second).UTC().Format(time.RFC3339)
	}
	if s := normalizeScopes(tok.Scope); s != "" {
		next.Extra[ExtraScope] = s
	}
	return next, true, nil
}

// token calls the token endpoint with form and reads the answer. LinkedIn's own error text
// never reaches the message verbatim beyond its RFC 6749 code, and the form (which holds the
// code, the secret and the refresh token) never reaches an error.
func (c *Client) token(ctx context.Context, form url.Values, refreshing bool) (tokenAnswer, error) {
	resp, err := c.send(ctx, request{op: opWrite, method: http.MethodPost, url: c.opts.AuthURL + tokenPath,
		body: []byte(form.Encode()), contentType: "application/x-www-form-urlencoded"})
	if err != nil {
		return tokenAnswer{}, err
	}
	if resp.status != http.StatusOK {
		return tokenAnswer{}, c.tokenError(resp, refreshing)
	}
	var tok tokenAnswer
	if err := json.Unmarshal(resp.body, &tok); err != nil || tok.AccessToken == "" {
		return tokenAnswer{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "LinkedIn's token answer could not be read"}
	}
	return tok, nil
}

// tokenError classifies a refusal of the token endpoint. When refreshing, a rejected grant
// means the channel must be reconnected.
func (c *Client) tokenError(resp *response, refreshing bool) error {
	var ae apiError
	_ = json.Unmarshal(resp.body, &ae)
	code := clean(ae.Error)
	e := &publishers.Error{Network: Name, Status: resp.status, Code: code,
		Err: fmt.Errorf("token endpoint answered HTTP %d %s", resp.status, code)}
	switch {
	case resp.status == http.StatusTooManyRequests || resp.status >= 500 || resp.status == http.StatusRequestTimeout:
		return c.classify(resp.status, resp.header, nil, opWrite)
	case refreshing:
		e.Kind = publishers.KindAuthExpired
		e.Message = "LinkedIn no longer accepts this channel's refresh token; reconnect the channel"
	case code == "invalid_client" || resp.status == http.StatusUnauthorized:
		e.Kind = publishers.KindPermanent
		e.Message = "LinkedIn does not recognise Herald's app (invalid client id or secret); check HERALD_LINKEDIN_CLIENT_ID and HERALD_LINKEDIN_CLIENT_SECRET"
	case code == "invalid_request" || code == "invalid_grant":
		e.Kind = publishers.KindPermanent
		e.Message = "LinkedIn rejected the authorization (" + code + ": the code expired or was already used, the redirect URL differs, or the PKCE setting does not match the app); start connecting again"
	default:
		e.Kind = publishers.KindPermanent
		e.Message = "LinkedIn refused to issue a token (HTTP " + strconv.Itoa(resp.status)
		if code != "" {
			e.Message += ", " + code
		}
		e.Message += "); start connecting again"
	}
	return e
}

// normalizeScopes turns LinkedIn's granted scope (comma separated in its token answer) into a
// space-separated list.
func normalizeScopes(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }), " ")
}

// hasScope reports whether a granted scope list includes scope.
func hasScope(granted, scope string) bool {
	for _, s := range strings.Fields(granted) {
		if s == scope {
			return true
		}
	}
	return false
}

// missingScopes lists the wanted scopes a granted list lacks.
func missingScopes(granted, wanted string) []string {
	var missing []string
	for _, w := range strings.Fields(wanted) {
		if !hasScope(granted, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

// session is what every authenticated call needs from a channel's credentials.
type session struct {
	token  string
	author string
	member string
	scope  string
}

func (s session) isOrganization() bool { return strings.HasPrefix(s.author, "urn:li:organization:") }

// session checks the stored credentials: a channel without a token or an author, or whose
// access has ended, cannot be used until someone reconnects it.
func (c *Client) session(creds *publishers.Credentials) (session, error) {
	if creds == nil || creds.AccessToken == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "no LinkedIn access token is stored for this channel; reconnect the channel"}
	}
	author := creds.Get(ExtraAuthor)
	if !strings.HasPrefix(author, "urn:li:person:") && !strings.HasPrefix(author, "urn:li:organization:") {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "the channel does not say which LinkedIn member or page it publishes as; reconnect the channel"}
	}
	if !creds.Expiry.IsZero() && !c.opts.Now().Before(creds.Expiry) && creds.RefreshToken == "" {
		return session{}, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name, Code: "access_ended", Message: ErrAccessEnded}
	}
	return session{token: creds.AccessToken, author: author, member: creds.Get(ExtraMember), scope: creds.Get(ExtraScope)}, nil
}

// isStatus reports whether err is a classified answer with the given HTTP status.
func isStatus(err error, status int) bool {
	var pe *publishers.Error
	return errors.As(err, &pe) && pe.Status == status
}
