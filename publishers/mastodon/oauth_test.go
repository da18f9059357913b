package mastodon

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

const redirectURL = "https://herald.example/api/v1/channels/oauth/mastodon/callback"

func startOAuth() publishers.OAuthStart {
	return publishers.OAuthStart{RedirectURL: redirectURL, State: publishers.NewState(), Verifier: publishers.NewVerifier()}
}

// connect runs the whole flow against the fake and returns the stored credentials.
func connect(t *testing.T, c *Client, srv *mastodontest.Server) (*publishers.Credentials, publishers.Account) {
	t.Helper()
	ctx := context.Background()
	in := startOAuth()
	in.Instance = srv.URL
	authURL, pending, err := c.BeginOAuth(ctx, in)
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
	srv := mastodontest.NewServer(t)
	c := testClient(t, func(o *Options) { o.Website = "https://herald.example" })
	ctx := context.Background()
	in := startOAuth()
	in.Instance = srv.URL

	authURL, pending, err := c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if u.Path != "/oauth/authorize" || q.Get("response_type") != "code" || q.Get("client_id") != pending[ExtraClientID] ||
		q.Get("redirect_uri") != redirectURL || q.Get("scope") != DefaultScopes || q.Get("state") != in.State ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Errorf("authorization URL %s", authURL)
	}
	if pending[ExtraInstance] != srv.URL || pending[ExtraClientSecret] == "" || srv.AppsRegistered() != 1 {
		t.Errorf("pending %v, apps %d", pending, srv.AppsRegistered())
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
	creds, acct, err := c.CompleteOAuth(ctx, in, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if acct.ExternalID != srv.AccountID() || acct.Handle != "@herald@"+host || acct.Name != "Herald Test" ||
		acct.AvatarURL == "" || acct.URL != srv.URL+"/@herald" {
		t.Errorf("account %+v", acct)
	}
	if creds.AccessToken == "" || creds.RefreshToken != "" || !creds.Expiry.IsZero() ||
		creds.Get(ExtraInstance) != srv.URL || creds.Get(ExtraClientID) != pending[ExtraClientID] ||
		creds.Get(ExtraClientSecret) != pending[ExtraClientSecret] || creds.Get(ExtraAccountID) != srv.AccountID() {
		t.Errorf("credentials %+v", creds)
	}

	// The token works for everything Herald does.
	if _, err := c.Publish(ctx, creds, publishers.Post{IdempotencyKey: "k1", Text: "connected", Media: []publishers.Media{image("png", "alt")}}); err != nil {
		t.Errorf("publish with the new token: %v", err)
	}
	if _, err := c.FindPublished(ctx, creds, publishers.Post{Text: "connected", ScheduledAt: time.Now()}); err != nil {
		t.Errorf("find with the new token: %v", err)
	}

	// A code is used once.
	if _, _, err := c.CompleteOAuth(ctx, in, pending, code); err == nil {
		t.Error("a used code was accepted again")
	}
}

func TestOAuthStateMismatchIsRejected(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	in := startOAuth()
	in.Instance = srv.URL
	authURL, _, err := c.BeginOAuth(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	back, err := srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	_, err = CallbackCode(u.Query(), publishers.NewState()) // another attempt's state
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "state_mismatch" || !strings.Contains(pe.Message, "start connecting again") {
		t.Errorf("error %+v", pe)
	}
	if err := CheckState("", ""); err == nil {
		t.Error("an empty expected state was accepted")
	}
	if err := CheckState(in.State, in.State); err != nil {
		t.Errorf("matching state: %v", err)
	}
}

func TestOAuthWrongVerifierIsInvalidGrant(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	ctx := context.Background()
	in := startOAuth()
	in.Instance = srv.URL
	authURL, pending, err := c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := srv.Authorize(authURL)
	u, _ := url.Parse(back)
	code := u.Query().Get("code")

	wrong := in
	wrong.Verifier = publishers.NewVerifier()
	_, _, err = c.CompleteOAuth(ctx, wrong, pending, code)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "invalid_grant" || pe.Status != 400 || !strings.Contains(err.Error(), "PKCE verifier did not match") {
		t.Errorf("error %+v: %v", pe, err)
	}
	for _, secret := range []string{code, pending[ExtraClientSecret], wrong.Verifier, in.Verifier} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q reveals a secret", err)
		}
	}
}

func TestOAuthWrongClientSecretIsInvalidClient(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	ctx := context.Background()
	in := startOAuth()
	in.Instance = srv.URL
	authURL, pending, _ := c.BeginOAuth(ctx, in)
	back, _ := srv.Authorize(authURL)
	u, _ := url.Parse(back)
	pending[ExtraClientSecret] = "not-the-secret"
	_, _, err := c.CompleteOAuth(ctx, in, pending, u.Query().Get("code"))
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "invalid_client" || strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("error %+v", pe)
	}
}

func TestOAuthDeclined(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetDenyConsent(true)
	c := testClient(t)
	in := startOAuth()
	in.Instance = srv.URL
	authURL, _, err := c.BeginOAuth(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	back, err := srv.Authorize(authURL)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(back)
	_, err = CallbackCode(u.Query(), in.State)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "access_denied" || !strings.Contains(pe.Message, "declined") {
		t.Errorf("error %+v", pe)
	}
}

func TestOAuthFewerScopesThanAskedIsRefused(t *testing.T) {
	if got := missingScopes("read write", DefaultScopes); len(got) != 0 {
		t.Errorf("read write covers the defaults, missing %v", got)
	}
	if got := missingScopes("read write:statuses", DefaultScopes); len(got) != 1 || got[0] != "write:media" {
		t.Errorf("missing %v, want [write:media]", got)
	}
	if got := missingScopes("", DefaultScopes); got != nil {
		t.Errorf("an unstated grant is not checked, got %v", got)
	}
}

func TestNormalizeInstance(t *testing.T) {
	ok := map[string]string{
		"mastodon.social":                "https://mastodon.social",
		"  Mastodon.Social/ ":            "https://mastodon.social",
		"https://mastodon.social/@alice": "https://mastodon.social",
		"http://localhost:3000":          "http://localhost:3000",
		"HTTPS://fosstodon.org?x=1":      "https://fosstodon.org",
	}
	for in, want := range ok {
		got, err := normalizeInstance(in)
		if err != nil || got != want {
			t.Errorf("normalizeInstance(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ftp://mastodon.social", "javascript:alert(1)", "alice@mastodon.social",
		"https://alice:pw@mastodon.social", "@alice@mastodon.social", "https://mastodon.social/#about", "https://", "mastodon social"} {
		_, err := normalizeInstance(in)
		pe := pubtest.WantKind(t, err, publishers.KindPermanent)
		if pe.Message == "" || strings.Contains(pe.Message, "parse") {
			t.Errorf("normalizeInstance(%q): message %q is not plain", in, pe.Message)
		}
	}

	// BeginOAuth refuses before any request.
	c := testClient(t)
	_, _, err := c.BeginOAuth(context.Background(), publishers.OAuthStart{Instance: "ftp://x", RedirectURL: redirectURL, State: "s", Verifier: "v"})
	pubtest.WantKind(t, err, publishers.KindPermanent)
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()

	t.Run("mastodon tokens do not expire", func(t *testing.T) {
		srv := mastodontest.NewServer(t)
		c := testClient(t)
		creds, _ := connect(t, c, srv)
		got, changed, err := c.Refresh(ctx, creds)
		if err != nil || changed || got != creds {
			t.Errorf("Refresh = %v, %v, %v; want the same credentials, false, nil", got, changed, err)
		}
	})

	t.Run("servers that issue refresh tokens", func(t *testing.T) {
		srv := mastodontest.NewServer(t)
		srv.IssueRefreshTokens(time.Hour)
		now := time.Now()
		c := testClient(t, func(o *Options) { o.Now = func() time.Time { return now } })
		creds, _ := connect(t, c, srv)
		if creds.RefreshToken == "" || creds.Expiry.IsZero() {
			t.Fatalf("credentials %+v lack a refresh token or expiry", creds)
		}
		if _, changed, err := c.Refresh(ctx, creds); changed || err != nil {
			t.Errorf("an hour before expiry: changed %v, %v", changed, err)
		}

		now = creds.Expiry.Add(-time.Minute)
		next, changed, err := c.Refresh(ctx, creds)
		if err != nil || !changed {
			t.Fatalf("Refresh near expiry: %v, %v", changed, err)
		}
		if next.AccessToken == creds.AccessToken || next.RefreshToken == creds.RefreshToken ||
			next.Get(ExtraClientSecret) != creds.Get(ExtraClientSecret) || next.Get(ExtraAccountID) != srv.AccountID() {
			t.Errorf("refreshed credentials %+v", next)
		}
		if _, err := c.Publish(ctx, next, publishers.Post{Text: "after refresh"}); err != nil {
			t.Errorf("publish with the refreshed token: %v", err)
		}

		// The old refresh token was rotated away: reconnecting is the only way.
		_, _, err = c.Refresh(ctx, creds)
		pe := pubtest.WantKind(t, err, publishers.KindAuthExpired)
		if strings.Contains(err.Error(), creds.RefreshToken) {
			t.Errorf("error %+v reveals the refresh token", pe)
		}
	})
}

func TestBeginOAuthOnAServerThatIsNotMastodon(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.Inject(1, mastodontest.Fault{Status: 404, Error: "Not Found"}.On("POST", "/api/v1/apps"))
	in := startOAuth()
	in.Instance = srv.URL
	_, _, err := testClient(t).BeginOAuth(context.Background(), in)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if !strings.Contains(pe.Message, "does not look like a Mastodon server") {
		t.Errorf("message %q", pe.Message)
	}
}
