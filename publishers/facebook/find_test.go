package facebook

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
)

func TestFindPublished(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	due := e.clk.Now()
	// The same text a week before (outside the window) and another post inside it.
	e.srv.AddPost(e.page.ID, "Weekly special", due.Add(-7*24*time.Hour))
	e.srv.AddPost(e.page.ID, "Something else", due.Add(time.Minute))
	want := e.srv.AddPost(e.page.ID, "Weekly  special\n", due.Add(2*time.Minute))
	e.srv.AddPost(e.page.ID, "Weekly special", due.Add(3*time.Minute)) // a later duplicate: the earliest wins
	e.clk.Advance(10 * time.Minute)

	found, err := e.c.FindPublished(ctx, e.creds, publishers.Post{Text: "Weekly special", ScheduledAt: due})
	if err != nil {
		t.Fatal(err)
	}
	if found == nil || found.ExternalID != want.ID || found.URL != "https://www.facebook.com/"+want.ID || !found.PublishedAt.Equal(want.Created) {
		t.Fatalf("found %+v, want %s", found, want.ID)
	}

	none, err := e.c.FindPublished(ctx, e.creds, publishers.Post{Text: "Never posted", ScheduledAt: due})
	if err != nil || none != nil {
		t.Errorf("absent post: %+v %v", none, err)
	}

	_, err = e.c.FindPublished(ctx, e.creds, publishers.Post{ScheduledAt: due, Media: []publishers.Media{image("x", "", "")}})
	publishertest.WantKind(t, err, publishers.KindUnknown)
}

// More posts since the scheduled time than FindPublished reads: it cannot tell.
func TestFindPublishedTooManyPosts(t *testing.T) {
	e := newEnv(t)
	due := e.clk.Now()
	for i := 0; i < findPageSize*findPages+1; i++ {
		e.srv.AddPost(e.page.ID, fmt.Sprint("busy ", i), due.Add(time.Duration(i)*time.Second))
	}
	e.clk.Advance(time.Hour)
	_, err := e.c.FindPublished(context.Background(), e.creds, publishers.Post{Text: "not there", ScheduledAt: due})
	publishertest.WantKind(t, err, publishers.KindUnknown)
}

// A failure while looking is "cannot tell", keeping the cause.
func TestFindPublishedFailureIsUnknown(t *testing.T) {
	e := newEnv(t)
	e.srv.RevokeToken(e.creds.AccessToken)
	_, err := e.c.FindPublished(context.Background(), e.creds, publishers.Post{Text: "x", ScheduledAt: e.clk.Now()})
	pe := publishertest.WantKind(t, err, publishers.KindUnknown)
	var inner *publishers.Error
	if u, ok := pe.Err.(*publishers.Error); ok {
		inner = u
	}
	if inner == nil || inner.Kind != publishers.KindAuthExpired {
		t.Errorf("cause %v", pe.Err)
	}
}
