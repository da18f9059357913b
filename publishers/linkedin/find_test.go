package linkedin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestFindPublishedFound(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	ctx := context.Background()
	creds := orgCreds(srv, 1001)
	at := time.Now().Add(-time.Minute)
	text := "Our (new) menu: #coffee_time & more"
	// Older posts of the page, one with the same text before the window.
	srv.AddPost(creds.Get(ExtraAuthor), EscapeLittle(text), at.Add(-48*time.Hour))
	srv.AddPost(creds.Get(ExtraAuthor), EscapeLittle("something else"), at)
	pub, err := c.Publish(ctx, creds, publishers.Post{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	found, err := c.FindPublished(ctx, creds, publishers.Post{Text: text, ScheduledAt: at})
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	if found.ExternalID != pub.ExternalID || found.URL != pub.URL || found.PublishedAt.IsZero() {
		t.Errorf("found %+v, published %+v", found, pub)
	}
	// White space LinkedIn may have changed does not matter; attachments do.
	if f, err := c.FindPublished(ctx, creds, publishers.Post{Text: text + "\n", ScheduledAt: at}); err != nil || f == nil {
		t.Errorf("with other white space: %v, %v", f, err)
	}
	if f, err := c.FindPublished(ctx, creds, publishers.Post{Text: text, ScheduledAt: at, Media: []publishers.Media{image("x", "")}}); err != nil || f != nil {
		t.Errorf("with an attachment the post lacks: %v, %v", f, err)
	}
}

func TestFindPublishedNotFound(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	creds := orgCreds(srv, 1002)
	now := time.Now()
	srv.AddPost(creds.Get(ExtraAuthor), "old post", now.Add(-72*time.Hour))
	srv.AddPost(creds.Get(ExtraAuthor), "recent but different", now.Add(-time.Minute))
	found, err := c.FindPublished(context.Background(), creds, publishers.Post{Text: "never sent", ScheduledAt: now.Add(-2 * time.Minute)})
	if err != nil || found != nil {
		t.Errorf("FindPublished = %v, %v; want nil, nil", found, err)
	}
	// A page with no posts at all: the whole history was read.
	found, err = c.FindPublished(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: "never sent", ScheduledAt: now})
	if err != nil || found != nil {
		t.Errorf("empty page: %v, %v", found, err)
	}
}

func TestFindPublishedCannotTell(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	ctx := context.Background()
	post := publishers.Post{Text: "did it go out?", ScheduledAt: time.Now().Add(-time.Hour)}

	t.Run("member without r_member_social", func(t *testing.T) {
		_, err := c.FindPublished(ctx, memberCreds(srv, ""), post)
		pe := pubtest.WantKind(t, err, publishers.KindUnknown)
		if pe.Code != "member_posts_unreadable" || !strings.Contains(pe.Message, "r_member_social") {
			t.Errorf("error %+v", pe)
		}
		if n := srv.Requests(http.MethodGet, "/rest/posts"); n != 0 {
			t.Errorf("asked LinkedIn %d times for posts it would refuse", n)
		}
	})
	t.Run("member with r_member_social", func(t *testing.T) {
		creds := memberCreds(srv, linkedintest.AllScopes+" r_member_social")
		found, err := c.FindPublished(ctx, creds, post)
		if err != nil || found != nil {
			t.Errorf("FindPublished = %v, %v", found, err)
		}
	})
	t.Run("the posts read do not reach the window", func(t *testing.T) {
		creds := orgCreds(srv, 1001)
		for i := range findPages*findPageSize + 5 {
			srv.AddPost(creds.Get(ExtraAuthor), fmt.Sprintf("busy page %d", i), time.Now().Add(-time.Duration(i)*time.Second))
		}
		_, err := c.FindPublished(ctx, creds, post)
		pubtest.WantKind(t, err, publishers.KindUnknown)
	})
	t.Run("LinkedIn fails", func(t *testing.T) {
		for _, f := range []linkedintest.Fault{linkedintest.Expired(), linkedintest.RateLimited(), linkedintest.ServerError(500)} {
			srv.Inject(1, f.On(http.MethodGet, "/rest/posts"))
			_, err := c.FindPublished(ctx, orgCreds(srv, 1002), post)
			pe := pubtest.WantKind(t, err, publishers.KindUnknown)
			if pe.Status != f.Status {
				t.Errorf("%d: status %d", f.Status, pe.Status)
			}
			var inner *publishers.Error
			if u := pe.Unwrap(); u == nil || !asInner(u, &inner) || inner.Status != f.Status {
				t.Errorf("%d: the cause is not kept", f.Status)
			}
		}
	})
}

func asInner(err error, target **publishers.Error) bool {
	pe, ok := err.(*publishers.Error)
	if ok {
		*target = pe
	}
	return ok
}
