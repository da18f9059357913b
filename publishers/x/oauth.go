package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// refreshMargin is how long before expiry Refresh renews a token. The scheduler asks 15 minutes
// ahead; a wider margin means every call it makes renews the token instead of waiting for the
// next pass, which with two-hour tokens could come too late.
const refreshMargin = 30 * time.Minute

// notConfigured refuses what needs the app's client id before an administrator set one up.
func (c *Client) notConfigured() error {
	if c.opts.App.Configured() {
		return nil
	}
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "not_configured", Message: setupMessage}
}

// oauthConfig is the oauth2 configuration of the administrator's app. A confidential client
// (with a secret) authenticates with HTTP Basic, as X requires; a public client sends its
// client_id in the body.
func (c *Client) oauthConfig(redirectURL string) *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if c.opts.App.ClientSecret == "" {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     c.opts.App.ClientID,
		ClientSecret: c.opts.App.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.opts.AuthBaseURL + "/i/oauth2/authorize",
			TokenURL:  c.opts.APIBaseURL + "/2/oauth2/token",
			AuthStyle: style,
		},
		RedirectURL: redirectURL,
		Scopes:      strings.Fields(DefaultScopes),
	}
}

// BeginOAuth returns X's authorization URL with in.State and the S256 challenge of in.Verifier.
// X needs nothing kept until the callback apart from what Herald keeps anyway, so pending is nil.
func (c *Client) BeginOAuth(_ context.Context, in publishers.OAuthStart) (string, map[string]string, error) {
	if err := c.notConfigured(); err != nil {
		return "", nil, err
	}
	if in.RedirectURL == "" || in.State == "" || in.Verifier == "" {
		return "", nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "connecting needs a redirect URL, a state and a PKCE verifier"}
	}
	return publishers.AuthCodeURL(c.oauthConfig(in.RedirectURL), in), nil, nil
}

// CompleteOAuth exchanges the code, with the PKCE verifier, for a token, checks that X granted
// every scope Herald needs, and reads the account (GET /2/users/me).
func (c *Client) CompleteOAuth(ctx context.Context, in publishers.OAuthStart, _ map[string]string, code string) (*publishers.Credentials, publishers.Account, error) {
	if err := c.notConfigured(); err != nil {
		return nil, publishers.Account{}, err
	}
	if code == "" {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "X sent no authorization code; start connecting again"}
	}
	tok, err := c.oauthConfig(in.RedirectURL).Exchange(c.oauthContext(ctx), code, oauth2.VerifierOption(in.Verifier))
	if err != nil {
		return nil, publishers.Account{}, tokenError(err, false, c.opts.Now())
	}
	if missing := missingScopes(tokenScope(tok), DefaultScopes); len(missing) > 0 {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "insufficient_scope",
			Message: "X granted fewer permissions than Herald needs (missing " + strings.Join(missing, ", ") + "); connect again and allow them"}
	}
	creds := &publishers.Credentials{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}
	s := &session{c: c, creds: creds}
	u, err := s.me(ctx)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	creds.Extra = map[string]string{ExtraUserID: u.ID, ExtraUsername: u.Username}
	return creds, publishers.Account{
		ExternalID: u.ID,
		Name:       u.Name,
		Handle:     "@" + u.Username,
		AvatarURL:  u.ProfileImageURL,
		URL:        "https://x.com/" + u.Username,
	}, nil
}

// Refresh renews the access token when it expires within refreshMargin. X rotates refresh
// tokens: the one in creds stops working as soon as X issues the next, so the returned
// credentials (with the new refresh token) must be saved whenever changed is true. A refresh
// token X refuses (invalid_grant: revoked, already used, or the app lost access) is
// KindAuthExpired: the account must be reconnected.
func (c *Client) Refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	if creds == nil || creds.RefreshToken == "" || creds.Expiry.IsZero() {
		return creds, false, nil
	}
	if creds.Expiry.Sub(c.opts.Now()) > refreshMargin {
		return creds, false, nil
	}
	next, err := c.refresh(ctx, creds)
	if err != nil {
		return nil, false, err
	}
	return next, true, nil
}

// refresh exchanges creds' refresh token for new credentials, whatever the expiry.
func (c *Client) refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, error) {
	if !c.opts.App.Configured() {
		// The administrator removed the app's settings: nothing can renew the token until they
		// are back, and the account then needs connecting again.
		return nil, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name, Code: "not_configured",
			Message: "the X app's client id is not configured (HERALD_X_CLIENT_ID), so Herald cannot renew the token; an administrator must set it up, then reconnect the account"}
	}
	// A token without an access token is invalid, so the source refreshes at once.
	tok, err := c.oauthConfig("").TokenSource(c.oauthContext(ctx), &oauth2.Token{RefreshToken: creds.RefreshToken}).Token()
	if err != nil {
		return nil, tokenError(err, true, c.opts.Now())
	}
	next := &publishers.Credentials{
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		Expiry:       tok.Expiry,
		Extra:        make(map[string]string, len(creds.Extra)),
	}
	if next.RefreshToken == "" {
		// X always sends the next refresh token; should it not, the old one is all there is.
		next.RefreshToken = creds.RefreshToken
	}
	for k, v := range creds.Extra {
		next.Extra[k] = v
	}
	return next, nil
}

// oauthContext makes the oauth2 package use the Client's HTTP client.
func (c *Client) oauthContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.http)
}

// tokenError classifies a failure of the token endpoint. The oauth2 package's own error text
// includes the response body, so it is replaced by a message built from the status and the
// RFC 6749 error code only. When refreshing, any refusal means the channel must be reconnected:
// X answers a used or revoked refresh token with invalid_grant, and sometimes invalid_request.
func tokenError(err error, refreshing bool, now time.Time) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		var ue *url.Error
		if errors.As(err, &ue) {
			return transportError(err, opWrite, true)
		}
		// A 2xx answer without an access token, or one that is not JSON.
		return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "X's token answer could not be read"}
	}
	status := 0
	header := http.Header{}
	if re.Response != nil {
		status = re.Response.StatusCode
		header = re.Response.Header
	}
	code := clean(re.ErrorCode)
	cause := fmt.Errorf("token endpoint answered HTTP %d %s", status, code)
	e := &publishers.Error{Network: Name, Status: status, Code: code, Err: cause}
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = resetWait(header, hReset, now, defaultRetryAfter)
		e.Message = fmt.Sprintf("rate limited by X; try again in %s", e.RetryAfter.Round(time.Second))
	case status >= 500 || status == http.StatusRequestTimeout:
		e.Kind = publishers.KindRetryable
		e.Message = "X had a temporary problem issuing the token"
	case refreshing:
		e.Kind = publishers.KindAuthExpired
		e.Message = "X no longer accepts this channel's refresh token (it was revoked, already used, or the app lost access); reconnect the X account"
	case code == "invalid_grant" || code == "invalid_request":
		e.Kind = publishers.KindPermanent
		e.Message = "X rejected the authorization (" + code + ": the code expired, was already used, or the PKCE verifier did not match); start connecting again"
	case code == "invalid_client" || code == "unauthorized_client":
		e.Kind = publishers.KindPermanent
		e.Message = "X did not accept Herald's app credentials (" + code + "); an administrator should check HERALD_X_CLIENT_ID and HERALD_X_CLIENT_SECRET"
	default:
		e.Kind = publishers.KindPermanent
		e.Message = fmt.Sprintf("X refused to issue a token (HTTP %d", status)
		if code != "" {
			e.Message += ", " + code
		}
		e.Message += "); start connecting again"
	}
	return e
}

// tokenScope is the scope the token endpoint granted ("" when it did not say).
func tokenScope(tok *oauth2.Token) string {
	s, _ := tok.Extra("scope").(string)
	return s
}

// missingScopes lists the wanted scopes a granted scope string lacks. An empty grant is not
// checked: the endpoint then granted what was asked.
func missingScopes(granted, wanted string) []string {
	if strings.TrimSpace(granted) == "" {
		return nil
	}
	have := map[string]bool{}
	for _, s := range strings.FieldsFunc(granted, func(r rune) bool { return r == ' ' || r == '+' || r == ',' }) {
		have[s] = true
	}
	var missing []string
	for _, w := range strings.Fields(wanted) {
		if !have[w] {
			missing = append(missing, w)
		}
	}
	return missing
}
