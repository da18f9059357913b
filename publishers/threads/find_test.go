package threads

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/threads/threadstest"
)

func TestFindPublishedFound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	creds := e.creds(48 * time.Hour)
	scheduled := e.clock.Now()
	text := "Release notes:\nhttps://example.com/r/1.2\n\nThanks  everyone"
	pub, err := e.c.Publish(ctx, creds, publishers.Post{Text: text, ScheduledAt: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	// Other posts in the window: other text, the same text with an image, and a reply with the
	// same text (replies are not in the list).
	e.srv.AddPost(threadstest.PostSeed{Text: "Something else", At: e.clock.Now()})
	e.srv.AddPost(threadstest.PostSeed{Text: text, At: e.clock.Now(), MediaType: "IMAGE"})
	e.srv.AddPost(threadstest.PostSeed{Text: text, At: e.clock.Now(), ReplyTo: pub.ExternalID})

	found, err := e.c.FindPublished(ctx, creds, publishers.Post{Text: "Release notes: https://example.com/r/1.2 Thanks everyone", ScheduledAt: scheduled})
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	if found.ExternalID != pub.ExternalID || found.URL != pub.URL || !found.PublishedAt.Equal(pub.PublishedAt) || len(found.Warnings) != 0 {
		t.Errorf("found %+v, published %+v", found, pub)
	}

	// The image post is found only when asked for with an image.
	withImage, err := e.c.FindPublished(ctx, creds, publishers.Post{Text: text, ScheduledAt: scheduled, Media: []publishers.Media{image("x", "")}})
	if err != nil || withImage == nil || withImage.ExternalID == pub.ExternalID {
		t.Errorf("with an image: %+v, %v", withImage, err)
	}
}

func TestFindPublishedNotFound(t *testing.T) {
	e := newEnv(t)
	creds := e.creds(48 * time.Hour)
	now := e.clock.Now()
	scheduled := now.Add(-time.Hour)
	e.srv.AddPost(threadstest.PostSeed{Text: "The post", At: scheduled.Add(-10 * time.Minute)}) // before the window
	e.srv.AddPost(threadstest.PostSeed{Text: "In the window, other text", At: scheduled.Add(time.Minute)})

	got, err := e.c.FindPublished(context.Background(), creds, publishers.Post{Text: "The post", ScheduledAt: scheduled})
	if err != nil || got != nil {
		t.Errorf("FindPublished = %v, %v; want nil, nil", got, err)
	}
	if got, err := e.c.FindPublished(context.Background(), creds, publishers.Post{Text: "x", ScheduledAt: now}); err != nil || got != nil {
		t.Errorf("empty window: %v, %v", got, err)
	}
}

func TestFindPublishedCannotTell(t *testing.T) {
	ctx := context.Background()

	t.Run("more posts in the window than Herald reads", func(t *testing.T) {
		e := newEnv(t)
		scheduled := e.clock.Now().Add(-time.Hour)
		for i := range findPages*findPageSize + 5 {
			e.srv.AddPost(threadstest.PostSeed{Text: fmt.Sprintf("busy %d", i), At: scheduled.Add(time.Duration(i) * time.Second)})
		}
		_, err := e.c.FindPublished(ctx, e.creds(48*time.Hour), publishers.Post{Text: "The post", ScheduledAt: scheduled})
		pubtest.WantKind(t, err, publishers.KindUnknown)
		if n := e.srv.Requests(threadstest.EndpointList); n != findPages {
			t.Errorf("read %d pages, want %d", n, findPages)
		}
	})

	t.Run("Threads fails", func(t *testing.T) {
		e := newEnv(t)
		e.srv.Inject(1, threadstest.ServerError(503))
		_, err := e.c.FindPublished(ctx, e.creds(48*time.Hour), publishers.Post{Text: "x", ScheduledAt: e.clock.Now()})
		pubtest.WantKind(t, err, publishers.KindUnknown)
	})

	t.Run("the token expired: unknown, with the cause inside", func(t *testing.T) {
		e := newEnv(t)
		e.srv.Inject(1, threadstest.TokenExpired())
		_, err := e.c.FindPublished(ctx, e.creds(48*time.Hour), publishers.Post{Text: "x", ScheduledAt: e.clock.Now()})
		pe := pubtest.WantKind(t, err, publishers.KindUnknown)
		var inner *publishers.Error
		if !errors.As(pe.Err, &inner) || inner.Kind != publishers.KindAuthExpired {
			t.Errorf("cause %v", pe.Err)
		}
	})

	t.Run("rate limited: unknown, with the wait", func(t *testing.T) {
		e := newEnv(t)
		e.srv.Inject(1, threadstest.RateLimited(2))
		_, err := e.c.FindPublished(ctx, e.creds(48*time.Hour), publishers.Post{Text: "x", ScheduledAt: e.clock.Now()})
		if pe := pubtest.WantKind(t, err, publishers.KindUnknown); pe.RetryAfter != 2*time.Minute {
			t.Errorf("retry after %s", pe.RetryAfter)
		}
	})
}

// A thread whose first post went out but whose outcome was unknown: the parts were never
// published, and FindPublished says so.
func TestFindPublishedWarnsOfMissingParts(t *testing.T) {
	e := newEnv(t)
	creds := e.creds(48 * time.Hour)
	scheduled := e.clock.Now()
	post := publishers.Post{Text: "one", Thread: []publishers.ThreadPart{{Text: "two"}}, FirstComment: "c", ScheduledAt: scheduled}

	root := e.srv.AddPost(threadstest.PostSeed{Text: "one", At: scheduled})
	found, err := e.c.FindPublished(context.Background(), creds, post)
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	if len(found.Warnings) != 1 || !strings.Contains(found.Warnings[0], "the later parts of the thread and its first comment did not follow") {
		t.Errorf("warnings %q", found.Warnings)
	}

	// With its parts in place, no warning.
	e.srv.AddPost(threadstest.PostSeed{Text: "two", At: scheduled, ReplyTo: root.ID})
	found, err = e.c.FindPublished(context.Background(), creds, post)
	if err != nil || found == nil || len(found.Warnings) != 0 {
		t.Errorf("FindPublished = %+v, %v", found, err)
	}
}
