package x

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
	"github.com/heraldhq/herald/publishers/x/xtest"
)

// No error or log line may carry the access token, the refresh token, the client secret, the
// authorization code or the PKCE verifier, whatever fails.
func TestSecretsNeverAppearInErrors(t *testing.T) {
	ctx := context.Background()
	srv := xtest.NewServer(t)
	var logs bytes.Buffer
	c := testClient(t, srv, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})

	// A real connection, so every secret is a real one.
	in := startOAuth()
	authURL, _, err := c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := srv.Authorize(authURL)
	bu, _ := url.Parse(back)
	code := bu.Query().Get("code")
	creds, _, err := c.CompleteOAuth(ctx, in, nil, code)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"access token": creds.AccessToken, "refresh token": creds.RefreshToken,
		"client secret": xtest.DefaultClientSecret, "code": code, "verifier": in.Verifier,
	}

	var errs pubtest.Failures
	collect := func(err error) {
		t.Helper()
		errs.Add(t, err)
	}
	// The token endpoint refusing, failing and rate limiting.
	_, _, err = c.CompleteOAuth(ctx, in, nil, code) // used code
	collect(err)
	for _, f := range []xtest.Fault{xtest.ServerError(500), xtest.RateLimited(time.Minute), {Status: 400, Detail: "invalid_request"}} {
		srv.Inject(1, f.On(http.MethodPost, "/2/oauth2/token"))
		_, _, err = c.CompleteOAuth(ctx, in, nil, code)
		collect(err)
	}
	stale := *creds
	stale.Expiry = time.Now()
	srv.Inject(1, xtest.ServerError(503).On(http.MethodPost, "/2/oauth2/token"))
	_, _, err = c.Refresh(ctx, &stale)
	collect(err)

	// The API failing in every way, for each call. Tokens carry no refresh token here, so a 401
	// is final (a refresh would rotate the secrets being checked).
	plain := *creds
	plain.RefreshToken = ""
	post := publishers.Post{Text: "x", ScheduledAt: time.Now(), Media: []publishers.Media{image(10, "alt")}}
	faults := []xtest.Fault{xtest.Unauthorized(), xtest.Forbidden("nope"), {Status: 400, Detail: "bad"},
		xtest.RateLimited(time.Minute), xtest.ServerError(500), xtest.ServerError(502)}
	for _, f := range faults {
		for _, path := range []string{"/2/tweets", "/2/media/upload/initialize"} {
			srv.Inject(1, f.On(http.MethodPost, path))
			_, err = c.Publish(ctx, &plain, post)
			collect(err)
		}
		srv.Inject(1, f)
		_, err = c.Metrics(ctx, &plain, []string{"1"})
		collect(err)
		srv.Inject(1, f)
		_, err = c.FindPublished(ctx, &plain, post)
		collect(err)
	}
	srv.Inject(1, xtest.AcceptThenHang())
	_, err = c.Publish(ctx, &plain, publishers.Post{Text: "hang"})
	collect(err)
	srv.Inject(1, xtest.AcceptThenDrop())
	_, err = c.Publish(ctx, &plain, publishers.Post{Text: "drop"})
	collect(err)
	// A first comment X refuses: logged as a warning.
	if _, err := c.Publish(ctx, &plain, publishers.Post{Text: "logged", FirstComment: strings.Repeat("y", 300)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "first comment") {
		t.Errorf("nothing was logged: %q", logs.String())
	}

	errs.NoSecrets(t, logs.String(), secrets)
	if errs.Len() < 30 {
		t.Errorf("only %d failures were checked", errs.Len())
	}
}
