package discord

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/discord/discordtest"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
)

func TestPublishText(t *testing.T) {
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	f := newFixture(t)
	f.srv.SetNow(func() time.Time { return at })
	f.creds.Extra[ExtraUsername] = "Newsroom"
	text := "Release notes are out @everyone — and @here too. <@123456789012345678> please review."
	pub, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	msgs := f.srv.Messages(f.hook.ID)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.Content != text || m.Username != "Newsroom" || len(m.Attachments) != 0 {
		t.Errorf("message %+v", m)
	}
	// @everyone and @here are shown but notify nobody; explicit user and role mentions still work.
	if m.MentionEveryone || strings.Join(m.AllowedMentions, ",") != "users,roles" {
		t.Errorf("mentions: everyone %v, allowed %v", m.MentionEveryone, m.AllowedMentions)
	}
	want := "https://discord.com/channels/" + f.hook.GuildID + "/" + f.hook.ChannelID + "/" + m.ID
	if pub.ExternalID != m.ID || pub.URL != want || !pub.PublishedAt.Equal(at) {
		t.Errorf("published %+v, want url %s", pub, want)
	}
	if f.srv.CreatedWithText(text) != 1 {
		t.Error("not created exactly once")
	}
}

func TestPublishAttachments(t *testing.T) {
	f := newFixture(t)
	ms := []publishers.Media{
		media(content.KindImage, "image/jpeg", "A cat on a keyboard", "jpeg bytes"),
		media(content.KindGIF, "image/gif", "", "gif bytes"),
		media(content.KindVideo, "video/mp4", strings.Repeat("a", 1100), "mp4 bytes"),
	}
	pub, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "Three files", Media: ms})
	if err != nil {
		t.Fatal(err)
	}
	m := f.srv.Messages(f.hook.ID)
	if len(m) != 1 || m[0].Content != "Three files" || len(m[0].Attachments) != 3 || pub.ExternalID != m[0].ID {
		t.Fatalf("messages %+v", m)
	}
	want := []struct{ name, ctype, desc, data string }{
		{"attachment-1.jpg", "image/jpeg", "A cat on a keyboard", "jpeg bytes"},
		{"attachment-2.gif", "image/gif", "", "gif bytes"},
		{"attachment-3.mp4", "video/mp4", strings.Repeat("a", 1024), "mp4 bytes"},
	}
	for i, w := range want {
		a := m[0].Attachments[i]
		if a.Filename != w.name || a.ContentType != w.ctype || a.Description != w.desc || string(a.Data) != w.data {
			t.Errorf("attachment %d: %+v", i, a)
		}
	}
	if m[0].MentionEveryone || len(m[0].AllowedMentions) != 2 {
		t.Errorf("allowed mentions missing from payload_json: %+v", m[0].AllowedMentions)
	}
	// Attachments alone, without text.
	if _, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Media: ms[:1]}); err != nil {
		t.Errorf("image alone: %v", err)
	}
}

func TestPublishRefusesBeforeSending(t *testing.T) {
	f := newFixture(t)
	var eleven []publishers.Media
	for range 11 {
		eleven = append(eleven, media(content.KindImage, "image/png", "", "x"))
	}
	for name, p := range map[string]publishers.Post{
		"empty": {Text: "  "}, "eleven": {Text: "x", Media: eleven}, "no content": {Text: "x", Media: []publishers.Media{{Kind: content.KindImage}}},
	} {
		_, err := f.c.Publish(context.Background(), f.creds, p)
		if publishers.KindOf(err) != publishers.KindPermanent {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := f.c.Publish(context.Background(), &publishers.Credentials{}, publishers.Post{Text: "x"})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
	if f.srv.Requests("POST") != 0 {
		t.Error("a refused post was sent")
	}
}

// Discord's own refusals of well-formed requests.
func TestPublishRefusedByDiscord(t *testing.T) {
	f := newFixture(t)
	_, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: strings.Repeat("a", 2001)})
	pe := publishertest.WantKind(t, err, publishers.KindPermanent)
	if pe.Message != "Discord refused the post: content: Must be 2000 or fewer in length." || pe.Code != "50035" {
		t.Errorf("error %+v", pe)
	}
	f.srv.DeleteWebhook(f.hook.ID)
	_, err = f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "gone"})
	if pe := publishertest.WantKind(t, err, publishers.KindAuthExpired); !strings.Contains(pe.Message, "deleted") {
		t.Errorf("message %q", pe.Message)
	}
}

// A timeout after Discord created the message is unknown, never retryable.
func TestTimeoutAfterSending(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	f.srv.Inject(1, discordtest.AcceptThenHang())
	_, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "once"})
	publishertest.WantKind(t, err, publishers.KindUnknown)
	if f.srv.CreatedWithText("once") != 1 || f.srv.Requests("POST") != 1 {
		t.Errorf("created %d, requests %d", f.srv.CreatedWithText("once"), f.srv.Requests("POST"))
	}
}

// The client reads the bucket from every answer: when it is empty it waits for a short reset
// instead of spending a request on a 429, and reports a long one without sending.
func TestPacesByRateLimitHeaders(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.MaxPace = time.Second })
	f.srv.SetBucket(2, 300*time.Millisecond)
	start := time.Now()
	for i := range 4 {
		if _, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "paced " + string(rune('a'+i))}); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	if took := time.Since(start); took < 250*time.Millisecond {
		t.Errorf("4 posts through a bucket of 2 per 300 ms took only %s", took)
	}
	if f.srv.Requests("POST") != 4 {
		t.Errorf("%d requests: a 429 was hit", f.srv.Requests("POST"))
	}

	g := newFixture(t, func(o *Options) { o.MaxPace = 10 * time.Millisecond })
	g.srv.SetBucket(1, time.Minute)
	if _, err := g.c.Publish(context.Background(), g.creds, publishers.Post{Text: "first"}); err != nil {
		t.Fatal(err)
	}
	_, err := g.c.Publish(context.Background(), g.creds, publishers.Post{Text: "second"})
	pe := publishertest.WantKind(t, err, publishers.KindRateLimited)
	if pe.RetryAfter < 50*time.Second || pe.RetryAfter > time.Minute {
		t.Errorf("retry after %s", pe.RetryAfter)
	}
	if g.srv.Requests("POST") != 1 {
		t.Errorf("%d requests: the second post was sent into an empty bucket", g.srv.Requests("POST"))
	}
}

func TestWhatAWebhookCannotDo(t *testing.T) {
	f := newFixture(t)
	found, err := f.c.FindPublished(context.Background(), f.creds, publishers.Post{Text: "x"})
	if found != nil || publishers.KindOf(err) != publishers.KindUnknown {
		t.Errorf("FindPublished = %v, %v", found, err)
	}
	m, err := f.c.Metrics(context.Background(), f.creds, []string{"1"})
	if err != nil || m == nil || len(m) != 0 {
		t.Errorf("Metrics = %v, %v", m, err)
	}
	if _, changed, err := f.c.Refresh(context.Background(), f.creds); changed || err != nil {
		t.Errorf("Refresh changed %v, %v", changed, err)
	}
}
