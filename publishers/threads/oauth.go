package threads

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// notConfigured refuses to connect when no Meta app is set up.
func notConfigured() error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "not_configured",
		Message: "Threads is not set up on this Herald: an administrator must register a Meta app with the Threads use case " +
			"and set HERALD_THREADS_CLIENT_ID and HERALD_THREADS_CLIENT_SECRET (the channels page shows how)."}
}

// oauthConfig is the authorization-code configuration (Access tokens, steps 1 and 2): the
// window at AuthorizeURL, the exchange at POST /oauth/access_token with client_id,
// client_secret, grant_type, redirect_uri and code as body parameters.
func (c *Client) oauthConfig(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.opts.App.ClientID,
		ClientSecret: c.opts.App.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.opts.AuthorizeURL,
			TokenURL:  c.graph + "/oauth/access_token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirectURL,
		Scopes:      strings.Fields(c.opts.Scopes),
	}
}

// BeginOAuth returns the URL of Threads' authorization window, with in.State and the S256
// challenge of in.Verifier. Threads needs nothing kept until the callback, so pending is nil.
//
// PKCE: the authorization window documents client_id, redirect_uri, scope, response_type and
// state only, and the exchange documents no code_verifier, so Threads ignores both PKCE
// parameters as far as its documentation says. Herald sends them anyway, as its OAuth contract
// does for every network (threadstest verifies them when given); what protects the code at
// Threads is the app secret, which the exchange always carries.
func (c *Client) BeginOAuth(_ context.Context, in publishers.OAuthStart) (string, map[string]string, error) {
	if !c.configured() {
		return "", nil, notConfigured()
	}
	if in.RedirectURL == "" || in.State == "" || in.Verifier == "" {
		return "", nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "connecting needs a redirect URL, a state and a PKCE verifier"}
	}
	return publishers.AuthCodeURL(c.oauthConfig(in.RedirectURL), in), nil, nil
}

// CheckState compares the state Herald generated for a connection attempt with the one the
// callback carries, in constant time.
func CheckState(expected, got string) error { return publishers.CheckState(Name, expected, got) }

// CallbackCode checks the query of Herald's OAuth callback and returns the authorization code:
// the state must match, and a refusal (Threads sends error, error_reason and
// error_description, as Facebook Login does) becomes a plain message.
func CallbackCode(query url.Values, expectedState string) (string, error) {
	if err := CheckState(expectedState, query.Get("state")); err != nil {
		return "", err
	}
	if e := query.Get("error"); e != "" {
		msg := "Threads did not authorize Herald"
		if e == "access_denied" {
			msg = "The connection was declined on Threads"
		} else if d := httpapi.Clean(query.Get("error_description")); d != "" {
			msg += ": " + d
		}
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: httpapi.Clean(e), Message: msg + "."}
	}
	code := query.Get("code")
	if code == "" {
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "Threads sent no authorization code; start connecting again."}
	}
	return code, nil
}

// me is the part of the Threads user Herald reads (GET /me; User reference).
type me struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	Name       string `json:"name"`
	PictureURL string `json:"threads_profile_picture_url"`
}

// meFields are the user fields Herald asks for.
const meFields = "id,username,name,threads_profile_picture_url"

// CompleteOAuth exchanges the code (with the verifier, see BeginOAuth) for a short-lived token,
// exchanges that at once for a long-lived one (60 days; Credentials.Expiry is set from its
// expires_in), and reads the account from /me.
func (c *Client) CompleteOAuth(ctx context.Context, in publishers.OAuthStart, _ map[string]string, code string) (*publishers.Credentials, publishers.Account, error) {
	if !c.configured() {
		return nil, publishers.Account{}, notConfigured()
	}
	if code == "" {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "Threads sent no authorization code; start connecting again."}
	}
	// The answer also carries user_id as a JSON number; Threads ids exceed what a float64 holds
	// exactly, so Herald reads the id from /me instead.
	short, err := c.oauthConfig(in.RedirectURL).Exchange(
		context.WithValue(ctx, oauth2.HTTPClient, c.http), code, oauth2.VerifierOption(in.Verifier))
	if err != nil {
		return nil, publishers.Account{}, connectError(exchangeError(err, c.opts.Now()))
	}
	now := c.opts.Now()
	long, ttl, err := c.tokenCall(ctx, "/access_token", url.Values{
		"grant_type":    {"th_exchange_token"},
		"client_secret": {c.opts.App.ClientSecret},
		"access_token":  {short.AccessToken},
	})
	if err != nil {
		return nil, publishers.Account{}, connectError(err)
	}
	var acct me
	if _, err := c.get(ctx, session{token: long}, "/me", url.Values{"fields": {meFields}}, &acct); err != nil {
		return nil, publishers.Account{}, err
	}
	if acct.ID == "" {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "Threads did not say which account was connected."}
	}
	creds := &publishers.Credentials{
		AccessToken: long,
		Expiry:      now.Add(ttl).UTC(),
		Extra: map[string]string{
			ExtraUserID:        acct.ID,
			ExtraUsername:      acct.Username,
			ExtraTokenIssuedAt: now.UTC().Format(time.RFC3339),
		},
	}
	name := acct.Name
	if name == "" {
		name = acct.Username
	}
	handle := ""
	if acct.Username != "" {
		handle = "@" + acct.Username
	}
	return creds, publishers.Account{ExternalID: acct.ID, Name: name, Handle: handle,
		AvatarURL: acct.PictureURL, URL: profileURL(acct.Username)}, nil
}

// tokenAnswer is the answer of the long-lived exchange and of the refresh.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// tokenCall is GET path on the API host's root (the token endpoints are not versioned) with the
// documented query parameters. The URL carries the token (and, for the exchange, the app
// secret), so it is never logged and send cuts it from errors.
func (c *Client) tokenCall(ctx context.Context, path string, q url.Values) (token string, ttl time.Duration, err error) {
	var ans tokenAnswer
	if _, err := c.call(ctx, request{op: opWrite, method: http.MethodGet, url: c.graph + path + "?" + q.Encode()}, &ans); err != nil {
		return "", 0, err
	}
	if ans.AccessToken == "" {
		return "", 0, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "Threads answered without an access token."}
	}
	ttl = time.Duration(ans.ExpiresIn) * time.Second
	if ans.ExpiresIn <= 0 {
		ttl = LongLivedTTL
	}
	return ans.AccessToken, ttl, nil
}

// exchangeError classifies a failure of the code exchange. The oauth2 package's own error text
// repeats the answer's body, so the error is rebuilt from the status and Meta's error object.
func exchangeError(err error, now time.Time) error {
	ref, noAnswer := httpapi.TokenFailure(err)
	switch {
	case noAnswer:
		return transportError(redact(err), opWrite, true)
	case ref == nil:
		// A 2xx answer without an access token, or one that is not JSON.
		return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "Threads' token answer could not be read."}
	}
	return classify(ref.Status, ref.Header, ref.Body, opWrite, now)
}

// connectError turns a refusal during connecting into a permanent failure that says to start
// again: an "expired token" there is the short-lived one just issued, not the channel's.
func connectError(err error) error {
	var pe *publishers.Error
	if !errors.As(err, &pe) || (pe.Kind != publishers.KindAuthExpired && pe.Kind != publishers.KindPermanent) {
		return err
	}
	msg := "Threads did not accept the sign-in"
	if pe.Kind == publishers.KindPermanent && pe.Message != "" {
		msg += " (" + strings.TrimSuffix(pe.Message, ".") + ")"
	}
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Status: pe.Status, Code: pe.Code,
		Message: msg + ". The code may have expired or been used already, or the redirect URL differs; start connecting again.", Err: err}
}

// issuedAt is when the channel's long-lived token was issued: the stored time, or, for
// credentials that lack it, 60 days before the expiry.
func issuedAt(creds *publishers.Credentials) time.Time {
	if t, err := time.Parse(time.RFC3339, creds.Get(ExtraTokenIssuedAt)); err == nil {
		return t
	}
	if !creds.Expiry.IsZero() {
		return creds.Expiry.Add(-LongLivedTTL)
	}
	return time.Time{}
}

// refreshDue reports whether the token expires within RefreshMargin and is old enough for
// Threads to refresh it (24 hours: a younger token is refused).
func refreshDue(creds *publishers.Credentials, now time.Time) bool {
	if creds == nil || creds.AccessToken == "" || creds.Expiry.IsZero() || !now.Before(creds.Expiry) {
		return false
	}
	if creds.Expiry.Sub(now) > RefreshMargin {
		return false
	}
	return now.Sub(issuedAt(creds)) >= MinRefreshAge
}

// Refresh renews a long-lived token that expires within RefreshMargin (GET
// /refresh_access_token?grant_type=th_refresh_token): the new token lasts 60 days from now. A
// token that is not due, or younger than 24 hours, is returned unchanged; an expired one cannot
// be renewed and is reported as KindAuthExpired. Refresh never modifies creds.
func (c *Client) Refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	if creds == nil || creds.AccessToken == "" {
		return nil, false, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "No Threads access token is stored for this channel. Reconnect the Threads account."}
	}
	now := c.opts.Now()
	if !creds.Expiry.IsZero() && !now.Before(creds.Expiry) {
		return nil, false, expiredError(creds.Expiry)
	}
	if !refreshDue(creds, now) {
		return creds, false, nil
	}
	token, ttl, err := c.tokenCall(ctx, "/refresh_access_token", url.Values{
		"grant_type":   {"th_refresh_token"},
		"access_token": {creds.AccessToken},
	})
	if err != nil {
		return nil, false, err
	}
	next := &publishers.Credentials{
		AccessToken:  token,
		RefreshToken: creds.RefreshToken,
		Expiry:       now.Add(ttl).UTC(),
		Extra:        make(map[string]string, len(creds.Extra)+1),
	}
	for k, v := range creds.Extra {
		next.Extra[k] = v
	}
	next.Extra[ExtraTokenIssuedAt] = now.UTC().Format(time.RFC3339)
	return next, true, nil
}

// renewIfDue refreshes a due token in place (a new Credentials value with its own Extra map, so a
// shallow copy the caller took before stays intact), for Publish and Metrics: the scheduler saves
// credentials that changed after those calls. A failed renewal is logged and left for the next
// call or the refresh job; the token still works until it expires.
func (c *Client) renewIfDue(ctx context.Context, creds *publishers.Credentials) {
	if !refreshDue(creds, c.opts.Now()) {
		return
	}
	next, changed, err := c.Refresh(ctx, creds)
	if err != nil {
		c.opts.Logger.WarnContext(ctx, "threads: renewing the access token failed; it still works until it expires",
			"expires", creds.Expiry.UTC().Format(time.RFC3339), "kind", publishers.KindOf(err).String(), "error", publishers.Message(err))
		return
	}
	if changed {
		*creds = *next
	}
}
