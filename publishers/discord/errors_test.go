package discord

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/discord/discordtest"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
)

// One case per row of classify's table.
func TestClassifyTable(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	h := func(kv ...string) http.Header {
		hd := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hd.Set(kv[i], kv[i+1])
		}
		return hd
	}
	cases := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		op         op
		kind       publishers.Kind
		code       string
		message    string
		retryAfter time.Duration
	}{
		{"429 global", 429, h("Retry-After", "1", "X-RateLimit-Global", "true", "X-RateLimit-Scope", "global"),
			`{"message":"You are being rate limited.","retry_after":0.25,"global":true}`, opExecute, publishers.KindRateLimited, "global", "global rate limit", time.Second},
		{"429 per route, body longest", 429, h("Retry-After", "2", "X-RateLimit-Reset-After", "1.5", "X-RateLimit-Scope", "user"),
			`{"message":"You are being rate limited.","retry_after":2.5,"global":false}`, opExecute, publishers.KindRateLimited, "route", "this webhook", 2500 * time.Millisecond},
		{"429 per route, Reset-After longest", 429, h("X-RateLimit-Reset-After", "7.25", "X-RateLimit-Scope", "shared"),
			`{"message":"You are being rate limited.","retry_after":1,"global":false}`, opRead, publishers.KindRateLimited, "shared", "this webhook", 7250 * time.Millisecond},
		{"429 without numbers", 429, nil, `<html>`, opRead, publishers.KindRateLimited, "route", "", defaultRetryAfter},
		{"401 invalid webhook token", 401, nil, `{"message":"Invalid Webhook Token","code":50027}`, opExecute, publishers.KindAuthExpired, "50027", "reconnect", 0},
		{"404 unknown webhook", 404, nil, `{"message":"Unknown Webhook","code":10015}`, opExecute, publishers.KindAuthExpired, "10015", "deleted", 0},
		{"404 unknown channel", 404, nil, `{"message":"Unknown Channel","code":10003}`, opExecute, publishers.KindAuthExpired, "10003", "deleted", 0},
		{"403 missing permissions", 403, nil, `{"message":"Missing Permissions","code":50013}`, opExecute, publishers.KindPermanent, "50013", "Discord refused the post: Missing Permissions", 0},
		{"400 invalid form body", 400, nil, `{"code":50035,"message":"Invalid Form Body","errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]},"embeds":{"0":{"title":{"_errors":[{"code":"X","message":"Too long."}]}}}}}`,
			opExecute, publishers.KindPermanent, "50035", "content: Must be 2000 or fewer in length.; embeds.0.title: Too long.", 0},
		{"400 empty message", 400, nil, `{"message":"Cannot send an empty message","code":50006}`, opExecute, publishers.KindPermanent, "50006", "Cannot send an empty message", 0},
		{"413 too large", 413, nil, `<html>413</html>`, opExecute, publishers.KindPermanent, "", "larger than", 0},
		{"40005 too large", 400, nil, `{"message":"Request entity too large","code":40005}`, opExecute, publishers.KindPermanent, "40005", "larger than", 0},
		{"502 after an execution", 502, nil, `<html>`, opExecute, publishers.KindUnknown, "", "may have been published", 0},
		{"504 after an execution", 504, nil, ``, opExecute, publishers.KindUnknown, "", "may have been published", 0},
		{"502 on a read", 502, nil, ``, opRead, publishers.KindRetryable, "", "temporary problem", 0},
		{"500", 500, h("Retry-After", "4"), `{"message":"500: Internal Server Error","code":0}`, opExecute, publishers.KindRetryable, "", "temporary problem", 4 * time.Second},
		{"other 4xx", 405, nil, `{"message":"405: Method Not Allowed","code":0}`, opExecute, publishers.KindPermanent, "", "405: Method Not Allowed", 0},
		{"unexpected 302", 302, nil, ``, opRead, publishers.KindRetryable, "", "unexpected answer", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hd := tc.header
			if hd == nil {
				hd = http.Header{}
			}
			e := classify(tc.status, hd, []byte(tc.body), tc.op, now)
			if e.Kind != tc.kind || e.Status != tc.status || e.Code != tc.code || e.Network != Name {
				t.Errorf("classify = %+v, want kind %s code %q", e, tc.kind, tc.code)
			}
			if !strings.Contains(e.Message, tc.message) || strings.Contains(e.Message, "<html>") {
				t.Errorf("message %q lacks %q", e.Message, tc.message)
			}
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", e.RetryAfter, tc.retryAfter)
			}
		})
	}
}

// The rows end to end through the fake.
func TestPublishErrorsFromDiscord(t *testing.T) {
	cases := []struct {
		name  string
		fault discordtest.Fault
		kind  publishers.Kind
		code  string
	}{
		{"route rate limit", discordtest.RateLimited(0.5), publishers.KindRateLimited, "route"},
		{"global rate limit", discordtest.GlobalRateLimited(0.5), publishers.KindRateLimited, "global"},
		{"deleted webhook", discordtest.Deleted(), publishers.KindAuthExpired, "10015"},
		{"invalid token", discordtest.Fault{Status: 401, Code: 50027, Message: "Invalid Webhook Token"}, publishers.KindAuthExpired, "50027"},
		{"missing permissions", discordtest.Fault{Status: 403, Code: 50013, Message: "Missing Permissions"}, publishers.KindPermanent, "50013"},
		{"500", discordtest.ServerError(500), publishers.KindRetryable, ""},
		{"502", discordtest.ServerError(502), publishers.KindUnknown, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.Inject(1, tc.fault.On("POST"))
			_, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: tc.name})
			pe := publishertest.WantKind(t, err, tc.kind)
			if pe.Code != tc.code {
				t.Errorf("code %q, want %q", pe.Code, tc.code)
			}
			if tc.kind == publishers.KindRateLimited && pe.RetryAfter < 500*time.Millisecond {
				t.Errorf("retry after %s", pe.RetryAfter)
			}
		})
	}
}

// A request that cannot be built (a malformed API URL) would fail the same way again; a lost
// answer to an execution asks a person to check the channel, since a webhook cannot look a post up.
func TestTransportFailures(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	_, err := New(Options{APIURL: "http://[::1"}).Publish(context.Background(), f.creds, publishers.Post{Text: "x"})
	publishertest.WantKind(t, err, publishers.KindPermanent)
	f.srv.Inject(1, discordtest.AcceptThenHang())
	_, err = f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "hang"})
	if pe := publishertest.WantKind(t, err, publishers.KindUnknown); !strings.HasSuffix(pe.Message, "check the channel") {
		t.Errorf("message %q", pe.Message)
	}
}

func TestRedactURL(t *testing.T) {
	c := New(Options{})
	for in, want := range map[string]string{
		"https://discord.com/api/v10/webhooks/123/tok-en_X?wait=true": "https://discord.com/api/v10/webhooks/123/<redacted>?wait=true",
		"https://discord.com/api/v10/webhooks/123/tok":                "https://discord.com/api/v10/webhooks/123/<redacted>",
		"https://discord.com/api/v10/webhooks/123/tok/messages/9":     "https://discord.com/api/v10/webhooks/123/<redacted>/messages/9",
	} {
		if got := c.redact(in); got != want {
			t.Errorf("redact(%q) = %q", in, got)
		}
	}
}
