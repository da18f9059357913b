package x

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/x/xtest"
)

func startOAuth() publishers.OAuthStart {
	return publishers.OAuthStart{RedirectURL: xtest.DefaultCallback, State: publishers.NewState(), Verifier: publishers.NewVerifier()}
}

// authorize runs BeginOAuth and the person's consent, returning the callback's code.
func authorize(t *testing.T, c *Client, srv *xtest.Server, in publishers.OAuthStart) string {
	t.Helper()
	authURL, _, err := c.BeginOAuth(context.Background(), in)
	if err != nil {
		t.Fatalf("BeginOAuth: %v", err)
	}
	back, err := srv.Authorize(authURL)
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	u, err := url.Parse(back)
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("state") != in.State {
		t.Fatalf("callback %s lost the state", back)
	}
	return u.Query().Get("code")
}

func TestOAuthRoundTrip(t *testing.T) {
	srv := xtest.NewServer(t)
	now := time.Now()
	c := testClient(t, srv, func(o *Options) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	in := startOAuth()

	authURL, pending, err := c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	sum := sha256.Sum256([]byte(in.Verifier))
	if u.Scheme+"://"+u.Host != srv.URL || u.Path != "/i/oauth2/authorize" || q.Get("response_type") != "code" ||
		q.Get("client_id") != xtest.DefaultClientID || q.Get("redirect_uri") != xtest.DefaultCallback ||
		q.Get("scope") != DefaultScopes || q.Get("state") != in.State || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Errorf("authorization URL %s", authURL)
	}
	if strings.Contains(authURL, in.Verifier) || strings.Contains(authURL, xtest.DefaultClientSecret) {
		t.Error("the authorization URL carries the verifier or the client secret")
	}
	if pending != nil {
		t.Errorf("pending %v, want none", pending)
	}

	back, err := srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	bu, _ := url.Parse(back)
	code := bu.Query().Get("code")
	if !strings.HasPrefix(back, xtest.DefaultCallback+"?") || bu.Query().Get("state") != in.State || code == "" {
		t.Fatalf("callback %s", back)
	}
	creds, acct, err := c.CompleteOAuth(ctx, in, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	if acct.ExternalID != srv.UserID() || acct.Handle != "@"+srv.Username() || acct.Name != "Herald Test" ||
		!strings.HasPrefix(acct.AvatarURL, "https://") || acct.URL != "https://x.com/"+srv.Username() {
		t.Errorf("account %+v", acct)
	}
	if creds.AccessToken == "" || creds.RefreshToken == "" || creds.Get(ExtraUserID) != srv.UserID() ||
		creds.Get(ExtraUsername) != srv.Username() || creds.Expiry.Sub(now) < 119*time.Minute || creds.Expiry.Sub(now) > 121*time.Minute {
		t.Errorf("credentials %+v", creds)
	}
	// The exchange authenticated with HTTP Basic (a confidential client) and sent the verifier.
	grants := srv.TokenGrants()
	if len(grants) != 1 || grants[0] != (xtest.TokenGrant{GrantType: "authorization_code", ClientAuth: "basic", HasVerifier: true}) {
		t.Errorf("token requests %+v", grants)
	}

	// The token works for everything Herald does.
	pub, err := c.Publish(ctx, creds, publishers.Post{Text: "connected", Media: []publishers.Media{image(100, "alt")}})
	if err != nil {
		t.Fatalf("publish with the new token: %v", err)
	}
	if _, err := c.Metrics(ctx, creds, []string{pub.ExternalID}); err != nil {
		t.Errorf("metrics with the new token: %v", err)
	}
	if _, err := c.FindPublished(ctx, creds, publishers.Post{Text: "connected", ScheduledAt: now}); err != nil {
		t.Errorf("find with the new token: %v", err)
	}

	// A code is used once.
	_, _, err = c.CompleteOAuth(ctx, in, pending, code)
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); pe.Code != "invalid_grant" {
		t.Errorf("reused code: %+v", pe)
	}
}

func TestOAuthWrongVerifierIsRefused(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	in := startOAuth()
	code := authorize(t, c, srv, in)

	wrong := in
	wrong.Verifier = publishers.NewVerifier()
	_, _, err := c.CompleteOAuth(context.Background(), wrong, nil, code)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "invalid_grant" || pe.Status != 400 || !strings.Contains(pe.Message, "PKCE verifier did not match") {
		t.Errorf("error %+v", pe)
	}
	for _, secret := range []string{code, wrong.Verifier, in.Verifier, xtest.DefaultClientSecret} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q reveals a secret", err)
		}
	}
	if g := srv.TokenGrants(); len(g) != 1 || !g[0].HasVerifier {
		t.Errorf("token requests %+v", g)
	}
	// The code was spent by the failed attempt, as X does.
	_, _, err = c.CompleteOAuth(context.Background(), in, nil, code)
	pubtest.WantKind(t, err, publishers.KindPermanent)
}

func TestOAuthPublicClientSendsClientIDInTheBody(t *testing.T) {
	srv := xtest.NewServer(t)
	srv.AddPublicClient("cHVibGljLWNsaWVudDox", xtest.DefaultCallback)
	c := testClient(t, srv, func(o *Options) { o.App = publishers.AppCredentials{ClientID: "cHVibGljLWNsaWVudDox"} })
	in := startOAuth()
	creds, _, err := c.CompleteOAuth(context.Background(), in, nil, authorize(t, c, srv, in))
	if err != nil {
		t.Fatal(err)
	}
	if g := srv.TokenGrants(); len(g) != 1 || g[0].ClientAuth != "body" || !g[0].HasVerifier {
		t.Errorf("token requests %+v", g)
	}
	// Refreshing as a public client too.
	creds.Expiry = time.Now().Add(time.Minute)
	if _, changed, err := c.Refresh(context.Background(), creds); err != nil || !changed {
		t.Errorf("Refresh = %v, %v", changed, err)
	}
	if g := srv.TokenGrants(); len(g) != 2 || g[1] != (xtest.TokenGrant{GrantType: "refresh_token", ClientAuth: "body"}) {
		t.Errorf("token requests %+v", g)
	}
}

func TestOAuthWrongClientSecret(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv, func(o *Options) { o.App.ClientSecret = "not-the-secret" })
	in := startOAuth()
	_, _, err := c.CompleteOAuth(context.Background(), in, nil, authorize(t, c, srv, in))
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "unauthorized_client" || !strings.Contains(pe.Message, "HERALD_X_CLIENT_SECRET") || strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("error %+v", pe)
	}
}

func TestOAuthNotConfigured(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv, func(o *Options) { o.App = publishers.AppCredentials{} })
	m := c.Meta()
	for _, want := range []string{"developer portal", "OAuth 2.0", "Web App", publishers.CallbackPlaceholder, "HERALD_X_CLIENT_ID", "HERALD_X_CLIENT_SECRET"} {
		if !strings.Contains(m.Setup, want) {
			t.Errorf("Setup lacks %q: %s", want, m.Setup)
		}
	}
	_, _, err := c.BeginOAuth(context.Background(), startOAuth())
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Message != m.Setup || pe.Code != "not_configured" {
		t.Errorf("BeginOAuth refused with %+v", pe)
	}
	_, _, err = c.CompleteOAuth(context.Background(), startOAuth(), nil, "code")
	pubtest.WantKind(t, err, publishers.KindPermanent)
	// Without the app a token cannot be renewed: the channel waits for an administrator.
	creds := newCreds(srv)
	creds.Expiry = time.Now().Add(time.Minute)
	_, _, err = c.Refresh(context.Background(), creds)
	pubtest.WantKind(t, err, publishers.KindAuthExpired)

	if testClient(t, srv).Meta().Setup != "" {
		t.Error("a configured client still asks for setup")
	}
}

func TestOAuthDeclined(t *testing.T) {
	srv := xtest.NewServer(t)
	srv.SetDenyConsent(true)
	c := testClient(t, srv)
	in := startOAuth()
	authURL, _, _ := c.BeginOAuth(context.Background(), in)
	back, err := srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	if u.Query().Get("error") != "access_denied" || u.Query().Get("code") != "" {
		t.Fatalf("callback %s", back)
	}
	// The server stops at the error; a callback without a code is refused plainly too.
	_, _, err = c.CompleteOAuth(context.Background(), in, nil, "")
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, "no authorization code") {
		t.Errorf("message %q", pe.Message)
	}
}

func TestOAuthFewerScopesThanAskedIsRefused(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	in := startOAuth()
	authURL, _, _ := c.BeginOAuth(context.Background(), in)
	// The person (or a proxy) narrowed the request: no media.write.
	u, _ := url.Parse(authURL)
	q := u.Query()
	q.Set("scope", "tweet.read tweet.write users.read offline.access")
	u.RawQuery = q.Encode()
	back, err := srv.Authorize(u.String())
	if err != nil {
		t.Fatal(err)
	}
	bu, _ := url.Parse(back)
	_, _, err = c.CompleteOAuth(context.Background(), in, nil, bu.Query().Get("code"))
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "insufficient_scope" || !strings.Contains(pe.Message, "media.write") {
		t.Errorf("error %+v", pe)
	}
	if got := missingScopes("", DefaultScopes); got != nil {
		t.Errorf("an unstated grant is not checked, got %v", got)
	}
}

func TestRefreshRotatesTheRefreshToken(t *testing.T) {
	srv := xtest.NewServer(t)
	now := time.Now()
	c := testClient(t, srv, func(o *Options) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	in := startOAuth()
	creds, _, err := c.CompleteOAuth(ctx, in, nil, authorize(t, c, srv, in))
	if err != nil {
		t.Fatal(err)
	}

	if got, changed, err := c.Refresh(ctx, creds); changed || err != nil || got != creds {
		t.Errorf("two hours before expiry: %v, %v", changed, err)
	}
	now = creds.Expiry.Add(-10 * time.Minute) // the scheduler asks 15 minutes ahead
	next, changed, err := c.Refresh(ctx, creds)
	if err != nil || !changed {
		t.Fatalf("Refresh near expiry: %v, %v", changed, err)
	}
	if next.AccessToken == creds.AccessToken || next.RefreshToken == "" || next.RefreshToken == creds.RefreshToken ||
		!next.Expiry.After(creds.Expiry) || next.Get(ExtraUserID) != srv.UserID() || next.Get(ExtraUsername) != srv.Username() {
		t.Errorf("refreshed credentials %+v", next)
	}
	if _, err := c.Publish(ctx, next, publishers.Post{Text: "after refresh"}); err != nil {
		t.Errorf("publish with the refreshed token: %v", err)
	}

	// Every refresh rotates again.
	third, changed, err := c.Refresh(ctx, next)
	if err != nil || !changed || third.RefreshToken == next.RefreshToken {
		t.Fatalf("second refresh: %v, %v, %+v", changed, err, third)
	}

	// The rotated-away refresh token is refused: the account must be reconnected.
	_, _, err = c.Refresh(ctx, creds)
	pe := pubtest.WantKind(t, err, publishers.KindAuthExpired)
	if pe.Code != "invalid_grant" || strings.Contains(err.Error(), creds.RefreshToken) {
		t.Errorf("error %+v", pe)
	}

	// Nothing to do without a refresh token.
	plain := &publishers.Credentials{AccessToken: "t", Expiry: now}
	if got, changed, err := c.Refresh(ctx, plain); got != plain || changed || err != nil {
		t.Errorf("without a refresh token: %v, %v, %v", got, changed, err)
	}
}
