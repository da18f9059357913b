package instagram

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
	pub, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "counted", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetMediaCounts(pub.ExternalID, 42, 900, 700, 5, 8)
	e.srv.AddComment(pub.ExternalID, "so good")
	carousel, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "album",
		Media: []publishers.Media{image("https://cdn.example.com/1.jpg", ""), image("https://cdn.example.com/2.jpg", "")}})
	if err != nil {
		t.Fatal(err)
	}
	album, _ := e.srv.Media(carousel.ExternalID)
	gone := e.srv.AddMedia(e.page.IGUserID, "deleted", e.clk.Now())
	e.srv.DeleteObject(gone.ID)

	// The retired metric names are refused by the fake as by Graph: asking only for current ones
	// is what lets this pass.
	got, err := e.c.Metrics(ctx, e.creds, []string{pub.ExternalID, album.Children[0], gone.ID, pub.ExternalID})
	if err != nil {
		t.Fatal(err)
	}
	m := got[pub.ExternalID]
	if val(m.Likes) != "42" || val(m.Replies) != "1" || val(m.Impressions) != "900" || val(m.Reposts) != "8" || m.Clicks != nil {
		t.Errorf("likes=%s replies=%s impressions=%s reposts=%s", val(m.Likes), val(m.Replies), val(m.Impressions), val(m.Reposts))
	}
	// An item of a carousel has counts but no insights.
	if child, ok := got[album.Children[0]]; !ok || val(child.Likes) != "0" || child.Impressions != nil {
		t.Errorf("carousel item %+v", child)
	}
	if _, ok := got[gone.ID]; ok || len(got) != 2 {
		t.Errorf("%d results", len(got))
	}
}

func TestMetricsBatchesAndErrors(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := 0; i < MetricsBatch+1; i++ {
		ids = append(ids, e.srv.AddMedia(e.page.IGUserID, fmt.Sprint("m", i), e.clk.Now().Add(-time.Duration(i)*time.Hour)).ID)
	}
	got, err := e.c.Metrics(context.Background(), e.creds, ids)
	if err != nil || len(got) != len(ids) {
		t.Fatalf("%d results, %v", len(got), err)
	}
	if n := e.srv.Requests(http.MethodGet, "/"); n != 2 {
		t.Errorf("%d count requests", n)
	}
	e.srv.RevokeToken(e.creds.AccessToken)
	_, err = e.c.Metrics(context.Background(), e.creds, ids[:3])
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
}
