package mastodon

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

func TestPublishText(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	before := time.Now().Add(-time.Second)

	pub, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "key-1", Text: "Hello, fediverse!", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	st, ok := srv.Status(pub.ExternalID)
	if !ok {
		t.Fatalf("no status %s on the server", pub.ExternalID)
	}
	if st.Text != "Hello, fediverse!" || st.Visibility != "public" || st.Language != "en" || st.IdempotencyKey != "key-1" || len(st.MediaIDs) != 0 {
		t.Errorf("status %+v", st)
	}
	if pub.URL != srv.URL+"/@herald/"+st.ID || pub.PublishedAt.Before(before) || pub.PublishedAt.Location() != time.UTC {
		t.Errorf("published %+v", pub)
	}
	if srv.CreatedWithKey("key-1") != 1 {
		t.Errorf("created %d statuses with the key", srv.CreatedWithKey("key-1"))
	}
}

func TestPublishNeedsTextOrMedia(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	_, err := c.Publish(context.Background(), credsFor(srv, srv.NewToken("")), publishers.Post{Text: "  "})
	pubtest.WantKind(t, err, publishers.KindPermanent)
	if srv.Requests(http.MethodPost, "/api/v1/statuses") != 0 {
		t.Error("an empty post was sent")
	}
}

func TestPublishWithoutCredentialsNeedsReconnecting(t *testing.T) {
	c := testClient(t)
	_, err := c.Publish(context.Background(), &publishers.Credentials{}, publishers.Post{Text: "x"})
	pubtest.WantKind(t, err, publishers.KindAuthExpired)
	_, err = c.Publish(context.Background(), &publishers.Credentials{AccessToken: "t"}, publishers.Post{Text: "x"})
	pubtest.WantKind(t, err, publishers.KindAuthExpired)
}

func TestPublishWithMediaBeingProcessed(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetMediaProcessing(2) // 202, then 206, 206, 200
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))

	video := publishers.Media{Kind: content.KindVideo, MIME: "video/mp4", AltText: "A cat",
		Open: func(context.Context) ([]byte, error) { return []byte("mp4 bytes"), nil }}
	pub, err := c.Publish(context.Background(), creds, publishers.Post{
		IdempotencyKey: "key-m", Text: "With media", Media: []publishers.Media{image("png bytes", "A chart"), video},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := srv.Status(pub.ExternalID)
	if len(st.MediaIDs) != 2 {
		t.Fatalf("status has media %v", st.MediaIDs)
	}
	want := []struct{ mime, desc, name string }{{"image/png", "A chart", "attachment-1.png"}, {"video/mp4", "A cat", "attachment-2.mp4"}}
	for i, id := range st.MediaIDs {
		m, _ := srv.Media(id)
		if m.MIME != want[i].mime || m.Description != want[i].desc || m.FileName != want[i].name || !m.Ready {
			t.Errorf("attachment %d: %+v", i+1, m)
		}
		if n := srv.Requests(http.MethodGet, "/api/v1/media/"+id); n != 3 {
			t.Errorf("attachment %d polled %d times, want 3 (206, 206, 200)", i+1, n)
		}
	}
}

func TestPublishGivesUpOnSlowMedia(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetMediaProcessing(1 << 20)
	c := testClient(t, func(o *Options) { o.MediaPollTimeout = 30 * time.Millisecond })
	_, err := c.Publish(context.Background(), credsFor(srv, srv.NewToken("")), publishers.Post{Text: "x", Media: []publishers.Media{image("png", "")}})
	pe := pubtest.WantKind(t, err, publishers.KindRetryable)
	if !strings.Contains(pe.Message, "still processing attachment 1") {
		t.Errorf("message %q", pe.Message)
	}
	if srv.Requests(http.MethodPost, "/api/v1/statuses") != 0 {
		t.Error("the status was posted without its attachment")
	}
}

func TestPublishMediaReadFailure(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	broken := publishers.Media{Kind: content.KindImage, MIME: "image/png",
		Open: func(context.Context) ([]byte, error) { return nil, errors.New("disk on fire") }}
	_, err := c.Publish(context.Background(), credsFor(srv, srv.NewToken("")), publishers.Post{Text: "x", Media: []publishers.Media{broken}})
	pubtest.WantKind(t, err, publishers.KindRetryable)
}

func TestPublishWithFirstComment(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	pub, err := c.Publish(context.Background(), credsFor(srv, srv.NewToken("")), publishers.Post{
		IdempotencyKey: "key-fc", Text: "Main post", FirstComment: "#herald #scheduling", Language: "en",
	})
	if err != nil {
		t.Fatal(err)
	}
	statuses := srv.Statuses()
	if len(statuses) != 2 {
		t.Fatalf("%d statuses, want 2", len(statuses))
	}
	reply := statuses[0]
	if reply.InReplyToID != pub.ExternalID || reply.Text != "#herald #scheduling" || reply.IdempotencyKey != "key-fc-c1" || reply.Visibility != "public" {
		t.Errorf("first comment %+v", reply)
	}
	if main, _ := srv.Status(pub.ExternalID); main.Replies != 1 {
		t.Errorf("main post has %d replies", main.Replies)
	}
	if FirstCommentKey("") != "" {
		t.Error("a post without a key gives its comment one")
	}
}

func TestFirstCommentFailureDoesNotFailThePublish(t *testing.T) {
	srv := mastodontest.NewServer(t)
	token := srv.NewToken("")
	long := strings.Repeat("#tag ", 120) // 600 characters: the instance refuses it

	t.Run("reported to the hook", func(t *testing.T) {
		var (
			mu     sync.Mutex
			gotPub publishers.Published
			gotErr error
		)
		c := testClient(t, func(o *Options) {
			o.OnFirstCommentError = func(_ context.Context, p publishers.Published, err error) {
				mu.Lock()
				defer mu.Unlock()
				gotPub, gotErr = p, err
			}
		})
		pub, err := c.Publish(context.Background(), credsFor(srv, token), publishers.Post{IdempotencyKey: "k-hook", Text: "Main", FirstComment: long})
		if err != nil {
			t.Fatalf("the publish failed with its comment: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !reflect.DeepEqual(gotPub, pub) {
			t.Errorf("hook got %+v, want %+v", gotPub, pub)
		}
		pe := pubtest.WantKind(t, gotErr, publishers.KindPermanent)
		if !strings.Contains(pe.Message, "character limit of 500") {
			t.Errorf("message %q", pe.Message)
		}
	})

	t.Run("logged by default", func(t *testing.T) {
		var buf bytes.Buffer
		c := testClient(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&buf, nil)) })
		pub, err := c.Publish(context.Background(), credsFor(srv, token), publishers.Post{IdempotencyKey: "k-log", Text: "Main 2", FirstComment: long})
		if err != nil {
			t.Fatal(err)
		}
		log := buf.String()
		if !strings.Contains(log, "first comment") || !strings.Contains(log, pub.ExternalID) || !strings.Contains(log, "kind=permanent") {
			t.Errorf("log %q", log)
		}
		if strings.Contains(log, token) {
			t.Error("the log reveals the token")
		}
	})
}

func TestIdempotencyKeyHonoured(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	p := publishers.Post{IdempotencyKey: "same-key", Text: "Only once", FirstComment: "and its comment once"}
	first, err := c.Publish(context.Background(), creds, p)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Publish(context.Background(), creds, p)
	if err != nil {
		t.Fatal(err)
	}
	if first.ExternalID != second.ExternalID {
		t.Errorf("second publish made %s, first %s", second.ExternalID, first.ExternalID)
	}
	if srv.CreatedWithKey("same-key") != 1 || srv.CreatedWithText("Only once") != 1 ||
		srv.CreatedWithKey("same-key-c1") != 1 || len(srv.Statuses()) != 2 {
		t.Errorf("statuses created: %+v", srv.Statuses())
	}
}

// A server that ignores Idempotency-Key accepts the status and never answers: the outcome is
// unknown, and FindPublished finds the post instead of a retry posting it twice.
func TestTimeoutAfterAcceptIsUnknownAndFound(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetHonourIdempotency(false)
	srv.Inject(1, mastodontest.AcceptThenHang())
	c := testClient(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	creds := credsFor(srv, srv.NewToken(""))
	p := publishers.Post{IdempotencyKey: "k-hang", Text: "Did this go out?", ScheduledAt: time.Now()}

	_, err := c.Publish(context.Background(), creds, p)
	pubtest.WantKind(t, err, publishers.KindUnknown)

	found, err := c.FindPublished(context.Background(), creds, p)
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	statuses := srv.Statuses()
	if len(statuses) != 1 || found.ExternalID != statuses[0].ID || found.URL != srv.URL+"/@herald/"+statuses[0].ID {
		t.Errorf("found %+v, server has %+v", found, statuses)
	}
	if srv.CreatedWithText(p.Text) != 1 {
		t.Errorf("created %d times", srv.CreatedWithText(p.Text))
	}
}

// A connection dropped after the status was accepted is an unknown outcome too, and the
// transport must not silently send the request again (it would for a request with an
// Idempotency-Key header on a reused connection), which would post twice on this server.
func TestConnectionResetAfterAcceptIsNotReplayed(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetHonourIdempotency(false)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	// Warm a kept-alive connection so the next request reuses it.
	if _, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k-warm", Text: "warm-up"}); err != nil {
		t.Fatal(err)
	}
	srv.Inject(1, mastodontest.AcceptThenDrop())
	p := publishers.Post{IdempotencyKey: "k-drop", Text: "Dropped answer", ScheduledAt: time.Now()}
	_, err := c.Publish(context.Background(), creds, p)
	pubtest.WantKind(t, err, publishers.KindUnknown)
	if n := srv.CreatedWithText(p.Text); n != 1 {
		t.Fatalf("the status was created %d times", n)
	}
	if found, err := c.FindPublished(context.Background(), creds, p); err != nil || found == nil {
		t.Errorf("FindPublished = %v, %v", found, err)
	}
}

// A request that never left (the instance is unreachable) can be retried.
func TestUnreachableInstanceIsRetryable(t *testing.T) {
	srv := mastodontest.NewServer(t)
	creds := credsFor(srv, srv.NewToken(""))
	srv.Close()
	c := testClient(t)
	_, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k", Text: "x"})
	pubtest.WantKind(t, err, publishers.KindRetryable)
	_, err = c.Metrics(context.Background(), creds, []string{"1"})
	pubtest.WantKind(t, err, publishers.KindRetryable)
}

func TestMetaDescribesMastodon(t *testing.T) {
	m := New(Options{}).Meta()
	if m.Name != "mastodon" || m.DisplayName != "Mastodon" || m.Connect != publishers.ConnectOAuth2 ||
		!m.Capabilities.Threads || !m.Capabilities.FirstComment || !m.Capabilities.Idempotency || !m.Capabilities.FindPublished ||
		len(m.Capabilities.MediaKinds) != 3 || strings.Join(m.Capabilities.Metrics, ",") != "likes,reposts,replies,quotes" ||
		m.Rules.Network != "mastodon" || m.Rules.MaxLength != 500 {
		t.Errorf("meta %+v", m)
	}
	r := publishers.NewRegistry(New(Options{}))
	if _, ok := r.Get("mastodon"); !ok {
		t.Error("not registered by name")
	}
}

func TestInstanceRules(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetMaxCharacters(5000)
	rules, err := testClient(t).InstanceRules(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if rules.MaxLength != 5000 || rules.MaxFirstComment != 5000 || !rules.FirstComment || rules.MaxMedia != 4 || rules.MaxImageBytes != 16777216 || rules.MaxVideoBytes != 103809024 {
		t.Errorf("rules %+v", rules)
	}
	res := content.Check(rules, content.Content{Text: strings.Repeat("a", 1000)})
	if !res.OK {
		t.Errorf("1,000 characters do not fit a 5,000-character instance: %+v", res.Problems)
	}
}
