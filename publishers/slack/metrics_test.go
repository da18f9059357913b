package slack

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/slack/slacktest"
)

func TestMetrics(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	a := f.srv.AddMessage(f.channel.ID, "first", f.bot.BotID, now)
	b := f.srv.AddMessage(f.channel.ID, "second", f.bot.BotID, now)
	f.srv.React(f.channel.ID, a, "tada", 3)
	f.srv.React(f.channel.ID, a, "+1", 4)
	f.srv.SetReplies(f.channel.ID, a, 2)
	got, err := f.c.Metrics(context.Background(), f.botCreds, []string{a, b, "1700000000.000001", a, ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || *got[a].Likes != 7 || *got[a].Replies != 2 || *got[b].Likes != 0 || *got[b].Replies != 0 {
		t.Errorf("metrics %+v", got)
	}
	if got[a].Reposts != nil || got[a].Impressions != nil {
		t.Error("counters Slack does not report are set")
	}
	m, err := f.c.Metrics(context.Background(), f.hookCreds, []string{"x"})
	if err != nil || len(m) != 0 {
		t.Errorf("webhook metrics %v %v", m, err)
	}
	f.srv.Inject(1, slacktest.RateLimited(5).On("reactions.get"))
	_, err = f.c.Metrics(context.Background(), f.botCreds, []string{a})
	publishertest.WantKind(t, err, publishers.KindRateLimited)
	f.srv.Inject(1, slacktest.Fault{Method: "reactions.get", Error: "missing_scope", Needed: "reactions:read"})
	_, err = f.c.Metrics(context.Background(), f.botCreds, []string{a})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
}

func TestFindPublished(t *testing.T) {
	f := newFixture(t)
	at := time.Now().Add(-10 * time.Minute)
	other := f.srv.AddBot("someone-else")
	f.srv.AddMessage(f.channel.ID, "Weekly update", other.BotID, at)                   // another app's
	f.srv.AddMessage(f.channel.ID, "Weekly update", "", at)                            // a person's
	f.srv.AddMessage(f.channel.ID, "Weekly update", f.bot.BotID, at.Add(-2*time.Hour)) // before the window
	post := publishers.Post{Text: "Weekly update", ScheduledAt: at}

	found, err := f.c.FindPublished(context.Background(), f.botCreds, post)
	if err != nil || found != nil {
		t.Fatalf("not published yet: %v %v", found, err)
	}
	ts := f.srv.AddMessage(f.channel.ID, "Weekly update", f.bot.BotID, at.Add(time.Minute))
	found, err = f.c.FindPublished(context.Background(), f.botCreds, post)
	if err != nil || found == nil || found.ExternalID != ts || found.URL == "" {
		t.Fatalf("found %+v, %v", found, err)
	}
	// Escaped text matches as Slack stores it.
	ts2 := f.srv.AddMessage(f.channel.ID, "a &lt;b&gt; &amp; c", f.bot.BotID, at)
	found, err = f.c.FindPublished(context.Background(), f.botCreds, publishers.Post{Text: "a <b> & c", ScheduledAt: at})
	if err != nil || found == nil || found.ExternalID != ts2 {
		t.Errorf("escaped: %+v, %v", found, err)
	}
	// A busy channel: more pages than Herald reads, without the post → cannot tell.
	for i := range 650 {
		f.srv.AddMessage(f.channel.ID, "chatter "+strconv.Itoa(i), "", at.Add(2*time.Minute))
	}
	_, err = f.c.FindPublished(context.Background(), f.botCreds, publishers.Post{Text: "never sent", ScheduledAt: at})
	publishertest.WantKind(t, err, publishers.KindUnknown)
	// Failures and webhooks cannot tell.
	f.srv.Inject(1, slacktest.ServerError(500).On("conversations.history"))
	_, err = f.c.FindPublished(context.Background(), f.botCreds, post)
	publishertest.WantKind(t, err, publishers.KindUnknown)
	_, err = f.c.FindPublished(context.Background(), f.hookCreds, post)
	publishertest.WantKind(t, err, publishers.KindUnknown)
}
