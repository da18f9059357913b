package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/slack/slacktest"
)

// Neither the webhook URL's secret path, nor the bot token, nor a signed upload URL reaches an
// error, the account or a log line.
func TestSecretsNeverAppearInErrors(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(o *Options) {
		o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond}
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	ctx := context.Background()
	secrets := []string{f.bot.Token, f.hookPath, f.hookPath[strings.LastIndexByte(f.hookPath, '/')+1:]}
	var errs []error
	collect := func(err error) {
		t.Helper()
		if err == nil {
			t.Error("expected a failure")
			return
		}
		errs = append(errs, err)
	}
	post := publishers.Post{Text: "x", ScheduledAt: time.Now()}
	for _, fault := range []slacktest.Fault{slacktest.RateLimited(1), slacktest.ServerError(500), slacktest.ServerError(502),
		slacktest.APIError("invalid_auth"), slacktest.APIError("channel_not_found"), slacktest.APIError("internal_error")} {
		f.srv.Inject(1, fault)
		_, err := f.c.Publish(ctx, f.botCreds, post)
		collect(err)
		f.srv.Inject(1, fault.On("webhook"))
		_, err = f.c.Publish(ctx, f.hookCreds, post)
		collect(err)
		f.srv.Inject(1, fault)
		_, err = f.c.Metrics(ctx, f.botCreds, []string{"1.2"})
		collect(err)
		f.srv.Inject(1, fault)
		_, err = f.c.FindPublished(ctx, f.botCreds, post)
		collect(err)
		f.srv.Inject(1, fault)
		_, _, err = f.c.ConnectForm(ctx, map[string]string{FieldBotToken: f.bot.Token, FieldChannel: f.channel.ID})
		collect(err)
	}
	f.srv.Inject(1, slacktest.Fault{Method: "upload", Status: 500})
	_, err := f.c.Publish(ctx, f.botCreds, publishers.Post{Text: "img", Media: []publishers.Media{image("", "x")}})
	collect(err)
	f.srv.Inject(1, slacktest.AcceptThenHang("webhook"))
	_, err = f.c.Publish(ctx, f.hookCreds, publishers.Post{Text: "hang"})
	collect(err)
	_, acct, err := f.c.ConnectForm(ctx, map[string]string{FieldWebhookURL: f.pastedHook()})
	if err != nil {
		t.Fatal(err)
	}
	_, acct2, err := f.c.ConnectForm(ctx, map[string]string{FieldBotToken: f.bot.Token, FieldChannel: f.channel.ID})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	_, err = f.c.Publish(ctx, f.hookCreds, post)
	collect(err)
	_, err = f.c.Publish(ctx, f.botCreds, post)
	collect(err)
	_, err = New(Options{HooksURL: "http://[::1"}).Publish(ctx, f.hookCreds, post)
	collect(err)

	sawRedacted := false
	for _, err := range errs {
		texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), publishers.Message(err)}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
		}
		for _, text := range texts {
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("a secret appears in %q", text)
				}
			}
			sawRedacted = sawRedacted || strings.Contains(text, "/services/<redacted>")
		}
	}
	for _, s := range secrets {
		if strings.Contains(logs.String(), s) || strings.Contains(fmt.Sprintf("%+v %+v", acct, acct2), s) {
			t.Error("a secret appears in the log or an account")
		}
	}
	if len(errs) < 30 || !sawRedacted {
		t.Errorf("%d failures checked, redacted URL seen: %v", len(errs), sawRedacted)
	}
}
