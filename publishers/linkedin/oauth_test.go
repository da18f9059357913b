package linkedin

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func startOAuth() publishers.OAuthStart {
	return publishers.OAuthStart{RedirectURL: redirectURL, State: publishers.NewState(), Verifier: publishers.NewVerifier()}
}

// connect runs the whole flow against the fake and returns the stored credentials.
func connect(t *testing.T, c *Client, srv *linkedintest.Server) (*publishers.Credentials, publishers.Account) {
	t.Helper()
	ctx := context.Background()
	in := startOAuth()
	authURL, pending, err := c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatalf("BeginOAuth: %v", err)
	}
	back, err := srv.Authorize(authURL)
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	u, _ := url.Parse(back)
	code, err := CallbackCode(u.Query(), in.State)
	if err != nil {
		t.Fatalf("CallbackCode: %v", err)
	}
	creds, acct, err := c.CompleteOAuth(ctx, in, pending, code)
	if err != nil {
		t.Fatalf("CompleteOAuth: %v", err)
	}
	return creds, acct
}

func TestOAuthRoundTrip(t *testing.T) {
	srv := linkedintest.NewServer(t)
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	srv.SetNow(func() time.Time { return now })
	c := testClient(t, srv, func(o *Options) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	in := startOAuth()

	authURL, pending, err := c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if u.Path != "/oauth/v2/authorization" || q.Get("response_type") != "code" || q.Get("client_id") != srv.ClientID() ||
		q.Get("redirect_uri") != redirectURL || q.Get("scope") != DefaultScopes || q.Get("state") != in.State ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || len(pending) != 0 {
		t.Errorf("authorization URL %s, pending %v", authURL, pending)
	}
	back, err := srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	bu, _ := url.Parse(back)
	if !strings.HasPrefix(back, redirectURL+"?") || bu.Query().Get("state") != in.State {
		t.Fatalf("redirect %s", back)
	}
	code, err := CallbackCode(bu.Query(), in.State)
	if err != nil {
		t.Fatal(err)
	}
	// The fake refuses a code_verifier from an app LinkedIn has not enabled PKCE for: this
	// passing proves Herald keeps it out by default.
	creds, acct, err := c.CompleteOAuth(ctx, in, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	if acct.ExternalID != srv.MemberURN() || acct.Name != linkedintest.MemberName || acct.AvatarURL == "" {
		t.Errorf("account %+v", acct)
	}
	if creds.AccessToken == "" || creds.RefreshToken != "" || !creds.Expiry.Equal(now.Add(60*24*time.Hour)) ||
		creds.Get(ExtraAuthor) != srv.MemberURN() || creds.Get(ExtraMember) != srv.MemberURN() ||
		creds.Get(ExtraScope) != DefaultScopes {
		t.Errorf("credentials %+v", creds)
	}
	if _, err := c.Publish(ctx, creds, publishers.Post{Text: "connected"}); err != nil {
		t.Errorf("publishing with the new token: %v", err)
	}
	// A code is used once.
	_, _, err = c.CompleteOAuth(ctx, in, pending, code)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "invalid_request" || strings.Contains(err.Error(), code) {
		t.Errorf("reused code: %+v", pe)
	}
}

func TestOAuthWithPKCEEnabledForTheApp(t *testing.T) {
	srv := linkedintest.NewServer(t)
	srv.EnablePKCE(true)
	ctx := context.Background()

	c := testClient(t, srv, func(o *Options) { o.PKCE = true })
	if creds, _ := connect(t, c, srv); creds.AccessToken == "" {
		t.Fatal("no token")
	}

	// The verifier is checked: another attempt's verifier is refused.
	in := startOAuth()
	authURL, pending, _ := c.BeginOAuth(ctx, in)
	back, _ := srv.Authorize(authURL)
	bu, _ := url.Parse(back)
	wrong := in
	wrong.Verifier = publishers.NewVerifier()
	_, _, err := c.CompleteOAuth(ctx, wrong, pending, bu.Query().Get("code"))
	pubtest.WantKind(t, err, publishers.KindPermanent)

	// Without Options.PKCE the challenge bound to the code is never answered.
	plain := testClient(t, srv)
	in = startOAuth()
	authURL, pending, _ = plain.BeginOAuth(ctx, in)
	back, _ = srv.Authorize(authURL)
	bu, _ = url.Parse(back)
	_, _, err = plain.CompleteOAuth(ctx, in, pending, bu.Query().Get("code"))
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if !strings.Contains(pe.Message, "PKCE") {
		t.Errorf("message %q does not point at PKCE", pe.Message)
	}
}

func TestOAuthStateMismatchIsRejected(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	in := startOAuth()
	authURL, _, _ := c.BeginOAuth(context.Background(), in)
	back, err := srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	_, err = CallbackCode(u.Query(), publishers.NewState())
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); pe.Code != "state_mismatch" {
		t.Errorf("error %+v", pe)
	}
	if CheckState("", "") == nil || CheckState(in.State, in.State) != nil {
		t.Error("CheckState")
	}
}

func TestOAuthCancelledAndMissingProduct(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	srv.SetDenyConsent(true)
	in := startOAuth()
	authURL, _, _ := c.BeginOAuth(context.Background(), in)
	back, _ := srv.Authorize(authURL)
	u, _ := url.Parse(back)
	_, err := CallbackCode(u.Query(), in.State)
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); pe.Code != "user_cancelled_authorize" || !strings.Contains(pe.Message, "cancelled") {
		t.Errorf("cancelled: %+v", pe)
	}

	// An app without the Community Management API cannot ask for the page scopes...
	srv.SetDenyConsent(false)
	srv.SetAppScopes("openid profile email w_member_social")
	in = startOAuth()
	authURL, _, _ = c.BeginOAuth(context.Background(), in)
	back, _ = srv.Authorize(authURL)
	u, _ = url.Parse(back)
	_, err = CallbackCode(u.Query(), in.State)
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); pe.Code != "unauthorized_scope_error" || !strings.Contains(pe.Message, "Community Management") {
		t.Errorf("scope: %+v", pe)
	}
	// ...but connects members with MemberScopes, and then only the member can be chosen.
	mc := testClient(t, srv, func(o *Options) { o.Scopes = MemberScopes })
	creds, _ := connect(t, mc, srv)
	choices, err := mc.Choices(context.Background(), creds)
	if err != nil || len(choices) != 1 || choices[0].ID != srv.MemberURN() {
		t.Errorf("choices %+v, %v", choices, err)
	}
	if srv.Requests("GET", "/rest/organizationAcls") != 0 {
		t.Error("listed pages without the page scopes")
	}
}

func TestWithoutAppSetupExplainsAndConnectingIsRefused(t *testing.T) {
	c := New(Options{})
	m := c.Meta()
	for _, want := range []string{"LinkedIn Developer Portal", "Sign In with LinkedIn using OpenID Connect", "Share on LinkedIn",
		"Community Management API", publishers.CallbackPlaceholder, "HERALD_LINKEDIN_CLIENT_ID", "HERALD_LINKEDIN_CLIENT_SECRET"} {
		if !strings.Contains(m.Setup, want) {
			t.Errorf("Setup lacks %q: %s", want, m.Setup)
		}
	}
	_, _, err := c.BeginOAuth(context.Background(), startOAuth())
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "not_configured" || !strings.Contains(pe.Message, redirectURL) || strings.Contains(pe.Message, publishers.CallbackPlaceholder) {
		t.Errorf("error %+v", pe)
	}
	if configured := New(Options{App: publishers.AppCredentials{ClientID: "x", ClientSecret: "y"}}).Meta(); configured.Setup != "" {
		t.Errorf("a configured app still shows setup help")
	}
}

// Refresh: tokens last 60 days; most apps get no refresh token.
func TestRefresh(t *testing.T) {
	srv := linkedintest.NewServer(t)
	srv.IssueRefreshTokens(true)
	start := time.Now()
	now := start
	srv.SetNow(func() time.Time { return now })
	c := testClient(t, srv, func(o *Options) { o.Now = func() time.Time { return now } })
	ctx := context.Background()

	t.Run("no refresh token, still valid", func(t *testing.T) {
		creds := memberCreds(srv, "")
		creds.Expiry = now.Add(10 * time.Minute)
		got, changed, err := c.Refresh(ctx, creds)
		if err != nil || changed || got != creds {
			t.Errorf("got %v %v %v", got, changed, err)
		}
	})
	t.Run("no refresh token, expired", func(t *testing.T) {
		creds := memberCreds(srv, "")
		creds.Expiry = now.Add(-time.Second)
		_, changed, err := c.Refresh(ctx, creds)
		pe := pubtest.WantKind(t, err, publishers.KindAuthExpired)
		if changed || pe.Message != ErrAccessEnded {
			t.Errorf("error %+v", pe)
		}
		// Publishing says the same without calling LinkedIn.
		before := srv.Requests("POST", "/rest/posts")
		_, err = c.Publish(ctx, creds, publishers.Post{Text: "late"})
		if pe := pubtest.WantKind(t, err, publishers.KindAuthExpired); pe.Message != ErrAccessEnded || srv.Requests("POST", "/rest/posts") != before {
			t.Errorf("publish: %+v", pe)
		}
	})
	t.Run("far from expiry", func(t *testing.T) {
		creds := memberCreds(srv, "")
		creds.RefreshToken = "r"
		got, changed, err := c.Refresh(ctx, creds)
		if err != nil || changed || got != creds {
			t.Errorf("got %v %v %v", got, changed, err)
		}
	})
	t.Run("with a refresh token", func(t *testing.T) {
		now = start
		creds, _ := connect(t, c, srv)
		if creds.RefreshToken == "" || creds.Get(ExtraRefreshExpiry) == "" {
			t.Fatalf("no refresh token: %+v", creds)
		}
		now = creds.Expiry.Add(-5 * time.Minute)
		next, changed, err := c.Refresh(ctx, creds)
		if err != nil || !changed {
			t.Fatalf("refresh: %v %v", changed, err)
		}
		if next.AccessToken == creds.AccessToken || next.RefreshToken != creds.RefreshToken ||
			!next.Expiry.Equal(now.Add(60*24*time.Hour).UTC()) || next.Get(ExtraAuthor) != creds.Get(ExtraAuthor) ||
			next.Get(ExtraRefreshExpiry) != creds.Get(ExtraRefreshExpiry) {
			t.Errorf("refreshed %+v from %+v", next, creds)
		}
		if creds.Extra[ExtraAuthor] == "" {
			t.Error("Refresh changed its argument")
		}
		if _, err := c.Publish(ctx, next, publishers.Post{Text: "renewed"}); err != nil {
			t.Errorf("the renewed token does not work: %v", err)
		}
		// A year after connecting the refresh token ends too.
		now = start.Add(366 * 24 * time.Hour)
		next.Expiry = now.Add(time.Minute)
		_, _, err = c.Refresh(ctx, next)
		pubtest.WantKind(t, err, publishers.KindAuthExpired)
	})
	t.Run("refresh token refused", func(t *testing.T) {
		now = start
		creds := memberCreds(srv, "")
		creds.RefreshToken = "not-a-refresh-token"
		creds.Expiry = now.Add(time.Minute)
		_, _, err := c.Refresh(ctx, creds)
		pe := pubtest.WantKind(t, err, publishers.KindAuthExpired)
		if strings.Contains(pe.Error(), "not-a-refresh-token") {
			t.Error("the refresh token leaks into the error")
		}
	})
}
