package telegram

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/telegram/telegramtest"
)

// One case per row of classify's table.
func TestClassifyTable(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ar := func(code int, desc string, p *responseParameters) apiResponse {
		return apiResponse{ErrorCode: code, Description: desc, Parameters: p}
	}
	cases := []struct {
		name       string
		status     int
		header     http.Header
		body       apiResponse
		op         op
		kind       publishers.Kind
		message    string
		retryAfter time.Duration
	}{
		{"429 with retry_after", 429, nil, ar(429, "Too Many Requests: retry after 35", &responseParameters{RetryAfter: 35}), opSend, publishers.KindRateLimited, "try again in 35s", 35 * time.Second},
		{"429 with Retry-After only", 429, http.Header{"Retry-After": {"12"}}, ar(429, "Too Many Requests", nil), opSend, publishers.KindRateLimited, "12s", 12 * time.Second},
		{"429 with nothing", 429, nil, ar(429, "Too Many Requests", nil), opRead, publishers.KindRateLimited, "1m0s", time.Minute},
		{"401 revoked token", 401, nil, ar(401, "Unauthorized", nil), opSend, publishers.KindAuthExpired, "@BotFather", 0},
		{"404 malformed token", 404, nil, ar(404, "Not Found", nil), opRead, publishers.KindAuthExpired, "reconnect", 0},
		{"403 bot kicked", 403, nil, ar(403, "Forbidden: bot was kicked from the channel chat", nil), opSend, publishers.KindAuthExpired, "removed from the chat", 0},
		{"403 bot not a member", 403, nil, ar(403, "Forbidden: bot is not a member of the channel chat", nil), opSend, publishers.KindAuthExpired, "removed from the chat", 0},
		{"400 need administrator rights", 400, nil, ar(400, "Bad Request: need administrator rights in the channel chat", nil), opSend, publishers.KindAuthExpired, "no longer allowed to post", 0},
		{"403 not enough rights", 403, nil, ar(403, "Forbidden: not enough rights to send text messages to the chat", nil), opSend, publishers.KindAuthExpired, "no longer allowed to post", 0},
		{"400 CHAT_WRITE_FORBIDDEN", 400, nil, ar(400, "Bad Request: CHAT_WRITE_FORBIDDEN", nil), opSend, publishers.KindAuthExpired, "no longer allowed to post", 0},
		{"400 migrated", 400, nil, ar(400, "Bad Request: group chat was upgraded to a supergroup chat", &responseParameters{MigrateToChatID: -1009}), opSend, publishers.KindAuthExpired, "supergroup", 0},
		{"400 chat not found", 400, nil, ar(400, "Bad Request: chat not found", nil), opSend, publishers.KindPermanent, "cannot find the chat", 0},
		{"400 caption too long", 400, nil, ar(400, "Bad Request: message caption is too long", nil), opSend, publishers.KindPermanent, "1,024", 0},
		{"400 message too long", 400, nil, ar(400, "Bad Request: message is too long", nil), opSend, publishers.KindPermanent, "4,096", 0},
		{"502 gateway after a send", 502, nil, apiResponse{}, opSend, publishers.KindUnknown, "may have been published", 0},
		{"504 gateway after a send", 504, nil, apiResponse{}, opSend, publishers.KindUnknown, "may have been published", 0},
		{"502 on a read", 502, nil, apiResponse{}, opRead, publishers.KindRetryable, "temporary problem", 0},
		{"500", 500, http.Header{"Retry-After": {"3"}}, ar(500, "Internal Server Error", nil), opSend, publishers.KindRetryable, "temporary problem", 3 * time.Second},
		{"other 400", 400, nil, ar(400, "Bad Request: message text is empty", nil), opSend, publishers.KindPermanent, "Telegram refused the post: message text is empty", 0},
		{"413", 413, nil, ar(413, "Request Entity Too Large", nil), opSend, publishers.KindPermanent, "Request Entity Too Large", 0},
		{"unexpected 302", 302, nil, apiResponse{}, opRead, publishers.KindRetryable, "unexpected answer", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			e := classify(tc.status, h, tc.body, tc.op, now)
			if e.Kind != tc.kind || e.Network != Name {
				t.Errorf("kind %s, want %s (%+v)", e.Kind, tc.kind, e)
			}
			if !strings.Contains(e.Message, tc.message) {
				t.Errorf("message %q lacks %q", e.Message, tc.message)
			}
			if e.RetryAfter != tc.retryAfter {
				t.Errorf("retry after %s, want %s", e.RetryAfter, tc.retryAfter)
			}
		})
	}
}

// The rows end to end: the fake answers as Telegram does, Publish classifies.
func TestPublishErrorsFromTelegram(t *testing.T) {
	cases := []struct {
		name  string
		fault telegramtest.Fault
		kind  publishers.Kind
	}{
		{"rate limited", telegramtest.RateLimited(9), publishers.KindRateLimited},
		{"revoked", telegramtest.Revoked(), publishers.KindAuthExpired},
		{"kicked", telegramtest.Kicked(), publishers.KindAuthExpired},
		{"migrated", telegramtest.Fault{ErrorCode: 400, Description: "Bad Request: group chat was upgraded to a supergroup chat", MigrateTo: -100987}, publishers.KindAuthExpired},
		{"chat not found", telegramtest.Fault{ErrorCode: 400, Description: "Bad Request: chat not found"}, publishers.KindPermanent},
		{"500", telegramtest.ServerError(500), publishers.KindRetryable},
		{"502", telegramtest.ServerError(502), publishers.KindUnknown},
	}
	f := newFixture(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.srv.Inject(1, tc.fault.On("sendMessage"))
			_, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: tc.name})
			pe := publishertest.WantKind(t, err, tc.kind)
			if tc.kind == publishers.KindRateLimited && pe.RetryAfter != 9*time.Second {
				t.Errorf("retry after %s", pe.RetryAfter)
			}
		})
	}
}

// The fake's own refusals, not injected: what Telegram answers to a real state of things.
func TestPublishRefusedByTelegram(t *testing.T) {
	f := newFixture(t)
	_, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: strings.Repeat("a", 4097)})
	if pe := publishertest.WantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, "too long") {
		t.Errorf("message %q", pe.Message)
	}
	_, err = f.c.Publish(context.Background(), f.creds, publishers.Post{Text: strings.Repeat("a", 1025), Media: []publishers.Media{media("image", "image/png", "x")}})
	if pe := publishertest.WantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, "caption") {
		t.Errorf("message %q", pe.Message)
	}
	f.srv.SetMember(f.channel, f.bot.ID, telegramtest.Member{Status: "administrator", CanPostMessages: false})
	_, err = f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "no rights"})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
	f.srv.SetMember(f.channel, f.bot.ID, telegramtest.Member{Status: "kicked"})
	_, err = f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "kicked"})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
	f.srv.RevokeToken(f.bot.Token)
	_, err = f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "revoked"})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
	if n := len(f.srv.Messages(f.channel)); n != 0 {
		t.Errorf("%d messages posted", n)
	}
}

func TestTransportFailures(t *testing.T) {
	f := newFixture(t)
	f.srv.Close()
	_, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "x"})
	// Nothing was written: the connection was refused.
	publishertest.WantKind(t, err, publishers.KindRetryable)
	_, _, err = f.c.ConnectForm(context.Background(), map[string]string{FieldToken: f.bot.Token, FieldChat: "@heraldnews"})
	publishertest.WantKind(t, err, publishers.KindRetryable)
	// A request that cannot be built (a malformed API URL) would fail the same way again.
	_, err = New(Options{APIURL: "http://[::1"}).Publish(context.Background(), f.creds, publishers.Post{Text: "x"})
	publishertest.WantKind(t, err, publishers.KindPermanent)
}
