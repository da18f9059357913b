package x

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/x/xtest"
)

func TestMetrics(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	creds := newCreds(srv)
	a := srv.AddTweet("a", time.Now(), 0)
	b := srv.AddTweet("b", time.Now(), 1)
	gone := srv.AddTweet("gone", time.Now(), 0)
	srv.SetMetrics(a.ID, xtest.Metrics{Impressions: 1200, Likes: 10, Retweets: 4, Replies: 2, Quotes: 3, Bookmarks: 7})
	srv.DeleteTweet(gone.ID)

	got, err := c.Metrics(context.Background(), creds, []string{a.ID, b.ID, gone.ID, a.ID, "not-an-id", ""})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("metrics for %d posts, want 2: %v", len(got), got)
	}
	ma := got[a.ID]
	if *ma.Impressions != 1200 || *ma.Likes != 10 || *ma.Reposts != 4 || *ma.Replies != 2 || *ma.Quotes != 3 || ma.Clicks != nil {
		t.Errorf("metrics of a: %+v", ma)
	}
	if mb := got[b.ID]; mb.Likes == nil || *mb.Likes != 0 || *mb.Impressions != 0 {
		t.Errorf("metrics of b: %+v", mb)
	}
	calls := srv.Calls(http.MethodGet, "/2/tweets")
	if len(calls) != 1 || calls[0].Query.Get("ids") != a.ID+","+b.ID+","+gone.ID || calls[0].Query.Get("tweet.fields") != "public_metrics" {
		t.Errorf("calls %+v", calls)
	}
}

func TestMetricsBatchesOf100(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	var ids []string
	for i := range 150 {
		ids = append(ids, srv.AddTweet(fmt.Sprint("post ", i), time.Now(), 0).ID)
	}
	got, err := c.Metrics(context.Background(), newCreds(srv), ids)
	if err != nil || len(got) != 150 {
		t.Fatalf("Metrics = %d entries, %v", len(got), err)
	}
	calls := srv.Calls(http.MethodGet, "/2/tweets")
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	if n := len(strings.Split(calls[0].Query.Get("ids"), ",")); n != 100 {
		t.Errorf("first call has %d ids", n)
	}
	if n := len(strings.Split(calls[1].Query.Get("ids"), ",")); n != 50 {
		t.Errorf("second call has %d ids", n)
	}
}

func TestMetricsFailures(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	id := srv.AddTweet("s", time.Now(), 0).ID

	srv.Inject(1, xtest.RateLimited(45*time.Second))
	_, err := c.Metrics(context.Background(), newCreds(srv), []string{id})
	if pe := pubtest.WantKind(t, err, publishers.KindRateLimited); pe.RetryAfter != 45*time.Second {
		t.Errorf("retry after %s", pe.RetryAfter)
	}

	// A refused token is renewed, and the renewed credentials are handed back.
	creds := newCreds(srv)
	old := creds.AccessToken
	srv.RevokeToken(old)
	_, err = c.Metrics(context.Background(), creds, []string{id})
	pubtest.WantKind(t, err, publishers.KindAuthExpired) // revoked with its refresh token

	creds = newCreds(srv)
	srv.ExpireToken(creds.AccessToken)
	if _, err := c.Metrics(context.Background(), creds, []string{id}); err != nil {
		t.Errorf("after renewing: %v", err)
	}
	if creds.AccessToken == old {
		t.Error("credentials not renewed")
	}

	got, err := c.Metrics(context.Background(), newCreds(srv), nil)
	if err != nil || len(got) != 0 {
		t.Errorf("no ids: %v, %v", got, err)
	}
}
