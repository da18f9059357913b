package bluesky

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// Session timing.
const (
	// refreshWindow: Refresh renews a session whose access token expires within this.
	refreshWindow = 10 * time.Minute
	// expirySkew: a call refreshes first when the access token expires within this, rather than
	// spend a request on an ExpiredToken answer. It is short on purpose: refreshing is the
	// refresh job's business, and two refreshes of one session race for its rotating refresh token.
	expirySkew = 30 * time.Second
	// defaultAccessTTL is assumed when an access JWT carries no exp claim.
	defaultAccessTTL = 2 * time.Hour
)

// sessionOutput is com.atproto.server.createSession's and refreshSession's answer.
type sessionOutput struct {
	AccessJwt  string          `json:"accessJwt"`
	RefreshJwt string          `json:"refreshJwt"`
	Handle     string          `json:"handle"`
	DID        string          `json:"did"`
	DIDDoc     json.RawMessage `json:"didDoc"`
	Active     *bool           `json:"active"`
	Status     string          `json:"status"`
}

// ConnectPassword logs in with a handle (or the account's e-mail) and an app password, created
// under Settings → Privacy and security → App passwords. Herald cannot tell an app password from
// the account's own password and both log in, but only an app password can be revoked on its own
// and keeps the account's password out of Herald: the UI must ask for an app password. (An
// account with e-mail two-factor sign-in refuses its own password here with
// AuthFactorTokenRequired, which is reported as such.)
//
// in.Server is the PDS (or entryway) to log in to, DefaultPDS when empty. When the session's DID
// document names another PDS for the account, records are written there.
//
// This is the only method that calls createSession.
func (c *Client) ConnectPassword(ctx context.Context, in publishers.PasswordLogin) (*publishers.Credentials, publishers.Account, error) {
	ident := strings.TrimPrefix(strings.TrimSpace(in.Identifier), "@")
	if ident == "" || in.Password == "" {
		return nil, publishers.Account{}, publishers.Errorf(Name, publishers.KindPermanent, 0,
			"enter the account's handle (or e-mail) and an app password")
	}
	server := c.pds
	if strings.TrimSpace(in.Server) != "" {
		s, err := normalizeServer(in.Server)
		if err != nil {
			return nil, publishers.Account{}, err
		}
		server = s
	}
	var out sessionOutput
	err := c.do(ctx, call{
		nsid: nsidCreateSession, post: true, base: server, account: ident,
		body:    map[string]string{"identifier": ident, "password": in.Password},
		secrets: []string{in.Password},
	}, &out)
	if err != nil {
		return nil, publishers.Account{}, connectError(err)
	}
	if out.Active != nil && !*out.Active {
		status := out.Status
		if status == "" {
			status = "not active"
		}
		return nil, publishers.Account{}, publishers.Errorf(Name, publishers.KindPermanent, 0,
			"this Bluesky account is %s and cannot post", status)
	}
	creds, err := c.credentials(out, server, nil)
	if err != nil {
		return nil, publishers.Account{}, err
	}
	acct := publishers.Account{ExternalID: out.DID, Name: out.Handle, Handle: out.Handle, URL: profileURL(out.Handle)}
	c.readProfile(ctx, creds, &acct)
	return creds, acct, nil
}

// connectError rewords login failures for the person connecting: at this point a 401 means a
// wrong handle or password, not a session to renew.
func connectError(err error) error {
	var pe *publishers.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case pe.Code == codeAuthFactor:
		pe.Kind = publishers.KindPermanent
		pe.Message = "Bluesky asked for a sign-in code: that is the account's own password. Create an app password in Bluesky's settings and use it instead"
	case pe.Kind == publishers.KindAuthExpired || pe.Code == "AuthenticationRequired":
		pe.Kind = publishers.KindPermanent
		pe.Message = "Bluesky did not accept this handle and app password"
	case pe.Kind == publishers.KindRateLimited:
		pe.Message = "Bluesky limits how often an account may log in; try again later (" + pe.Message + ")"
	}
	return pe
}

// credentials builds the channel's credentials from a session. prev, when refreshing, supplies
// the values a refresh answer does not repeat. entryway is the server that issued the session.
func (c *Client) credentials(out sessionOutput, entryway string, prev *publishers.Credentials) (*publishers.Credentials, error) {
	if out.AccessJwt == "" || out.RefreshJwt == "" || out.DID == "" {
		return nil, publishers.Errorf(Name, publishers.KindRetryable, 0, "Bluesky answered without a complete session")
	}
	extra := map[string]string{}
	if prev != nil {
		maps.Copy(extra, prev.Extra)
	}
	pds := pdsFromDIDDoc(out.DIDDoc, out.DID, entryway)
	if pds == "" {
		pds = extra[ExtraPDS]
	}
	if pds == "" {
		pds = entryway
	}
	extra[ExtraDID] = out.DID
	if out.Handle != "" && out.Handle != "handle.invalid" {
		extra[ExtraHandle] = out.Handle
	}
	extra[ExtraPDS] = pds
	if entryway != pds {
		extra[ExtraEntryway] = entryway
	} else {
		delete(extra, ExtraEntryway)
	}
	exp, ok := jwtExpiry(out.AccessJwt)
	if !ok {
		exp = c.now().Add(defaultAccessTTL)
	}
	return &publishers.Credentials{AccessToken: out.AccessJwt, RefreshToken: out.RefreshJwt, Expiry: exp.UTC(), Extra: extra}, nil
}

// normalizeServer turns what a person typed ("pds.example.org", "https://pds.example.org/")
// into an origin.
func normalizeServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", publishers.Errorf(Name, publishers.KindPermanent, 0, "%q is not a server address (for example https://bsky.social)", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

// pdsFromDIDDoc returns the #atproto_pds service endpoint of the account's DID document, or "".
// A document about another DID is ignored, and an https entryway is never traded for a plain-HTTP
// PDS.
func pdsFromDIDDoc(raw json.RawMessage, did, entryway string) string {
	if len(raw) == 0 {
		return ""
	}
	var doc struct {
		ID      string `json:"id"`
		Service []struct {
			ID              string `json:"id"`
			Type            string `json:"type"`
			ServiceEndpoint any    `json:"serviceEndpoint"`
		} `json:"service"`
	}
	if json.Unmarshal(raw, &doc) != nil || doc.ID != did {
		return ""
	}
	for _, s := range doc.Service {
		if s.ID != "#atproto_pds" && s.ID != did+"#atproto_pds" {
			continue
		}
		ep, ok := s.ServiceEndpoint.(string)
		if !ok {
			return ""
		}
		u, err := url.Parse(ep)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return ""
		}
		if u.Scheme == "http" && strings.HasPrefix(entryway, "https://") {
			return ""
		}
		return u.Scheme + "://" + u.Host
	}
	return ""
}

// jwtExpiry reads the exp claim of a JWT without verifying it: Herald only needs to know when
// to refresh, and the server that issued the token is the one that checks it.
func jwtExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil || *claims.Exp <= 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(*claims.Exp), 0), true
}

// expiry is when creds' access token expires: Expiry, else the JWT's exp claim, else zero.
func expiry(creds *publishers.Credentials) time.Time {
	if !creds.Expiry.IsZero() {
		return creds.Expiry
	}
	t, _ := jwtExpiry(creds.AccessToken)
	return t
}

// Refresh renews the session when its access token expires within 10 minutes (or when
// its expiry cannot be told), with com.atproto.server.refreshSession and the refresh JWT as
// bearer. It returns new credentials (creds itself is not modified) and true, or creds and false
// when no refresh was due. A refresh token that has expired or was revoked is KindAuthExpired:
// the channel must be reconnected with an app password.
func (c *Client) Refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, bool, error) {
	if creds == nil || creds.RefreshToken == "" {
		return creds, false, publishers.Errorf(Name, publishers.KindAuthExpired, 0,
			"the Bluesky channel has no session; reconnect it with an app password")
	}
	if exp := expiry(creds); !exp.IsZero() && exp.Sub(c.now()) > refreshWindow {
		return creds, false, nil
	}
	fresh, err := c.refresh(ctx, creds)
	if err != nil {
		return creds, false, err
	}
	return fresh, true, nil
}

// refresh calls refreshSession unconditionally.
func (c *Client) refresh(ctx context.Context, creds *publishers.Credentials) (*publishers.Credentials, error) {
	s, err := sessionOf(creds)
	if err != nil {
		return nil, err
	}
	if creds.RefreshToken == "" {
		return nil, publishers.Errorf(Name, publishers.KindAuthExpired, 0,
			"the Bluesky channel has no refresh token; reconnect it with an app password")
	}
	var out sessionOutput
	err = c.do(ctx, call{
		nsid: nsidRefreshSession, post: true, base: s.entryway, account: s.did,
		token: creds.RefreshToken, secrets: []string{creds.RefreshToken, creds.AccessToken},
	}, &out)
	if err != nil {
		var pe *publishers.Error
		if errors.As(err, &pe) && (pe.Kind == publishers.KindAuthExpired || pe.Code == codeExpiredToken || pe.Code == codeInvalidToken) {
			pe.Kind = publishers.KindAuthExpired
			pe.Message = "the Bluesky session has expired or was revoked; reconnect the channel with an app password"
		}
		return nil, err
	}
	if out.DID != "" && out.DID != s.did {
		return nil, publishers.Errorf(Name, publishers.KindAuthExpired, 0,
			"Bluesky refreshed the session of another account; reconnect the channel")
	}
	if out.Active != nil && !*out.Active {
		return nil, publishers.Errorf(Name, publishers.KindAuthExpired, 0,
			"this Bluesky account is %s; reconnect once it is active again", nonEmpty(out.Status, "not active"))
	}
	c.log.Debug("bluesky session refreshed", "did", s.did)
	return c.credentials(out, s.entryway, creds)
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// callState carries one public call's credentials: it refreshes them at most once, replacing
// *creds in place (see the package documentation).
type callState struct {
	creds     *publishers.Credentials
	sess      session
	refreshed bool
}

func (c *Client) newCallState(creds *publishers.Credentials) (*callState, error) {
	s, err := sessionOf(creds)
	if err != nil {
		return nil, err
	}
	return &callState{creds: creds, sess: s}, nil
}

// ensureFresh refreshes before the first call when the access token has expired (or is about
// to). A failed refresh is not fatal while the token is still valid.
func (c *Client) ensureFresh(ctx context.Context, st *callState) error {
	exp := expiry(st.creds)
	if exp.IsZero() || exp.Sub(c.now()) > expirySkew {
		return nil
	}
	err := c.refreshState(ctx, st)
	if err != nil && c.now().Before(exp) {
		c.log.Warn("bluesky session refresh failed; using the current token while it lasts", "did", st.sess.did, "kind", publishers.KindOf(err).String())
		return nil
	}
	return err
}

func (c *Client) refreshState(ctx context.Context, st *callState) error {
	fresh, err := c.refresh(ctx, st.creds)
	if err != nil {
		return err
	}
	*st.creds = *fresh
	st.refreshed = true
	st.sess, _ = sessionOf(st.creds)
	return nil
}

// authed sends cl with the session's access token to its PDS. On ExpiredToken it refreshes
// (once per public call) and sends cl again: an expired token is refused before anything is
// done, so repeating even a createRecord is safe.
func (c *Client) authed(ctx context.Context, st *callState, cl call, out any) error {
	send := func() error {
		cl.token = st.creds.AccessToken
		if cl.base == "" {
			cl.base = st.sess.pds
		}
		cl.account = st.sess.did
		cl.secrets = []string{st.creds.AccessToken, st.creds.RefreshToken}
		return c.do(ctx, cl, out)
	}
	err := send()
	var pe *publishers.Error
	if err == nil || st.refreshed || !errors.As(err, &pe) || pe.Code != codeExpiredToken {
		return err
	}
	if rerr := c.refreshState(ctx, st); rerr != nil {
		return rerr
	}
	return send()
}

// readProfile fills the account's display name and avatar from app.bsky.actor.getProfile, through
// the PDS. It is a nicety: any failure leaves the account as the session described it.
func (c *Client) readProfile(ctx context.Context, creds *publishers.Credentials, acct *publishers.Account) {
	st, err := c.newCallState(creds)
	if err != nil {
		return
	}
	var out struct {
		DisplayName string `json:"displayName"`
		Avatar      string `json:"avatar"`
	}
	if err := c.authed(ctx, st, call{nsid: nsidGetProfile, params: url.Values{"actor": {st.sess.did}}, proxy: c.proxy}, &out); err != nil {
		c.log.Debug("bluesky profile not read", "did", st.sess.did, "kind", publishers.KindOf(err).String())
		return
	}
	if out.DisplayName != "" {
		acct.Name = out.DisplayName
	}
	acct.AvatarURL = out.Avatar
}
