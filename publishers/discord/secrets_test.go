package discord

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
	"github.com/heraldhq/herald/publishers/discord/discordtest"
)

// The webhook's URL (its token) never reaches an error, the account or a log line.
func TestWebhookURLNeverAppearsInErrors(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, func(o *Options) {
		o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond}
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	f.srv.SetBucket(1000, time.Second)
	ctx := context.Background()
	var errs []error
	collect := func(err error) {
		t.Helper()
		if err == nil {
			t.Error("expected a failure")
			return
		}
		errs = append(errs, err)
	}
	img := []publishers.Media{media(content.KindImage, "image/png", "alt", "png")}
	for _, fault := range []discordtest.Fault{discordtest.Deleted(), discordtest.RateLimited(0.01), discordtest.GlobalRateLimited(0.01),
		discordtest.ServerError(500), discordtest.ServerError(502), {Status: 403, Code: 50013, Message: "Missing Permissions"}} {
		f.srv.Inject(1, fault)
		_, err := f.c.Publish(ctx, f.creds, publishers.Post{Text: "x"})
		collect(err)
		f.srv.Inject(1, fault)
		_, err = f.c.Publish(ctx, f.creds, publishers.Post{Text: "x", Media: img})
		collect(err)
		f.srv.Inject(1, fault)
		_, _, err = f.c.ConnectForm(ctx, map[string]string{FieldWebhookURL: f.pasted()})
		collect(err)
		time.Sleep(20 * time.Millisecond) // let the 429s' buckets reset
	}
	f.srv.Inject(1, discordtest.AcceptThenHang())
	_, err := f.c.Publish(ctx, f.creds, publishers.Post{Text: "hang"})
	collect(err)
	_, acct, err := f.c.ConnectForm(ctx, map[string]string{FieldWebhookURL: f.pasted()})
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%+v", acct); strings.Contains(s, f.hook.Token) {
		t.Errorf("the token is in the account: %s", s)
	}
	f.srv.Close()
	_, err = f.c.Publish(ctx, f.creds, publishers.Post{Text: "closed"})
	collect(err)
	_, _, err = f.c.ConnectForm(ctx, map[string]string{FieldWebhookURL: f.pasted()})
	collect(err)
	_, err = New(Options{APIURL: "http://[::1"}).Publish(ctx, f.creds, publishers.Post{Text: "x"})
	collect(err)

	sawRedacted := false
	for _, err := range errs {
		texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), publishers.Message(err)}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
		}
		for _, text := range texts {
			if strings.Contains(text, f.hook.Token) {
				t.Errorf("the webhook token appears in %q", text)
			}
			sawRedacted = sawRedacted || strings.Contains(text, "/<redacted>")
		}
	}
	if strings.Contains(logs.String(), f.hook.Token) {
		t.Error("the token appears in the log")
	}
	if len(errs) < 20 || !sawRedacted {
		t.Errorf("%d failures checked, redacted URL seen: %v", len(errs), sawRedacted)
	}
}
