package slack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/slack/slacktest"
)

const risky = "Ship it & celebrate <!channel> @channel <https://evil.example|click>"

const riskyEscaped = "Ship it &amp; celebrate &lt;!channel&gt; @channel &lt;https://evil.example|click&gt;"

func TestPublishWebhook(t *testing.T) {
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	f := newFixture(t, func(o *Options) { o.Now = func() time.Time { return at } })
	pub, err := f.c.Publish(context.Background(), f.hookCreds, publishers.Post{Text: risky})
	if err != nil {
		t.Fatal(err)
	}
	// Slack returns nothing but "ok": no id, no link.
	if pub.ExternalID != "" || pub.URL != "" || !pub.PublishedAt.Equal(at) {
		t.Errorf("published %+v", pub)
	}
	m := f.srv.Messages(f.channel.ID)
	if len(m) != 1 || m[0].Text != riskyEscaped || f.srv.CreatedWithText(riskyEscaped) != 1 {
		t.Errorf("messages %+v", m)
	}
	_, err = f.c.Publish(context.Background(), f.hookCreds, publishers.Post{Text: "with a picture", Media: []publishers.Media{image("a", "png")}})
	if pe := publishertest.WantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, "bot token") {
		t.Errorf("message %q", pe.Message)
	}
	if f.srv.Requests("webhook") != 1 {
		t.Error("a webhook post with images was sent")
	}
}

func TestPublishWebhookRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fixture)
		kind  publishers.Kind
		says  string
	}{
		{"removed webhook", func(f *fixture) { f.srv.RemoveHook(f.hookPath) }, publishers.KindAuthExpired, "removed or disabled"},
		{"archived channel", func(f *fixture) { f.srv.ArchiveChannel(f.channel.ID) }, publishers.KindPermanent, "archived"},
		{"action prohibited", func(f *fixture) {
			f.srv.Inject(1, slacktest.Fault{Method: "webhook", Status: 403, Error: "action_prohibited"})
		}, publishers.KindPermanent, "administrators"},
		{"invalid payload", func(f *fixture) {
			f.srv.Inject(1, slacktest.Fault{Method: "webhook", Status: 400, Error: "invalid_payload"})
		}, publishers.KindPermanent, "could not read"},
		{"invalid token", func(f *fixture) {
			f.srv.Inject(1, slacktest.Fault{Method: "webhook", Status: 403, Error: "invalid_token"})
		}, publishers.KindAuthExpired, "reconnect"},
		{"rate limited", func(f *fixture) { f.srv.Inject(1, slacktest.RateLimited(42).On("webhook")) }, publishers.KindRateLimited, "42s"},
		{"rollup error", func(f *fixture) {
			f.srv.Inject(1, slacktest.Fault{Method: "webhook", Status: 500, Error: "rollup_error"})
		}, publishers.KindUnknown, "may have been published"},
		{"gateway", func(f *fixture) { f.srv.Inject(1, slacktest.Fault{Method: "webhook", Status: 503}) }, publishers.KindRetryable, "temporary"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.setup(f)
			_, err := f.c.Publish(context.Background(), f.hookCreds, publishers.Post{Text: "x"})
			if pe := publishertest.WantKind(t, err, tc.kind); !strings.Contains(pe.Message, tc.says) {
				t.Errorf("message %q lacks %q", pe.Message, tc.says)
			}
		})
	}
}

func TestPublishBotText(t *testing.T) {
	f := newFixture(t)
	pub, err := f.c.Publish(context.Background(), f.botCreds, publishers.Post{Text: risky})
	if err != nil {
		t.Fatal(err)
	}
	m := f.srv.Messages(f.channel.ID)
	if len(m) != 1 || m[0].Text != riskyEscaped || m[0].BotID != f.bot.BotID {
		t.Fatalf("messages %+v", m)
	}
	if pub.ExternalID != m[0].TS || pub.URL != "https://acme.slack.com/archives/"+f.channel.ID+"/p"+strings.ReplaceAll(m[0].TS, ".", "") ||
		pub.PublishedAt.Unix() != time.Now().Unix() && pub.PublishedAt.Unix() != time.Now().Unix()-1 {
		t.Errorf("published %+v", pub)
	}
	if f.srv.Requests("chat.getPermalink") != 1 {
		t.Error("the permalink was not asked for")
	}
	// When chat.getPermalink fails, the link is built the way Slack builds permalinks.
	f.srv.Inject(1, slacktest.APIError("internal_error").On("chat.getPermalink"))
	pub, err = f.c.Publish(context.Background(), f.botCreds, publishers.Post{Text: "second"})
	if err != nil || pub.URL != "https://acme.slack.com/archives/"+f.channel.ID+"/p"+strings.ReplaceAll(pub.ExternalID, ".", "") {
		t.Errorf("fallback link: %+v %v", pub, err)
	}
}

func TestPublishBotImages(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		name := "shares in the answer"
		if deferred {
			name = "shares found in the history"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.DeferShares(deferred)
			pub, err := f.c.Publish(context.Background(), f.botCreds, publishers.Post{Text: "Two <pictures>",
				Media: []publishers.Media{image("A red door", "png one"), image("", "png two")}})
			if err != nil {
				t.Fatal(err)
			}
			m := f.srv.Messages(f.channel.ID)
			if len(m) != 1 || m[0].Text != "Two &lt;pictures&gt;" || len(m[0].Files) != 2 {
				t.Fatalf("messages %+v", m)
			}
			for i, id := range m[0].Files {
				file, _ := f.srv.File(id)
				want := []string{"png one", "png two"}[i]
				if string(file.Data) != want || !file.Shared || file.Name != []string{"attachment-1.png", "attachment-2.png"}[i] || file.ContentType != "image/png" {
					t.Errorf("file %d: %+v", i, file)
				}
			}
			if file, _ := f.srv.File(m[0].Files[0]); file.AltText != "A red door" {
				t.Errorf("alt text %q", file.AltText)
			}
			if pub.ExternalID != m[0].TS || !strings.HasSuffix(pub.URL, "/p"+strings.ReplaceAll(m[0].TS, ".", "")) || len(pub.Warnings) != 0 {
				t.Errorf("published %+v", pub)
			}
			if got := f.srv.Requests("conversations.history") > 0; got != deferred {
				t.Errorf("history read: %v", got)
			}
		})
	}
}

func TestPublishBotRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *fixture)
		text  string
		kind  publishers.Kind
		says  string
	}{
		{"revoked token", func(f *fixture) { f.srv.RevokeToken(f.bot.Token) }, "x", publishers.KindAuthExpired, "revoked"},
		{"not in channel", func(f *fixture) { f.srv.Inject(1, slacktest.APIError("not_in_channel")) }, "x", publishers.KindPermanent, "/invite"},
		{"channel not found", func(f *fixture) { f.srv.Inject(1, slacktest.APIError("channel_not_found")) }, "x", publishers.KindPermanent, "cannot find the channel"},
		{"archived", func(f *fixture) { f.srv.ArchiveChannel(f.channel.ID) }, "x", publishers.KindPermanent, "archived"},
		{"too long", func(*fixture) {}, strings.Repeat("a", slacktest.MaxText+1), publishers.KindPermanent, "too long"},
		{"rate limited", func(f *fixture) { f.srv.Inject(1, slacktest.RateLimited(3).On("chat.postMessage")) }, "x", publishers.KindRateLimited, "3s"},
		{"internal error after sending", func(f *fixture) { f.srv.Inject(1, slacktest.APIError("internal_error").On("chat.postMessage")) }, "x", publishers.KindUnknown, "may have been published"},
		{"5xx", func(f *fixture) { f.srv.Inject(1, slacktest.ServerError(500).On("chat.postMessage")) }, "x", publishers.KindRetryable, "temporary"},
		{"missing scope", func(f *fixture) {
			f.srv.Inject(1, slacktest.Fault{Method: "chat.postMessage", Error: "missing_scope", Needed: "chat:write"})
		}, "x", publishers.KindAuthExpired, "chat:write"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.setup(f)
			_, err := f.c.Publish(context.Background(), f.botCreds, publishers.Post{Text: tc.text})
			if pe := publishertest.WantKind(t, err, tc.kind); !strings.Contains(pe.Message, tc.says) {
				t.Errorf("message %q lacks %q", pe.Message, tc.says)
			}
		})
	}
	f := newFixture(t)
	_, err := f.c.Publish(context.Background(), &publishers.Credentials{AccessToken: "xoxb-1"}, publishers.Post{Text: "x"})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
	_, err = f.c.Publish(context.Background(), f.botCreds, publishers.Post{Text: " "})
	publishertest.WantKind(t, err, publishers.KindPermanent)
	f.srv.Inject(1, slacktest.Fault{Method: "upload", Status: 500})
	_, err = f.c.Publish(context.Background(), f.botCreds, publishers.Post{Text: "img", Media: []publishers.Media{image("", "x")}})
	publishertest.WantKind(t, err, publishers.KindRetryable)
	if n := len(f.srv.Messages(f.channel.ID)); n != 0 {
		t.Errorf("%d messages posted", n)
	}
}

// A timeout after Slack posted is unknown; FindPublished then finds the post, so the scheduler
// marks it published instead of posting again.
func TestTimeoutThenFind(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	f.srv.Inject(1, slacktest.AcceptThenHang("chat.postMessage"))
	post := publishers.Post{Text: "exactly once", ScheduledAt: time.Now()}
	_, err := f.c.Publish(context.Background(), f.botCreds, post)
	publishertest.WantKind(t, err, publishers.KindUnknown)
	found, err := f.c.FindPublished(context.Background(), f.botCreds, post)
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	m := f.srv.Messages(f.channel.ID)
	if found.ExternalID != m[0].TS || f.srv.CreatedWithText("exactly once") != 1 {
		t.Errorf("found %+v, messages %+v", found, m)
	}

	f.srv.Inject(1, slacktest.AcceptThenHang("webhook"))
	_, err = f.c.Publish(context.Background(), f.hookCreds, publishers.Post{Text: "webhook once"})
	// A webhook's post cannot be looked up: a person is asked to check, not promised Herald will.
	if pe := publishertest.WantKind(t, err, publishers.KindUnknown); !strings.HasSuffix(pe.Message, "check the channel") {
		t.Errorf("message %q", pe.Message)
	}
	if f.srv.CreatedWithText("webhook once") != 1 {
		t.Error("the webhook post was not created exactly once")
	}
}
