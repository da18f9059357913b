package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

func TestFindPublishedMatchesTheDisplayedText(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetHonourIdempotency(false)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	scheduled := time.Now()
	text := "Release notes: https://example.com/releases/2026/03/herald-1.2.0-and-what-changed?utm=x\n\n" +
		"Thanks @alice@other.example & @bob <3 #Herald\r\nline two   with  spaces"
	pub, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k", Text: text, ScheduledAt: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	// Another status in the window with other text, and a reply with the same text.
	srv.AddStatus("Something else", scheduled)
	if _, err := c.Publish(context.Background(), creds, publishers.Post{Text: "Main", FirstComment: text}); err != nil {
		t.Fatal(err)
	}

	found, err := c.FindPublished(context.Background(), creds, publishers.Post{Text: text, ScheduledAt: scheduled})
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	if !reflect.DeepEqual(*found, pub) {
		t.Errorf("found %+v, published %+v", *found, pub)
	}

	// A different text, or a different attachment count, is not the post.
	for _, p := range []publishers.Post{
		{Text: text + " (edited)", ScheduledAt: scheduled},
		{Text: text, ScheduledAt: scheduled, Media: []publishers.Media{image("x", "")}},
	} {
		got, err := c.FindPublished(context.Background(), creds, p)
		if err != nil || got != nil {
			t.Errorf("FindPublished(%q, %d media) = %v, %v; want nil, nil", p.Text, len(p.Media), got, err)
		}
	}
}

func TestFindPublishedNotFound(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	scheduled := time.Now().Add(-time.Hour)
	srv.AddStatus("Last week's post", scheduled.Add(-7*24*time.Hour))
	srv.AddStatus("Just before the window", scheduled.Add(-6*time.Minute))
	srv.AddStatus("In the window, other text", scheduled.Add(time.Minute))
	srv.AddStatus("The post", scheduled.Add(-10*time.Minute)) // same text, but before the window

	got, err := c.FindPublished(context.Background(), creds, publishers.Post{Text: "The post", ScheduledAt: scheduled})
	if err != nil || got != nil {
		t.Errorf("FindPublished = %v, %v; want nil, nil (the page reaches past the window)", got, err)
	}
}

func TestFindPublishedOnAnEmptyAccount(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	got, err := c.FindPublished(context.Background(), credsFor(srv, srv.NewToken("")), publishers.Post{Text: "x", ScheduledAt: time.Now()})
	if err != nil || got != nil {
		t.Errorf("FindPublished = %v, %v; want nil, nil (the whole history was read)", got, err)
	}
}

func TestFindPublishedWithoutAccountIDAsksTheInstance(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	delete(creds.Extra, ExtraAccountID)
	srv.AddStatus("Here", time.Now())
	got, err := c.FindPublished(context.Background(), creds, publishers.Post{Text: "Here", ScheduledAt: time.Now()})
	if err != nil || got == nil {
		t.Errorf("FindPublished = %v, %v", got, err)
	}
}

func TestFindPublishedCannotTell(t *testing.T) {
	ctx := context.Background()

	t.Run("the window reaches past the pages read", func(t *testing.T) {
		srv := mastodontest.NewServer(t)
		c := testClient(t)
		creds := credsFor(srv, srv.NewToken(""))
		scheduled := time.Now().Add(-time.Hour)
		for i := range findPages*findPageSize + 5 {
			srv.AddStatus(fmt.Sprintf("busy account %d", i), scheduled.Add(time.Duration(i)*time.Second))
		}
		_, err := c.FindPublished(ctx, creds, publishers.Post{Text: "The post", ScheduledAt: scheduled})
		pubtest.WantKind(t, err, publishers.KindUnknown)
		if n := srv.Requests(http.MethodGet, "/api/v1/accounts/"+srv.AccountID()+"/statuses"); n != findPages {
			t.Errorf("read %d pages, want %d", n, findPages)
		}
	})

	t.Run("the instance fails", func(t *testing.T) {
		srv := mastodontest.NewServer(t)
		c := testClient(t)
		srv.Inject(1, mastodontest.ServerError(http.StatusServiceUnavailable))
		_, err := c.FindPublished(ctx, credsFor(srv, srv.NewToken("")), publishers.Post{Text: "x", ScheduledAt: time.Now()})
		pubtest.WantKind(t, err, publishers.KindUnknown)
	})

	t.Run("the token was revoked: unknown, with the cause inside", func(t *testing.T) {
		srv := mastodontest.NewServer(t)
		c := testClient(t)
		srv.Inject(1, mastodontest.Revoked())
		_, err := c.FindPublished(ctx, credsFor(srv, srv.NewToken("")), publishers.Post{Text: "x", ScheduledAt: time.Now()})
		pe := pubtest.WantKind(t, err, publishers.KindUnknown)
		var inner *publishers.Error
		if !errors.As(pe.Err, &inner) || inner.Kind != publishers.KindAuthExpired || pe.Status != http.StatusUnauthorized {
			t.Errorf("cause %v", pe.Err)
		}
	})

	t.Run("rate limited: unknown, with the wait", func(t *testing.T) {
		srv := mastodontest.NewServer(t)
		c := testClient(t)
		srv.Inject(1, mastodontest.RateLimited(2*time.Minute))
		_, err := c.FindPublished(ctx, credsFor(srv, srv.NewToken("")), publishers.Post{Text: "x", ScheduledAt: time.Now()})
		pe := pubtest.WantKind(t, err, publishers.KindUnknown)
		if pe.RetryAfter != 2*time.Minute {
			t.Errorf("retry after %s", pe.RetryAfter)
		}
	})
}

func TestHTMLText(t *testing.T) {
	cases := map[string]string{
		`<p>Hello <a href="https://x.example/tags/go" class="mention hashtag" rel="tag">#<span>go</span></a></p>`: "Hello #go",
		`<p>a<br />b<br>c</p><p>d</p>`: "a\nb\nc\n\n\nd\n",
		`<p>see <a href="https://example.com/long/path" rel="nofollow noopener"><span class="invisible">https://</span><span class="ellipsis">example.com/lo</span><span class="invisible">ng/path</span></a></p>`: "see https://example.com/long/path",
		`<p>1 &lt; 2 &amp;&amp; &quot;q&quot; &#39;s&#39;</p>`: `1 < 2 && "q" 's'`,
		`<p><a title="a > b" href="x">link</a></p>`:            "link",
		`plain`:                   "plain",
		`<p>unclosed <a href="x"`: "unclosed ",
	}
	for in, want := range cases {
		if got := htmlText(in); normalizeSpace(got) != normalizeSpace(want) {
			t.Errorf("htmlText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := visibleForms("hi @alice@example.social, mail bob@example.com"); !got["hi @alice, mail bob@example.com"] || !got["hi @alice@example.social, mail bob@example.com"] {
		t.Errorf("visibleForms = %v", got)
	}
}

func FuzzHTMLText(f *testing.F) {
	f.Add(`<p>Hello <a href="x">#<span>go</span></a><br/>there &amp; more</p>`)
	f.Add(`<a title='">'>x</a>`)
	f.Add(`<`)
	f.Fuzz(func(t *testing.T, s string) {
		out := htmlText(s)
		if len(out) > len(s)*4+8 {
			t.Errorf("htmlText grew %d bytes to %d", len(s), len(out))
		}
	})
}
