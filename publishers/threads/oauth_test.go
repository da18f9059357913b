package threads

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/threads/threadstest"
)

const redirectURL = "https://herald.example/api/v1/connect/threads/callback"

func startOAuth() publishers.OAuthStart {
	return publishers.OAuthStart{RedirectURL: redirectURL, State: publishers.NewState(), Verifier: publishers.NewVerifier()}
}

// authorize runs BeginOAuth and the person's consent, and returns the callback's query.
func (e *env) authorize(t *testing.T, in publishers.OAuthStart) url.Values {
	t.Helper()
	e.srv.RegisterRedirectURI(redirectURL)
	authURL, pending, err := e.c.BeginOAuth(context.Background(), in)
	if err != nil {
		t.Fatalf("BeginOAuth: %v", err)
	}
	if pending != nil {
		t.Errorf("pending values %v: Threads needs none", pending)
	}
	back, err := e.srv.Authorize(authURL)
	if err != nil {
		t.Fatalf("consent: %v", err)
	}
	u, err := url.Parse(back)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestOAuthRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := startOAuth()
	e.srv.RegisterRedirectURI(redirectURL)

	authURL, _, err := e.c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if u.Path != "/oauth/authorize" || q.Get("client_id") != e.srv.AppID() || q.Get("redirect_uri") != redirectURL ||
		q.Get("response_type") != "code" || q.Get("scope") != DefaultScopes || q.Get("state") != in.State ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Errorf("authorization URL %s", authURL)
	}
	if strings.Contains(authURL, e.srv.AppSecret()) || strings.Contains(authURL, in.Verifier) {
		t.Error("the authorization URL carries a secret")
	}

	back, err := e.srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	bu, _ := url.Parse(back)
	if !strings.HasPrefix(back, redirectURL+"?") || bu.Fragment != "_" || bu.Query().Get("state") != in.State {
		t.Fatalf("redirect %s", back)
	}
	code, err := CallbackCode(bu.Query(), in.State)
	if err != nil {
		t.Fatal(err)
	}
	creds, acct, err := e.c.CompleteOAuth(ctx, in, nil, code)
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	// The long-lived token: 60 days, the expiry the fake gave it.
	if creds.Expiry != now.Add(60*24*time.Hour) || e.srv.TokenExpiry(creds.AccessToken) != creds.Expiry {
		t.Errorf("expiry %v, the fake's %v, want 60 days from %v", creds.Expiry, e.srv.TokenExpiry(creds.AccessToken), now)
	}
	if !strings.HasPrefix(creds.AccessToken, "THAAlong") || creds.RefreshToken != "" {
		t.Errorf("credentials hold %q / %q, want the long-lived token only", creds.AccessToken[:8], creds.RefreshToken)
	}
	// The user id exceeds 2^53: it must come through exactly.
	if creds.Get(ExtraUserID) != e.srv.UserID() || creds.Get(ExtraUsername) != "herald.test" ||
		creds.Get(ExtraTokenIssuedAt) != now.Format(time.RFC3339) {
		t.Errorf("extra %v", creds.Extra)
	}
	if acct.ExternalID != e.srv.UserID() || acct.Name != "Herald Test" || acct.Handle != "@herald.test" ||
		acct.URL != "https://www.threads.net/@herald.test" || acct.AvatarURL == "" {
		t.Errorf("account %+v", acct)
	}
	for _, ep := range []string{threadstest.EndpointToken, threadstest.EndpointExchange, threadstest.EndpointUser} {
		if n := e.srv.Requests(ep); n != 1 {
			t.Errorf("%s called %d times", ep, n)
		}
	}

	// The token works for publishing.
	if _, err := e.c.Publish(ctx, creds, publishers.Post{Text: "connected"}); err != nil {
		t.Errorf("publish with the new token: %v", err)
	}

	// A code is used once.
	e.srv.AllowBadRequests()
	_, _, err = e.c.CompleteOAuth(ctx, in, nil, code)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "100/36009" || !strings.Contains(pe.Message, "start connecting again") {
		t.Errorf("reused code: %+v", pe)
	}
}

func TestOAuthWrongVerifierIsRefused(t *testing.T) {
	e := newEnv(t)
	in := startOAuth()
	code := e.authorize(t, in).Get("code")
	wrong := in
	wrong.Verifier = publishers.NewVerifier()
	_, _, err := e.c.CompleteOAuth(context.Background(), wrong, nil, code)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if !strings.Contains(pe.Message, "code_verifier") || !strings.Contains(pe.Message, "start connecting again") {
		t.Errorf("message %q", pe.Message)
	}
	for _, secret := range []string{code, wrong.Verifier, in.Verifier, e.srv.AppSecret()} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q reveals a secret", err)
		}
	}
	// The right verifier still works: the refused attempt did not use the code up.
	if _, _, err := e.c.CompleteOAuth(context.Background(), in, nil, code); err != nil {
		t.Errorf("the right verifier: %v", err)
	}
}

func TestOAuthExpiredCode(t *testing.T) {
	e := newEnv(t)
	in := startOAuth()
	code := e.authorize(t, in).Get("code")
	e.clock.Advance(threadstest.CodeTTL + time.Second)
	_, _, err := e.c.CompleteOAuth(context.Background(), in, nil, code)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "100/36007" || !strings.Contains(pe.Message, "expired") {
		t.Errorf("error %+v", pe)
	}
}

func TestOAuthWrongAppSecret(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.App.ClientSecret = "not-the-secret" })
	in := startOAuth()
	code := e.authorize(t, in).Get("code")
	_, _, err := e.c.CompleteOAuth(context.Background(), in, nil, code)
	pe := pubtest.AsError(t, err)
	if !strings.Contains(pe.Message, "client secret") || strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("error %+v", pe)
	}
}

func TestOAuthStateMismatchIsRejected(t *testing.T) {
	e := newEnv(t)
	in := startOAuth()
	q := e.authorize(t, in)
	_, err := CallbackCode(q, publishers.NewState())
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "state_mismatch" {
		t.Errorf("error %+v", pe)
	}
	if err := CheckState("", ""); err == nil {
		t.Error("an empty expected state was accepted")
	}
}

func TestOAuthDeclined(t *testing.T) {
	e := newEnv(t)
	e.srv.SetDenyConsent(true)
	in := startOAuth()
	q := e.authorize(t, in)
	_, err := CallbackCode(q, in.State)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "access_denied" || !strings.Contains(pe.Message, "declined") {
		t.Errorf("error %+v", pe)
	}
}

func TestNotConfigured(t *testing.T) {
	c := New(Options{})
	m := c.Meta()
	for _, want := range []string{"Threads use case", publishers.CallbackPlaceholder, "HERALD_THREADS_CLIENT_ID", "HERALD_THREADS_CLIENT_SECRET", "Threads app ID"} {
		if !strings.Contains(m.Setup, want) {
			t.Errorf("Setup lacks %q: %s", want, m.Setup)
		}
	}
	_, _, err := c.BeginOAuth(context.Background(), startOAuth())
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "not_configured" || !strings.Contains(pe.Message, "HERALD_THREADS_CLIENT_ID") {
		t.Errorf("error %+v", pe)
	}
	_, _, err = c.CompleteOAuth(context.Background(), startOAuth(), nil, "code")
	pubtest.WantKind(t, err, publishers.KindPermanent)
	// An id without a secret is not enough: Threads has no public clients.
	if New(Options{App: publishers.AppCredentials{ClientID: "1"}}).Meta().Setup == "" {
		t.Error("a client id alone counts as configured")
	}
	if s := New(Options{App: publishers.AppCredentials{ClientID: "1", ClientSecret: "s"}}).Meta().Setup; s != "" {
		t.Errorf("configured, yet Setup says %q", s)
	}
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()

	t.Run("not due", func(t *testing.T) {
		e := newEnv(t)
		creds := e.creds(2 * 24 * time.Hour)
		got, changed, err := e.c.Refresh(ctx, creds)
		if err != nil || changed || got != creds || e.srv.Requests(threadstest.EndpointRefresh) != 0 {
			t.Errorf("Refresh = %v, %v, %v", got, changed, err)
		}
	})

	t.Run("due", func(t *testing.T) {
		e := newEnv(t)
		creds := e.creds(55 * 24 * time.Hour) // five days left
		before := *creds
		next, changed, err := e.c.Refresh(ctx, creds)
		if err != nil || !changed {
			t.Fatalf("Refresh: %v, %v", changed, err)
		}
		now := e.clock.Now()
		if next.AccessToken == creds.AccessToken || next.Expiry != now.Add(60*24*time.Hour) ||
			e.srv.TokenExpiry(next.AccessToken) != next.Expiry || next.Get(ExtraTokenIssuedAt) != now.Format(time.RFC3339) ||
			next.Get(ExtraUserID) != e.srv.UserID() {
			t.Errorf("refreshed %+v", next)
		}
		if creds.AccessToken != before.AccessToken || creds.Get(ExtraTokenIssuedAt) != before.Get(ExtraTokenIssuedAt) {
			t.Error("Refresh modified its argument")
		}
		if _, err := e.c.Publish(ctx, next, publishers.Post{Text: "after refresh"}); err != nil {
			t.Errorf("publish with the refreshed token: %v", err)
		}
		// Refreshed a moment ago, the new token is neither due nor old enough.
		if _, changed, err := e.c.Refresh(ctx, next); changed || err != nil {
			t.Errorf("refreshing again: %v, %v", changed, err)
		}
	})

	t.Run("too young to refresh", func(t *testing.T) {
		e := newEnv(t)
		creds := e.creds(2 * 24 * time.Hour)
		// Expiring in three days yet issued an hour ago: Threads would refuse the refresh, so
		// Herald does not ask.
		creds.Expiry = e.clock.Now().Add(3 * 24 * time.Hour)
		creds.Extra[ExtraTokenIssuedAt] = e.clock.Now().Add(-time.Hour).Format(time.RFC3339)
		got, changed, err := e.c.Refresh(ctx, creds)
		if err != nil || changed || got != creds || e.srv.Requests(threadstest.EndpointRefresh) != 0 {
			t.Errorf("Refresh = %v, %v, %v; %d requests", got, changed, err, e.srv.Requests(threadstest.EndpointRefresh))
		}
	})

	t.Run("expired", func(t *testing.T) {
		e := newEnv(t)
		creds := e.creds(61 * 24 * time.Hour)
		_, _, err := e.c.Refresh(ctx, creds)
		pe := pubtest.WantKind(t, err, publishers.KindAuthExpired)
		if !strings.Contains(pe.Message, "ended on") || !strings.Contains(pe.Message, "Reconnect the Threads account") ||
			e.srv.Requests(threadstest.EndpointRefresh) != 0 {
			t.Errorf("error %+v", pe)
		}
		// Publishing with it is refused the same way, before any request.
		_, err = e.c.Publish(ctx, creds, publishers.Post{Text: "x"})
		pubtest.WantKind(t, err, publishers.KindAuthExpired)
		if n := requestsTotal(e.srv); n != 0 {
			t.Errorf("%d requests with an expired token", n)
		}
	})

	t.Run("revoked", func(t *testing.T) {
		e := newEnv(t)
		creds := e.creds(55 * 24 * time.Hour)
		e.srv.RevokeToken(creds.AccessToken)
		_, _, err := e.c.Refresh(ctx, creds)
		pe := pubtest.WantKind(t, err, publishers.KindAuthExpired)
		if pe.Code != "190/458" || !strings.Contains(pe.Message, "removed") {
			t.Errorf("error %+v", pe)
		}
	})

	t.Run("publish renews a due token in place", func(t *testing.T) {
		e := newEnv(t)
		creds := e.creds(57 * 24 * time.Hour)
		before := *creds
		if _, err := e.c.Publish(ctx, creds, publishers.Post{Text: "renewing"}); err != nil {
			t.Fatal(err)
		}
		if creds.AccessToken == before.AccessToken || !creds.Expiry.After(before.Expiry) ||
			before.Get(ExtraTokenIssuedAt) == creds.Get(ExtraTokenIssuedAt) {
			t.Errorf("credentials were not renewed: %+v", creds)
		}
		if e.srv.Requests(threadstest.EndpointRefresh) != 1 {
			t.Errorf("%d refreshes", e.srv.Requests(threadstest.EndpointRefresh))
		}
	})

	t.Run("a failed renewal does not stop the publish", func(t *testing.T) {
		e := newEnv(t)
		creds := e.creds(57 * 24 * time.Hour)
		e.srv.Inject(1, threadstest.ServerError(503).On(threadstest.EndpointRefresh))
		token := creds.AccessToken
		if _, err := e.c.Publish(ctx, creds, publishers.Post{Text: "renewal failed"}); err != nil {
			t.Fatal(err)
		}
		if creds.AccessToken != token {
			t.Error("credentials changed after a failed renewal")
		}
	})
}
