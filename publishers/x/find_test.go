package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/x/xtest"
)

func TestFindPublishedMatchesTheTextAsXShowsIt(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	creds := newCreds(srv)
	scheduled := time.Now()
	text := "Release notes: https://example.com/releases/2026/03/herald-1.2?utm=x & example.org/more\n\n" +
		"Thanks <3 — café #Herald\r\nline two   with  spaces"
	pub, err := c.Publish(context.Background(), creds, publishers.Post{Text: text, ScheduledAt: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	// Another post in the window with other text, and a reply with the same text.
	srv.AddTweet("Something else", scheduled, 0)
	srv.AddReply(pub.ExternalID, text+" ", scheduled.Add(time.Second))

	found, err := c.FindPublished(context.Background(), creds, publishers.Post{Text: text, ScheduledAt: scheduled})
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	if found.ExternalID != pub.ExternalID || found.URL != pub.URL || found.PublishedAt.IsZero() {
		t.Errorf("found %+v, published %+v", *found, pub)
	}

	// A different text, or a different attachment count, is not the post.
	for _, p := range []publishers.Post{
		{Text: text + " (edited)", ScheduledAt: scheduled},
		{Text: text, ScheduledAt: scheduled, Media: []publishers.Media{image(10, "")}},
	} {
		got, err := c.FindPublished(context.Background(), creds, p)
		if err != nil || got != nil {
			t.Errorf("FindPublished(%.30q, %d media) = %v, %v; want nil, nil", p.Text, len(p.Media), got, err)
		}
	}
	// The query X was asked.
	calls := srv.Calls(http.MethodGet, "/2/users/"+srv.UserID()+"/tweets")
	q := calls[0].Query
	if q.Get("start_time") != scheduled.Add(-findLead).UTC().Truncate(time.Second).Format(time.RFC3339) ||
		q.Get("exclude") != "replies,retweets" || q.Get("max_results") != "100" {
		t.Errorf("query %v", q)
	}
}

func TestFindPublishedNotFound(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	scheduled := time.Now().Add(-time.Hour)
	srv.AddTweet("The post", scheduled.Add(-10*time.Minute), 0) // same text, before the window
	srv.AddTweet("In the window, other text", scheduled.Add(time.Minute), 0)

	got, err := c.FindPublished(context.Background(), newCreds(srv), publishers.Post{Text: "The post", ScheduledAt: scheduled})
	if err != nil || got != nil {
		t.Errorf("FindPublished = %v, %v; want nil, nil (X listed the whole window)", got, err)
	}
}

func TestFindPublishedWithoutUserIDAsksX(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	creds := newCreds(srv)
	delete(creds.Extra, ExtraUserID)
	srv.AddTweet("Here", time.Now(), 0)
	got, err := c.FindPublished(context.Background(), creds, publishers.Post{Text: "Here", ScheduledAt: time.Now()})
	if err != nil || got == nil || srv.Requests(http.MethodGet, "/2/users/me") != 1 {
		t.Errorf("FindPublished = %v, %v", got, err)
	}
}

func TestFindPublishedCannotTell(t *testing.T) {
	ctx := context.Background()

	t.Run("more posts in the window than Herald reads", func(t *testing.T) {
		srv := xtest.NewServer(t)
		c := testClient(t, srv)
		scheduled := time.Now().Add(-time.Hour)
		for i := range findPages*findPageSize + 5 {
			srv.AddTweet(fmt.Sprintf("busy account %d", i), scheduled.Add(time.Duration(i)*time.Second), 0)
		}
		_, err := c.FindPublished(ctx, newCreds(srv), publishers.Post{Text: "The post", ScheduledAt: scheduled})
		pubtest.WantKind(t, err, publishers.KindUnknown)
		if n := srv.Requests(http.MethodGet, "/2/users/"+srv.UserID()+"/tweets"); n != findPages {
			t.Errorf("read %d pages, want %d", n, findPages)
		}
	})

	t.Run("X fails", func(t *testing.T) {
		srv := xtest.NewServer(t)
		c := testClient(t, srv)
		srv.Inject(1, xtest.ServerError(http.StatusServiceUnavailable))
		_, err := c.FindPublished(ctx, newCreds(srv), publishers.Post{Text: "x", ScheduledAt: time.Now()})
		pubtest.WantKind(t, err, publishers.KindUnknown)
	})

	t.Run("a refused token: unknown, with the cause inside, and no refresh", func(t *testing.T) {
		srv := xtest.NewServer(t)
		c := testClient(t, srv)
		creds := newCreds(srv)
		before := *creds
		srv.ExpireToken(creds.AccessToken)
		_, err := c.FindPublished(ctx, creds, publishers.Post{Text: "x", ScheduledAt: time.Now()})
		pe := pubtest.WantKind(t, err, publishers.KindUnknown)
		var inner *publishers.Error
		if !errors.As(pe.Err, &inner) || inner.Kind != publishers.KindAuthExpired || pe.Status != http.StatusUnauthorized {
			t.Errorf("cause %v", pe.Err)
		}
		if creds.AccessToken != before.AccessToken || creds.RefreshToken != before.RefreshToken || len(srv.TokenGrants()) != 0 {
			t.Error("FindPublished renewed the token; the scheduler would not save the rotated refresh token")
		}
	})

	t.Run("rate limited: unknown, with the wait", func(t *testing.T) {
		srv := xtest.NewServer(t)
		c := testClient(t, srv)
		srv.Inject(1, xtest.RateLimited(2*time.Minute))
		_, err := c.FindPublished(ctx, newCreds(srv), publishers.Post{Text: "x", ScheduledAt: time.Now()})
		if pe := pubtest.WantKind(t, err, publishers.KindUnknown); pe.RetryAfter != 2*time.Minute {
			t.Errorf("retry after %s", pe.RetryAfter)
		}
	})
}

func TestComparable(t *testing.T) {
	same := [][2]string{
		{"Hi https://example.com/a?b=1 there", "Hi https://t.co/AbCdEf1234 there"},
		{"a & b <c>", xText("a &amp; b &lt;c&gt;")},
		{"typed &lt; literally", xText("typed &amp;lt; literally")},
		{"caf\u0065\u0301", "café"}, // NFC
		{"line\r\nbreak  and   spaces ", "line\nbreak and spaces"},
		{"media only", "media only https://t.co/xyz0123456"},
		{"bare example.org link", "bare https://t.co/0123456789 link"},
	}
	for _, p := range same {
		if comparable(p[0]) != comparable(p[1]) {
			t.Errorf("comparable(%q) = %q, comparable(%q) = %q", p[0], comparable(p[0]), p[1], comparable(p[1]))
		}
	}
	if comparable("one") == comparable("two") {
		t.Error("different texts compare equal")
	}
}
