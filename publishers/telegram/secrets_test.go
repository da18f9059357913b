package telegram

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
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/telegram/telegramtest"
)

// The bot token is in every request URL; no error, account or log line may carry it, whatever
// fails: refusals, outages, timeouts, refused connections.
func TestTokenNeverAppearsInErrors(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(o *Options) {
		o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond}
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	ctx := context.Background()
	secret := f.bot.Token
	var errs []error
	collect := func(err error) {
		t.Helper()
		if err == nil {
			t.Error("expected a failure")
			return
		}
		errs = append(errs, err)
	}
	faults := []telegramtest.Fault{telegramtest.Revoked(), telegramtest.Kicked(), telegramtest.RateLimited(3),
		telegramtest.ServerError(500), telegramtest.ServerError(502), {ErrorCode: 400, Description: "Bad Request: chat not found"}}
	photo := []publishers.Media{media(content.KindImage, "image/png", "p")}
	for _, fault := range faults {
		f.srv.Inject(1, fault)
		_, err := f.c.Publish(ctx, f.creds, publishers.Post{Text: "x"})
		collect(err)
		f.srv.Inject(1, fault)
		_, err = f.c.Publish(ctx, f.creds, publishers.Post{Text: "x", Media: photo})
		collect(err)
		f.srv.Inject(1, fault)
		_, _, err = f.c.ConnectForm(ctx, map[string]string{FieldToken: secret, FieldChat: "@heraldnews"})
		collect(err)
	}
	f.srv.Inject(1, telegramtest.AcceptThenHang("sendMessage"))
	_, err := f.c.Publish(ctx, f.creds, publishers.Post{Text: "hang"})
	collect(err)
	_, acct, err := f.c.ConnectForm(ctx, map[string]string{FieldToken: secret, FieldChat: "@heraldnews"})
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%+v", acct); strings.Contains(s, secret) {
		t.Errorf("the token is in the account: %s", s)
	}
	f.srv.Close()
	_, err = f.c.Publish(ctx, f.creds, publishers.Post{Text: "closed"})
	collect(err)
	_, _, err = f.c.ConnectForm(ctx, map[string]string{FieldToken: secret, FieldChat: "@heraldnews"})
	collect(err)
	// A URL net/http cannot even parse still must not leak it.
	broken := New(Options{APIURL: "http://[::1"})
	_, err = broken.Publish(ctx, f.creds, publishers.Post{Text: "x"})
	collect(err)

	for _, err := range errs {
		texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), publishers.Message(err)}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
		}
		for _, text := range texts {
			if strings.Contains(text, secret) || strings.Contains(text, secret[strings.IndexByte(secret, ':')+1:]) {
				t.Errorf("the token appears in %q", text)
			}
		}
	}
	if strings.Contains(logs.String(), secret) {
		t.Error("the token appears in the log")
	}
	if len(errs) < 20 {
		t.Errorf("only %d failures were checked", len(errs))
	}
	// The redaction is visible where a URL is named.
	var sawRedacted bool
	for _, err := range errs {
		for e := error(err); e != nil; e = errors.Unwrap(e) {
			if strings.Contains(e.Error(), "/bot<redacted>/") {
				sawRedacted = true
			}
		}
	}
	if !sawRedacted {
		t.Error("no error named the redacted URL; the test may not exercise net/http's errors")
	}
}
