package mastodon

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

// No error or log line may carry the access token, the refresh token, the client secret, the
// authorization code or the PKCE verifier, whatever fails.
func TestSecretsNeverAppearInErrors(t *testing.T) {
	ctx := context.Background()
	srv := mastodontest.NewServer(t)
	srv.IssueRefreshTokens(time.Hour)
	var logs bytes.Buffer
	now := time.Now()
	c := testClient(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.Now = func() time.Time { return now }
		o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})

	// A real connection, so every secret is a real one.
	in := startOAuth()
	in.Instance = srv.URL
	authURL, pending, err := c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := srv.Authorize(authURL)
	bu, _ := url.Parse(back)
	code := bu.Query().Get("code")
	creds, _, err := c.CompleteOAuth(ctx, in, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"access token": creds.AccessToken, "refresh token": creds.RefreshToken,
		"client secret": pending[ExtraClientSecret], "code": code, "verifier": in.Verifier,
	}

	var errs pubtest.Failures
	collect := func(err error) {
		t.Helper()
		errs.Add(t, err)
	}
	post := publishers.Post{IdempotencyKey: "k", Text: "x", ScheduledAt: now, FirstComment: strings.Repeat("y", 600)}

	// The token endpoint refusing, failing and rate limiting.
	_, _, err = c.CompleteOAuth(ctx, in, pending, code) // used code
	collect(err)
	wrong := in
	wrong.Verifier = publishers.NewVerifier()
	_, _, err = c.CompleteOAuth(ctx, wrong, pending, code)
	collect(err)
	for _, f := range []mastodontest.Fault{mastodontest.ServerError(500), mastodontest.RateLimited(time.Minute), {Status: 400, Error: "invalid_request"}} {
		srv.Inject(1, f.On(http.MethodPost, "/oauth/token"))
		_, _, err = c.CompleteOAuth(ctx, in, pending, code)
		collect(err)
	}
	now = creds.Expiry.Add(-time.Minute)
	srv.Inject(1, mastodontest.ServerError(503).On(http.MethodPost, "/oauth/token"))
	_, _, err = c.Refresh(ctx, creds)
	collect(err)
	now = time.Now()

	// The API failing in every way, for each call.
	faults := []mastodontest.Fault{mastodontest.Revoked(), {Status: 403}, {Status: 422, Error: "Validation failed"},
		mastodontest.RateLimited(time.Minute), mastodontest.ServerError(500), mastodontest.ServerError(502)}
	for _, f := range faults {
		srv.Inject(1, f)
		_, err = c.Publish(ctx, creds, post)
		collect(err)
		srv.Inject(1, f)
		_, err = c.Metrics(ctx, creds, []string{"1"})
		collect(err)
		srv.Inject(1, f)
		_, err = c.FindPublished(ctx, creds, post)
		collect(err)
	}
	srv.Inject(1, mastodontest.AcceptThenHang())
	_, err = c.Publish(ctx, creds, post)
	collect(err)
	srv.Inject(1, mastodontest.AcceptThenDrop())
	dropped := post
	dropped.IdempotencyKey = "k-drop" // "k" was created by the hung request: its replay would succeed
	_, err = c.Publish(ctx, creds, dropped)
	collect(err)
	// A first comment refused (too long): logged.
	if _, err := c.Publish(ctx, creds, publishers.Post{IdempotencyKey: "k-log", Text: "logged", FirstComment: post.FirstComment}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "first comment") {
		t.Errorf("nothing was logged: %q", logs.String())
	}

	errs.NoSecrets(t, logs.String(), secrets)
	if errs.Len() < 25 {
		t.Errorf("only %d failures were checked", errs.Len())
	}
}
