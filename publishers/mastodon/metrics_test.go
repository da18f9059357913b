package mastodon

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

func TestMetrics(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	quotes := 3
	a := srv.AddStatus("a", time.Now())
	b := srv.AddStatus("b", time.Now())
	gone := srv.AddStatus("gone", time.Now())
	srv.SetCounts(a.ID, 10, 4, 2, &quotes)
	srv.SetCounts(b.ID, 1, 0, 0, nil) // a server that does not count quotes
	srv.DeleteStatus(gone.ID)

	got, err := c.Metrics(context.Background(), creds, []string{a.ID, b.ID, gone.ID, a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("metrics for %d statuses, want 2: %v", len(got), got)
	}
	ma := got[a.ID]
	if *ma.Likes != 10 || *ma.Reposts != 4 || *ma.Replies != 2 || ma.Quotes == nil || *ma.Quotes != 3 || ma.Impressions != nil || ma.Clicks != nil {
		t.Errorf("metrics of a: %+v", ma)
	}
	if mb := got[b.ID]; *mb.Likes != 1 || mb.Quotes != nil {
		t.Errorf("metrics of b: %+v", mb)
	}
	if _, ok := got[gone.ID]; ok {
		t.Error("a deleted status has metrics")
	}
	if n := srv.Requests(http.MethodGet, "/api/v1/statuses/"+a.ID); n != 1 {
		t.Errorf("a was read %d times", n)
	}
}

func TestMetricsConcurrencyIsBounded(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetLatency(40 * time.Millisecond)
	c := testClient(t)
	var ids []string
	for range 12 {
		ids = append(ids, srv.AddStatus("s", time.Now()).ID)
	}
	got, err := c.Metrics(context.Background(), credsFor(srv, srv.NewToken("")), ids)
	if err != nil || len(got) != len(ids) {
		t.Fatalf("Metrics = %d entries, %v", len(got), err)
	}
	if n := srv.MaxInFlight(); n > metricsConcurrency || n < 2 {
		t.Errorf("%d requests at once, want 2..%d", n, metricsConcurrency)
	}
}

func TestMetricsFailures(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	id := srv.AddStatus("s", time.Now()).ID

	srv.Inject(1, mastodontest.RateLimited(45*time.Second))
	_, err := c.Metrics(context.Background(), creds, []string{id})
	if pe := pubtest.WantKind(t, err, publishers.KindRateLimited); pe.RetryAfter != 45*time.Second {
		t.Errorf("retry after %s", pe.RetryAfter)
	}

	srv.Inject(1, mastodontest.Revoked())
	_, err = c.Metrics(context.Background(), creds, []string{id})
	pubtest.WantKind(t, err, publishers.KindAuthExpired)

	got, err := c.Metrics(context.Background(), creds, nil)
	if err != nil || len(got) != 0 {
		t.Errorf("no ids: %v, %v", got, err)
	}
}
