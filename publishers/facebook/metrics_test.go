package facebook

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
)

func val(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	post, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "counted"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetPostCounts(post.ExternalID, 3, 17, 410, 22)
	e.srv.AddComment(post.ExternalID, "nice")
	e.srv.AddComment(post.ExternalID, "yum")
	quiet := e.srv.AddPost(e.page.ID, "no shares yet", e.clk.Now())
	vid, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "a video", Media: []publishers.Media{videoMedia("v", "")}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.AddComment(vid.ExternalID, "great video")
	gone := e.srv.AddPost(e.page.ID, "deleted later", e.clk.Now())
	e.srv.DeleteObject(gone.ID)

	got, err := e.c.Metrics(ctx, e.creds, []string{post.ExternalID, quiet.ID, vid.ExternalID, gone.ID, post.ExternalID})
	if err != nil {
		t.Fatal(err)
	}
	m := got[post.ExternalID]
	if val(m.Likes) != "17" || val(m.Replies) != "2" || val(m.Reposts) != "3" || val(m.Impressions) != "410" || val(m.Clicks) != "22" || m.Quotes != nil {
		t.Errorf("post metrics likes=%s replies=%s reposts=%s impressions=%s clicks=%s", val(m.Likes), val(m.Replies), val(m.Reposts), val(m.Impressions), val(m.Clicks))
	}
	if q := got[quiet.ID]; val(q.Reposts) != "0" || val(q.Likes) != "0" {
		t.Errorf("a post without shares: reposts=%s likes=%s", val(q.Reposts), val(q.Likes))
	}
	if v := got[vid.ExternalID]; val(v.Replies) != "1" || v.Reposts != nil || v.Impressions != nil {
		t.Errorf("video metrics replies=%s reposts=%s", val(v.Replies), val(v.Reposts))
	}
	if _, ok := got[gone.ID]; ok || len(got) != 3 {
		t.Errorf("metrics for %d ids: %v", len(got), got)
	}
}

// When Graph refuses the insights metrics (retired, as post_impressions was in November 2025),
// the counts are still read.
func TestMetricsWithoutInsights(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	post := e.srv.AddPost(e.page.ID, "p", e.clk.Now())
	e.srv.SetPostCounts(post.ID, 1, 5, 100, 9)
	e.srv.SetInvalidMetrics("post_media_view")
	got, err := e.c.Metrics(ctx, e.creds, []string{post.ID})
	if err != nil {
		t.Fatal(err)
	}
	if m := got[post.ID]; val(m.Likes) != "5" || val(m.Reposts) != "1" || m.Impressions != nil || m.Clicks != nil {
		t.Errorf("likes=%s reposts=%s impressions=%s", val(m.Likes), val(m.Reposts), val(m.Impressions))
	}
}

// Ids are read MetricsBatch per request.
func TestMetricsBatches(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := 0; i < MetricsBatch+7; i++ {
		ids = append(ids, e.srv.AddPost(e.page.ID, fmt.Sprint("post ", i), e.clk.Now().Add(-time.Duration(i)*time.Minute)).ID)
	}
	got, err := e.c.Metrics(context.Background(), e.creds, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Errorf("%d of %d", len(got), len(ids))
	}
	if n := e.srv.Requests(http.MethodGet, "/"); n != 2 {
		t.Errorf("%d batch requests, want 2", n)
	}
}

func TestMetricsErrors(t *testing.T) {
	e := newEnv(t)
	post := e.srv.AddPost(e.page.ID, "p", e.clk.Now())
	e.srv.RevokeToken(e.creds.AccessToken)
	_, err := e.c.Metrics(context.Background(), e.creds, []string{post.ID})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
}

// A batch of one id that Facebook no longer knows (the last of a long list, or a Page's only
// post) leaves the id out instead of failing the whole read.
func TestMetricsOfALoneDeletedPost(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	gone := e.srv.AddPost(e.page.ID, "deleted later", e.clk.Now())
	e.srv.DeleteObject(gone.ID)
	got, err := e.c.Metrics(ctx, e.creds, []string{gone.ID})
	if err != nil || len(got) != 0 {
		t.Fatalf("metrics of a deleted post alone: %v, %v", got, err)
	}
	var ids []string
	for i := 0; i < MetricsBatch; i++ {
		ids = append(ids, e.srv.AddPost(e.page.ID, fmt.Sprint("post ", i), e.clk.Now().Add(-time.Duration(i)*time.Minute)).ID)
	}
	e.srv.SetPostCounts(ids[0], 1, 2, 30, 4)
	got, err = e.c.Metrics(ctx, e.creds, append(ids, gone.ID))
	if err != nil || len(got) != MetricsBatch {
		t.Fatalf("%d results, %v", len(got), err)
	}
	if m := got[ids[0]]; val(m.Impressions) != "30" || val(m.Clicks) != "4" {
		t.Errorf("insights %s, %s", val(m.Impressions), val(m.Clicks))
	}
}
