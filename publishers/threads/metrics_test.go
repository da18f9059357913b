package threads

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/threads/threadstest"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	creds := e.creds(48 * time.Hour)
	thread, err := e.c.Publish(ctx, creds, publishers.Post{Text: "root", Thread: []publishers.ThreadPart{{Text: "part two"}}, FirstComment: "comment"})
	if err != nil {
		t.Fatal(err)
	}
	single := e.srv.AddPost(threadstest.PostSeed{Text: "single", At: e.clock.Now()})
	gone := e.srv.AddPost(threadstest.PostSeed{Text: "gone", At: e.clock.Now()})
	e.srv.SetInsights(thread.ExternalID, threadstest.Insights{Views: 1200, Likes: 40, Replies: 3, Reposts: 5, Quotes: 2, Shares: 9})
	e.srv.SetInsights(single.ID, threadstest.Insights{Views: 10, Likes: 1})
	e.srv.DeletePost(gone.ID)

	got, err := e.c.Metrics(ctx, creds, []string{thread.ExternalID, single.ID, gone.ID, single.ID, ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("metrics for %d posts, want 2: %v", len(got), got)
	}
	m := got[thread.ExternalID]
	// Replies on a first post count the whole thread: 3 from others, part two and the comment.
	if m.Impressions == nil || *m.Impressions != 1200 || *m.Likes != 40 || *m.Replies != 5 || *m.Reposts != 5 || *m.Quotes != 2 || m.Clicks != nil {
		t.Errorf("metrics of the thread: %+v", m)
	}
	if s := got[single.ID]; *s.Impressions != 10 || *s.Likes != 1 || *s.Replies != 0 {
		t.Errorf("metrics of the single post: %+v", s)
	}
	if n := e.srv.Requests(threadstest.EndpointInsights); n != 3 {
		t.Errorf("%d insights requests, want one per distinct id", n)
	}
}

func TestMetricsConcurrencyIsBounded(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for range 12 {
		ids = append(ids, e.srv.AddPost(threadstest.PostSeed{Text: "s", At: e.clock.Now()}).ID)
	}
	e.srv.SetLatency(40 * time.Millisecond)
	got, err := e.c.Metrics(context.Background(), e.creds(48*time.Hour), ids)
	if err != nil || len(got) != len(ids) {
		t.Fatalf("Metrics = %d entries, %v", len(got), err)
	}
	if n := e.srv.MaxInFlight(); n > metricsConcurrency || n < 2 {
		t.Errorf("%d requests at once, want 2..%d", n, metricsConcurrency)
	}
}

func TestMetricsFailures(t *testing.T) {
	e := newEnv(t)
	creds := e.creds(48 * time.Hour)
	id := e.srv.AddPost(threadstest.PostSeed{Text: "s", At: e.clock.Now()}).ID

	e.srv.Inject(1, threadstest.RateLimited(3))
	_, err := e.c.Metrics(context.Background(), creds, []string{id})
	if pe := pubtest.WantKind(t, err, publishers.KindRateLimited); pe.RetryAfter != 3*time.Minute {
		t.Errorf("retry after %s", pe.RetryAfter)
	}
	e.srv.Inject(1, threadstest.TokenExpired())
	_, err = e.c.Metrics(context.Background(), creds, []string{id})
	pubtest.WantKind(t, err, publishers.KindAuthExpired)

	// Without threads_manage_insights, Threads refuses: a permanent error, not an absent post.
	narrow := e.creds(48 * time.Hour)
	narrow.AccessToken = e.srv.NewToken(threadstest.TokenOptions{Age: 48 * time.Hour, Scopes: []string{"threads_basic", "threads_content_publish"}})
	_, err = e.c.Metrics(context.Background(), narrow, []string{id})
	pubtest.WantKind(t, err, publishers.KindPermanent)

	if got, err := e.c.Metrics(context.Background(), creds, nil); err != nil || len(got) != 0 {
		t.Errorf("no ids: %v, %v", got, err)
	}
}

func TestMetricsRenewsADueToken(t *testing.T) {
	e := newEnv(t)
	creds := e.creds(58 * 24 * time.Hour)
	id := e.srv.AddPost(threadstest.PostSeed{Text: "s", At: e.clock.Now()}).ID
	before := *creds
	if _, err := e.c.Metrics(context.Background(), creds, []string{id}); err != nil {
		t.Fatal(err)
	}
	if creds.AccessToken == before.AccessToken || !creds.Expiry.After(before.Expiry) {
		t.Error("the due token was not renewed")
	}
}
