package linkedin

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// No error or log line may carry the access token, the refresh token, the client secret, the
// authorization code or the PKCE verifier, whatever fails.
func TestSecretsNeverAppearInErrorsOrLogs(t *testing.T) {
	ctx := context.Background()
	srv := linkedintest.NewServer(t)
	srv.IssueRefreshTokens(true)
	var logs bytes.Buffer
	now := time.Now()
	srv.SetNow(func() time.Time { return now })
	c := testClient(t, srv, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.Now = func() time.Time { return now }
		o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})
	in := startOAuth()
	authURL, pending, _ := c.BeginOAuth(ctx, in)
	back, _ := srv.Authorize(authURL)
	bu, _ := url.Parse(back)
	code := bu.Query().Get("code")
	creds, _, err := c.CompleteOAuth(ctx, in, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := c.Choose(ctx, creds, linkedintest.OrganizationURN(1001))
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"access token": creds.AccessToken, "refresh token": creds.RefreshToken,
		"client secret": srv.ClientSecret(), "code": code, "verifier": in.Verifier}

	var errs pubtest.Failures
	collect := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: expected a failure", what)
			return
		}
		errs.Add(t, err)
	}
	_, _, err = c.CompleteOAuth(ctx, in, pending, code) // used code
	collect("used code", err)
	for _, f := range []linkedintest.Fault{linkedintest.ServerError(500), linkedintest.RateLimited()} {
		srv.Inject(1, f.On(http.MethodPost, "/oauth/v2/accessToken"))
		_, _, err = c.CompleteOAuth(ctx, in, pending, code)
		collect("token endpoint", err)
	}
	expiring := *page
	expiring.Expiry = now.Add(time.Minute)
	srv.Inject(1, linkedintest.ServerError(503).On(http.MethodPost, "/oauth/v2/accessToken"))
	_, _, err = c.Refresh(ctx, &expiring)
	collect("refresh", err)

	post := publishers.Post{Text: "secret test", ScheduledAt: now, FirstComment: "c"}
	faults := []linkedintest.Fault{linkedintest.Expired(), linkedintest.Forbidden(""), linkedintest.Duplicate("urn:li:share:1"),
		linkedintest.RateLimited(), linkedintest.ServerError(500), linkedintest.ServerError(502)}
	for i, f := range faults {
		srv.Inject(1, f)
		_, err = c.Publish(ctx, page, publishers.Post{Text: fmt.Sprintf("%s %d", post.Text, i)})
		collect("publish", err)
		srv.Inject(1, f)
		_, err = c.Metrics(ctx, page, []string{"urn:li:share:1"})
		collect("metrics", err)
		srv.Inject(1, f)
		_, err = c.FindPublished(ctx, page, post)
		collect("find", err)
		srv.Inject(1, f)
		_, err = c.Choices(ctx, creds)
		collect("choices", err)
	}
	srv.Inject(1, linkedintest.AcceptThenHang())
	_, err = c.Publish(ctx, page, publishers.Post{Text: "hangs"})
	collect("hang", err)
	// A refused first comment is logged.
	srv.Inject(1, linkedintest.Forbidden("").On(http.MethodPost, "/rest/socialActions/*"))
	if _, err := c.Publish(ctx, page, publishers.Post{Text: "logged", FirstComment: "no"}); err != nil {
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
