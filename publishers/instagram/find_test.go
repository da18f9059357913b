package instagram

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
)

func TestFindPublished(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	due := e.clk.Now()
	e.srv.AddMedia(e.page.IGUserID, "Sunday special", due.Add(-3*24*time.Hour)) // outside the window
	e.srv.AddMedia(e.page.IGUserID, "other", due.Add(time.Minute))
	want := e.srv.AddMedia(e.page.IGUserID, "Sunday  special ", due.Add(2*time.Minute))
	e.clk.Advance(10 * time.Minute)

	found, err := e.c.FindPublished(ctx, e.creds, publishers.Post{Text: "Sunday special", ScheduledAt: due})
	if err != nil {
		t.Fatal(err)
	}
	if found == nil || found.ExternalID != want.ID || found.URL == "" || !found.PublishedAt.Equal(want.Timestamp) {
		t.Fatalf("found %+v", found)
	}
	none, err := e.c.FindPublished(ctx, e.creds, publishers.Post{Text: "never", ScheduledAt: due})
	if err != nil || none != nil {
		t.Errorf("%+v %v", none, err)
	}
	_, err = e.c.FindPublished(ctx, e.creds, publishers.Post{ScheduledAt: due})
	publishertest.WantKind(t, err, publishers.KindUnknown)

	e.srv.RevokeToken(e.creds.AccessToken)
	_, err = e.c.FindPublished(ctx, e.creds, publishers.Post{Text: "Sunday special", ScheduledAt: due})
	publishertest.WantKind(t, err, publishers.KindUnknown)
}
