package mastodon

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
	"github.com/heraldhq/herald/publishers/internal/httpapi"
)

// Keys of Credentials.Extra and of BeginOAuth's pending values.
const (
	ExtraInstance     = "instance"
	ExtraClientID     = "client_id"
	ExtraClientSecret = "client_secret"
	ExtraAccountID    = "account_id"
)

// refreshMargin is how long before expiry Refresh renews a token that can be refreshed.
const refreshMargin = 5 * time.Minute

// normalizeInstance turns what a person typed ("mastodon.social", "https://Mastodon.Social/")
// into an origin ("https://mastodon.social"). A missing scheme means https; a path or query is
// dropped (people paste profile links). Other schemes, user info (people type their handle,
// alice@mastodon.social) and fragments are refused with a plain message.
func normalizeInstance(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", instanceError("enter the address of your Mastodon server, for example mastodon.social")
	}
	if strings.HasPrefix(s, "@") {
		return "", instanceError("enter the address of your Mastodon server (the part after the second @ of your handle), not the handle")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", instanceError("that is not a server address; enter one like mastodon.social")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "https" && scheme != "http":
		return "", instanceError("a Mastodon server address starts with https:// (or nothing)")
	case u.User != nil:
		return "", instanceError("enter the address of your Mastodon server (the part after the @ of your handle), not the handle")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "", instanceError("a Mastodon server address has no # part; enter one like mastodon.social")
	case u.Host == "" || u.Hostname() == "" || strings.ContainsAny(u.Host, " \t"):
		return "", instanceError("that is not a server address; enter one like mastodon.social")
	}
	return scheme + "://" + strings.ToLower(u.Host), nil
}

func instanceError(msg string) error {
	return &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "invalid_instance", Message: msg}
}

// oauthConfig is the oauth2 configuration for an app registered on instance.
func (c *Client) oauthConfig(instance, clientID, clientSecret, redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:  instance + "/oauth/authorize",
			TokenURL: instance + "/oauth/token",
			// Mastodon's API documents client_id and client_secret as body parameters; sending
			// them there also avoids oauth2's probe of two styles, which costs a request.
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirectURL,
		Scopes:      strings.Fields(c.opts.Scopes),
	}
}

// application is the part of Mastodon's CredentialApplication Herald keeps.
type application struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// BeginOAuth registers Herald as an app on the instance in.Instance and returns the
// authorization URL (with in.State and the S256 challenge of in.Verifier) and the values
// CompleteOAuth needs: the instance and the app's client id and secret. The pending values hold
// a secret: keep them server-side, as the state is kept.
func (c *Client) BeginOAuth(ctx context.Context, in publishers.OAuthStart) (string, map[string]string, error) {
	inst, err := normalizeInstance(in.Instance)
	if err != nil {
		return "", nil, err
	}
	if in.RedirectURL == "" || in.State == "" || in.Verifier == "" {
		return "", nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "connecting needs a redirect URL, a state and a PKCE verifier"}
	}
	// redirect_uris is sent as one string: Mastodon 4.3 and later also take an array (as the
	// OpenAPI description shows), but older versions and most compatible servers take only a
	// string, and one redirect URL is all Herald has.
	body := map[string]string{
		"client_name":   c.opts.ClientName,
		"redirect_uris": in.RedirectURL,
		"scopes":        c.opts.Scopes,
	}
	if c.opts.Website != "" {
		body["website"] = c.opts.Website
	}
	var app application
	if _, err := c.postJSON(ctx, opWrite, session{instance: inst}, "/api/v1/apps", body, nil, &app); err != nil {
		var pe *publishers.Error
		if errors.As(err, &pe) && (pe.Status == http.StatusNotFound || pe.Status == http.StatusMethodNotAllowed) {
			pe.Message = "the server at " + inst + " does not look like a Mastodon server (it has no app registration); check the address"
		}
		return "", nil, err
	}
	if app.ClientID == "" || app.ClientSecret == "" {
		return "", nil, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "the server did not register Herald as an app; is it a Mastodon server?"}
	}
	cfg := c.oauthConfig(inst, app.ClientID, app.ClientSecret, in.RedirectURL)
	pending := map[string]string{
		ExtraInstance:     inst,
		ExtraClientID:     app.ClientID,
		ExtraClientSecret: app.ClientSecret,
	}
	return publishers.AuthCodeURL(cfg, in), pending, nil
}

// CheckState compares the state Herald generated for a connection attempt with the one the
// callback carries, in constant time. The server's callback handler calls it (or CallbackCode)
// before CompleteOAuth: CompleteOAuth itself never sees the callback's state.
func CheckState(expected, got string) error { return publishers.CheckState(Name, expected, got) }

// CallbackCode checks the query of Herald's OAuth callback and returns the authorization code:
// the state must match (CheckState), and an error the instance reports (the person declined)
// becomes a plain message.
func CallbackCode(query url.Values, expectedState string) (string, error) {
	if err := CheckState(expectedState, query.Get("state")); err != nil {
		return "", err
	}
	if e := query.Get("error"); e != "" {
		msg := "the Mastodon server did not authorize Herald"
		if e == "access_denied" {
			msg = "the connection was declined on the Mastodon server"
		} else if d := httpapi.Clean(query.Get("error_description")); d != "" {
			msg += ": " + d
		}
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: httpapi.Clean(e), Message: msg}
	}
	code := query.Get("code")
	if code == "" {
		return "", &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "the Mastodon server sent no authorization code; start connecting again"}
	}
	return code, nil
}

// account is the part of Mastodon's Account Herald reads.
type account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	Avatar      string `json:"avatar"`
	URL         string `json:"url"`
}

// CompleteOAuth exchanges the code, with the PKCE verifier and the app's credentials from
// pending, for a token, then reads the account it belongs to.
func (c *Client) CompleteOAuth(ctx context.Context, in publishers.OAuthStart, pending map[string]string, code string) (*publishers.Credentials, publishers.Account, error) {
	inst, err := normalizeInstance(pending[ExtraInstance])
	if err != nil {
		return nil, publishers.Account{}, err
	}
	clientID, clientSecret := pending[ExtraClientID], pending[ExtraClientSecret]
	if clientID == "" || clientSecret == "" {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "this connection attempt has expired; start connecting again"}
	}
	if code == "" {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name,
			Message: "the Mastodon server sent no authorization code; start connecting again"}
	}
	cfg := c.oauthConfig(inst, clientID, clientSecret, in.RedirectURL)
	tok, err := cfg.Exchange(c.oauthContext(ctx), code, oauth2.VerifierOption(in.Verifier))
	if err != nil {
		return nil, publishers.Account{}, tokenError(err, false, c.opts.Now())
	}
	if missing := missingScopes(tokenScope(tok), c.opts.Scopes); len(missing) > 0 {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindPermanent, Network: Name, Code: "insufficient_scope",
			Message: "the Mastodon server granted fewer permissions than Herald needs (missing " + strings.Join(missing, ", ") + "); connect again and allow them"}
	}
	s := session{instance: inst, token: tok.AccessToken}
	var acct account
	if _, err := c.getJSON(ctx, s, "/api/v1/accounts/verify_credentials", nil, &acct); err != nil {
		return nil, publishers.Account{}, err
	}
	if acct.ID == "" {
		return nil, publishers.Account{}, &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "the Mastodon server did not say which account was connected"}
	}
	creds := &publishers.Credentials{
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		Expiry:       tok.Expiry,
		Extra: map[string]string{
			ExtraInstance:     inst,
			ExtraClientID:     clientID,
			ExtraClientSecret: clientSecret,
			ExtraAccountID:    acct.ID,
		},
	}
	return creds, acct.toAccount(inst), nil
}

// toAccount describes the account as Herald shows it: the handle is the full @user@host form,
// since the short acct Mastodon returns for local accounts is ambiguous across instances.
func (a account) toAccount(instance string) publishers.Account {
	host := strings.TrimPrefix(strings.TrimPrefix(instance, "https://"), "http://")
	acct := a.Acct
	if acct == "" {
		acct = a.Username
	}
	if !strings.Contains(acct, "@") {
		acct += "@" + host
	}
	name := a.DisplayName
	if name == "" {
		name = a.Username
	}
	return publishers.Account{ExternalID: a.ID, Name: name, Handle: "@" + acct, AvatarURL: a.Avatar, URL: a.URL}
}

// Refresh renews the token of servers that issue expiring tokens with a refresh token. Mastodon
// issues neither, so for Mastodon channels it returns creds unchanged.
func (c *Client) Refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	if creds == nil || creds.RefreshToken == "" || creds.Expiry.IsZero() {
		return creds, false, nil
	}
	if creds.Expiry.Sub(c.opts.Now()) > refreshMargin {
		return creds, false, nil
	}
	inst, err := normalizeInstance(creds.Get(ExtraInstance))
	if err != nil {
		return nil, false, &publishers.Error{Kind: publishers.KindAuthExpired, Network: Name,
			Message: "the channel's Mastodon server address is missing or invalid; reconnect the account", Err: err}
	}
	cfg := c.oauthConfig(inst, creds.Get(ExtraClientID), creds.Get(ExtraClientSecret), "")
	// A token without an access token is invalid, so the source refreshes at once.
	tok, err := cfg.TokenSource(c.oauthContext(ctx), &oauth2.Token{RefreshToken: creds.RefreshToken}).Token()
	if err != nil {
		return nil, false, tokenError(err, true, c.opts.Now())
	}
	next := &publishers.Credentials{
		AccessToken:  tok.AccessToken,
		RefreshToken: creds.RefreshToken,
		Expiry:       tok.Expiry,
		Extra:        make(map[string]string, len(creds.Extra)),
	}
	if tok.RefreshToken != "" {
		next.RefreshToken = tok.RefreshToken
	}
	for k, v := range creds.Extra {
		next.Extra[k] = v
	}
	return next, true, nil
}

// oauthContext makes the oauth2 package use the Client's HTTP client.
func (c *Client) oauthContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.http)
}

// tokenError classifies a failure of the token endpoint. The oauth2 package's own error text
// includes the response body, so it is replaced by a message built from the status and the
// RFC 6749 error code only. When refreshing, a rejected grant means the channel must be
// reconnected.
func tokenError(err error, refreshing bool, now time.Time) error {
	ref, noAnswer := httpapi.TokenFailure(err)
	switch {
	case noAnswer:
		return transportError(err, opWrite, true)
	case ref == nil:
		// A 2xx answer without an access token, or one that is not JSON.
		return &publishers.Error{Kind: publishers.KindRetryable, Network: Name,
			Message: "the Mastodon server's token answer could not be read"}
	}
	status, header, code := ref.Status, ref.Header, ref.Code
	cause := fmt.Errorf("token endpoint answered HTTP %d %s", status, code)
	e := &publishers.Error{Network: Name, Status: status, Code: code, Err: cause}
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind = publishers.KindRateLimited
		e.RetryAfter = retryAfter(header, now)
		e.Message = fmt.Sprintf("rate limited by the Mastodon server; try again in %s", e.RetryAfter.Round(time.Second))
	case status >= 500 || status == http.StatusRequestTimeout:
		e.Kind = publishers.KindRetryable
		e.Message = "the Mastodon server had a temporary problem issuing the token"
	case refreshing:
		e.Kind = publishers.KindAuthExpired
		e.Message = "the Mastodon server no longer accepts this channel's refresh token; reconnect the account"
	case code == "invalid_grant":
		e.Kind = publishers.KindPermanent
		e.Message = "the Mastodon server rejected the authorization (invalid_grant: the code expired, was already used, or the PKCE verifier did not match); start connecting again"
	case code == "invalid_client":
		e.Kind = publishers.KindPermanent
		e.Message = "the Mastodon server no longer knows the app Herald registered (invalid_client); start connecting again"
	default:
		e.Kind = publishers.KindPermanent
		e.Message = fmt.Sprintf("the Mastodon server refused to issue a token (HTTP %d", status)
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

// missingScopes lists the wanted scopes a granted scope string does not cover: "read" covers
// every read:… scope and "write" every write:…. An empty grant is not checked: servers that
// omit the field grant what was asked.
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
		parent, _, _ := strings.Cut(w, ":")
		if !have[w] && !have[parent] {
			missing = append(missing, w)
		}
	}
	return missing
}
