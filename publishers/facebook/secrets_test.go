package facebook

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
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
)

// No error or log line carries a token, the app secret, the authorization code or the PKCE
// verifier, even when Graph's own message quotes one.
func TestSecretsNeverAppearInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
	})
	e.srv.RegisterRedirectURI(callback)
	ctx := context.Background()
	in := startOAuth()
	authURL, _, err := e.c.BeginOAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := e.srv.Authorize(authURL)
	bu, _ := url.Parse(back)
	code := bu.Query().Get("code")
	user, _, err := e.c.CompleteOAuth(ctx, in, nil, code)
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := e.c.Choose(ctx, user, e.page.ID)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"user token": user.AccessToken, "page token": page.AccessToken,
		"app secret": e.srv.App().ClientSecret, "code": code, "verifier": in.Verifier}

	var errs []error
	collect := func(err error) {
		if err == nil {
			t.Error("expected a failure")
			return
		}
		errs = append(errs, err)
	}
	_, _, err = e.c.CompleteOAuth(ctx, in, nil, code) // a used code
	collect(err)
	e.srv.Inject(1, metagraphtest.ServerError(500).On(http.MethodPost, "access_token"))
	_, _, err = e.c.CompleteOAuth(ctx, in, nil, code)
	collect(err)
	faults := []metagraphtest.Fault{
		metagraphtest.InvalidParameter("(#100) Invalid parameter: access_token=" + page.AccessToken + " client_secret=" + e.srv.App().ClientSecret),
		metagraphtest.Expired(), metagraphtest.RateLimited(4, time.Minute), metagraphtest.ServerError(502),
	}
	for _, f := range faults {
		e.srv.Inject(1, f.On(http.MethodPost, "feed"))
		_, err = e.c.Publish(ctx, page, publishers.Post{Text: "x", ScheduledAt: e.clk.Now()})
		collect(err)
		e.clk.Advance(2 * time.Minute)
	}
	e.srv.Inject(1, metagraphtest.InvalidParameter("(#100) no comment for "+page.AccessToken).On(http.MethodPost, "comments"))
	pub, err := e.c.Publish(ctx, page, publishers.Post{Text: "comment fails", FirstComment: "c"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Inject(1, metagraphtest.AcceptThenHang(http.MethodPost, "feed"))
	_, err = e.c.Publish(ctx, page, publishers.Post{Text: "hang"})
	collect(err)
	e.srv.RevokeToken(page.AccessToken)
	_, err = e.c.Metrics(ctx, page, []string{"1_2"})
	collect(err)
	_, err = e.c.FindPublished(ctx, page, publishers.Post{Text: "x", ScheduledAt: e.clk.Now()})
	collect(err)

	texts := []string{logs.String(), strings.Join(pub.Warnings, " ")}
	for _, err := range errs {
		texts = append(texts, err.Error(), publishers.Message(err))
	}
	for _, text := range texts {
		for name, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("the %s appears in %q", name, text)
			}
		}
	}
}
