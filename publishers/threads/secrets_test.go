package threads

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/threads/threadstest"
)

// No error or log line may carry an access token (short- or long-lived), the app secret, an
// authorization code or the PKCE verifier, whatever fails.
func TestSecretsNeverAppearInErrors(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	e := newEnv(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})
	e.srv.AllowBadRequests()

	// A real connection, so every secret is a real one.
	in := startOAuth()
	code := e.authorize(t, in).Get("code")
	creds, _, err := e.c.CompleteOAuth(ctx, in, nil, code)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"access token": creds.AccessToken, "app secret": e.srv.AppSecret(), "code": code, "verifier": in.Verifier,
	}

	var errs pubtest.Failures
	collect := func(err error) {
		t.Helper()
		errs.Add(t, err)
	}

	// The token endpoints refusing and failing.
	_, _, err = e.c.CompleteOAuth(ctx, in, nil, code) // used code
	collect(err)
	for _, f := range []threadstest.Fault{threadstest.ServerError(500), threadstest.RateLimited(1), threadstest.GraphError(400, 1, 0, "Error validating client secret.")} {
		e.srv.Inject(1, f.On(threadstest.EndpointToken))
		code2 := e.authorize(t, in).Get("code")
		secrets["code 2"] = code2
		_, _, err = e.c.CompleteOAuth(ctx, in, nil, code2)
		collect(err)
	}
	e.srv.Inject(1, threadstest.ServerError(500).On(threadstest.EndpointExchange))
	code3 := e.authorize(t, in).Get("code")
	secrets["code 3"] = code3
	_, _, err = e.c.CompleteOAuth(ctx, in, nil, code3)
	collect(err)

	// The refresh failing, with the token in its URL.
	due := e.creds(55 * 24 * time.Hour)
	secrets["due token"] = due.AccessToken
	for _, f := range []threadstest.Fault{threadstest.ServerError(503), threadstest.TokenExpired(), threadstest.RateLimited(1)} {
		e.srv.Inject(1, f.On(threadstest.EndpointRefresh))
		_, _, err = e.c.Refresh(ctx, due)
		collect(err)
	}
	// The refresh endpoint unreachable: net/http's error names the URL.
	unreachable := New(Options{App: e.c.opts.App, GraphURL: "http://127.0.0.1:1", Now: e.clock.Now, HTTPClient: &http.Client{Timeout: time.Second}})
	_, _, err = unreachable.Refresh(ctx, due)
	collect(err)

	// The API failing in every way, for each call.
	post := publishers.Post{Text: "x", ScheduledAt: e.clock.Now(), FirstComment: "c"}
	faults := []threadstest.Fault{threadstest.TokenExpired(), threadstest.RateLimited(1), threadstest.ServerError(500),
		threadstest.GraphError(400, 100, 0, "(#100) Invalid parameter"), threadstest.Gateway(502)}
	for _, f := range faults {
		e.srv.Inject(1, f.On(threadstest.EndpointCreate))
		_, err = e.c.Publish(ctx, creds, post)
		collect(err)
		e.srv.Inject(1, f)
		_, err = e.c.Metrics(ctx, creds, []string{"1"})
		collect(err)
		e.srv.Inject(1, f)
		_, err = e.c.FindPublished(ctx, creds, post)
		collect(err)
	}
	e.srv.Inject(1, threadstest.AcceptThenHang())
	_, err = e.c.Publish(ctx, creds, publishers.Post{Text: "hang"})
	collect(err)
	// A part that fails: logged.
	f := threadstest.ServerError(500)
	f.Skip = 1
	e.srv.Inject(1, f.On(threadstest.EndpointCreate))
	if _, err := e.c.Publish(ctx, creds, publishers.Post{Text: "logged", FirstComment: "c"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "later part") {
		t.Errorf("nothing was logged: %q", logs.String())
	}

	errs.NoSecrets(t, logs.String(), secrets)
	if errs.Len() < 20 {
		t.Errorf("only %d failures were checked", errs.Len())
	}
}
