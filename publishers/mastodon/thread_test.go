package mastodon

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/mastodon/mastodontest"
)

// threadPost is a three-part thread with an image on its middle part and a first comment.
func threadPost(key string) publishers.Post {
	return publishers.Post{
		IdempotencyKey: key,
		Text:           "1/3 Herald publishes threads now.",
		Thread: []publishers.ThreadPart{
			{Text: "2/3 Each part replies to the one before.", Media: []publishers.Media{image("png bytes", "A chain of replies")}},
			{Text: "3/3 And the first comment comes last."},
		},
		FirstComment: "#herald #threads",
		Language:     "en",
		ScheduledAt:  time.Now(),
	}
}

// chain follows the account's replies from the status id, the first reply at each step, and
// returns the statuses met, id's own first.
func chain(t *testing.T, srv *mastodontest.Server, id string) []mastodontest.Status {
	t.Helper()
	st, ok := srv.Status(id)
	if !ok {
		t.Fatalf("no status %s", id)
	}
	out := []mastodontest.Status{st}
	for {
		replies := srv.Replies(st.ID)
		if len(replies) == 0 {
			return out
		}
		if len(replies) > 1 {
			t.Fatalf("status %s has %d replies, want one: %+v", st.ID, len(replies), replies)
		}
		st = replies[0]
		out = append(out, st)
	}
}

func TestPublishThread(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetMediaProcessing(1) // the middle part's image needs a poll before it can be attached
	c := testClient(t)
	p := threadPost("key-t")
	pub, err := c.Publish(context.Background(), credsFor(srv, srv.NewToken("")), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Warnings) != 0 {
		t.Errorf("warnings %q", pub.Warnings)
	}
	got := chain(t, srv, pub.ExternalID)
	if len(got) != 4 {
		t.Fatalf("the chain from the post has %d statuses, want 3 parts and a comment: %+v", len(got), got)
	}
	want := []struct {
		text, key string
		media     int
	}{
		{p.Text, "key-t", 0},
		{p.Thread[0].Text, "key-t-1", 1},
		{p.Thread[1].Text, "key-t-2", 0},
		{p.FirstComment, "key-t-c1", 0},
	}
	for i, st := range got {
		w := want[i]
		if st.Text != w.text || st.IdempotencyKey != w.key || len(st.MediaIDs) != w.media || st.Visibility != "public" || st.Language != "en" {
			t.Errorf("status %d: %+v, want text %q, key %q, %d attachments, public, en", i+1, st, w.text, w.key, w.media)
		}
		if i > 0 && st.InReplyToID != got[i-1].ID {
			t.Errorf("status %d replies to %s, want the one before (%s)", i+1, st.InReplyToID, got[i-1].ID)
		}
	}
	if got[0].InReplyToID != "" {
		t.Errorf("the first post replies to %s", got[0].InReplyToID)
	}
	m, _ := srv.Media(got[1].MediaIDs[0])
	if m.Description != "A chain of replies" || !m.Ready {
		t.Errorf("the middle part's image: %+v", m)
	}
	if n := srv.Requests(http.MethodGet, "/api/v1/media/"+m.ID); n != 2 {
		t.Errorf("the image was polled %d times, want 2 (206, 200)", n)
	}
}

func TestThreadPartFailureIsAWarning(t *testing.T) {
	tests := []struct {
		name   string
		fault  mastodontest.Fault
		want   string
		exists bool // part 2 was created all the same (its answer was lost)
	}{
		{"refused", mastodontest.Fault{Status: http.StatusUnprocessableEntity, Error: "Validation failed: Text character limit of 500 exceeded"}.OnPart(2),
			"Part 2 of 3 was not published: Validation failed: Text character limit of 500 exceeded; the earlier parts are online. Herald stopped there, so part 3 and the first comment were not published either.", false},
		{"rate limited", mastodontest.RateLimited(time.Minute).OnPart(2),
			"Part 2 of 3 was not published: ", false},
		{"answer lost", mastodontest.AcceptThenDrop().OnPart(2),
			"Part 2 of 3 may or may not have been published: Mastodon did not confirm it", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mastodontest.NewServer(t)
			srv.Inject(1, tt.fault)
			c := testClient(t)
			p := threadPost("key-f")
			pub, err := c.Publish(context.Background(), credsFor(srv, srv.NewToken("")), p)
			if err != nil {
				t.Fatalf("the publish failed with its second part: %v", err)
			}
			if _, ok := srv.Status(pub.ExternalID); !ok || pub.URL == "" {
				t.Fatalf("published %+v is not the first post", pub)
			}
			if len(pub.Warnings) != 1 || !strings.HasPrefix(pub.Warnings[0], tt.want) {
				t.Fatalf("warnings %q, want one starting %q", pub.Warnings, tt.want)
			}
			if !strings.Contains(pub.Warnings[0], "part 3 and the first comment were not published either") {
				t.Errorf("the warning does not say what was left out: %q", pub.Warnings[0])
			}
			if n := srv.CreatedWithText(p.Thread[0].Text); (n == 1) != tt.exists || n > 1 {
				t.Errorf("part 2 created %d times", n)
			}
			if srv.CreatedWithText(p.Thread[1].Text) != 0 || srv.CreatedWithText(p.FirstComment) != 0 {
				t.Errorf("Herald went on after part 2 failed: %+v", srv.Statuses())
			}
		})
	}
}

func TestThreadPartMediaFailureIsAWarning(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	p := threadPost("key-m")
	p.Thread[0].Media = []publishers.Media{{Kind: content.KindImage, MIME: "image/png",
		Open: func(context.Context) ([]byte, error) { return nil, errors.New("disk on fire") }}}
	pub, err := c.Publish(context.Background(), credsFor(srv, srv.NewToken("")), p)
	if err != nil {
		t.Fatal(err)
	}
	want := "Part 2 of 3 was not published: attachment 1 could not be read from Herald's storage; the earlier parts are online."
	if len(pub.Warnings) != 1 || !strings.HasPrefix(pub.Warnings[0], want) {
		t.Fatalf("warnings %q", pub.Warnings)
	}
	if len(srv.Statuses()) != 1 {
		t.Errorf("statuses %+v", srv.Statuses())
	}
}

func TestEmptyThreadPartIsRefusedBeforeAnythingIsSent(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	p := threadPost("key-e")
	p.Thread[1].Text = "  "
	_, err := c.Publish(context.Background(), credsFor(srv, srv.NewToken("")), p)
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if !strings.Contains(pe.Message, "part 3 of 3") {
		t.Errorf("message %q", pe.Message)
	}
	if srv.Requests(http.MethodPost, "/api/v1/statuses") != 0 || srv.Requests(http.MethodPost, "/api/v2/media") != 0 {
		t.Error("something was sent")
	}
}

// Publishing a thread again (a retry after the result was lost) creates no part twice: every
// part's Idempotency-Key is its own, and the instance answers each with the status it made.
func TestThreadExactlyOncePerPartAcrossARetry(t *testing.T) {
	srv := mastodontest.NewServer(t)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	p := threadPost("key-r")
	// The first attempt: part 3 is created but its answer never comes.
	srv.Inject(1, mastodontest.AcceptThenDrop().OnPart(3))
	first, err := c.Publish(context.Background(), creds, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Warnings) != 1 || !strings.HasPrefix(first.Warnings[0], "Part 3 of 3 may or may not have been published") {
		t.Fatalf("warnings %q", first.Warnings)
	}
	if srv.CreatedWithText(p.FirstComment) != 0 {
		t.Fatal("the first comment was posted after an unconfirmed part")
	}
	// The retry replays parts 1 to 3 by their keys and adds the first comment under part 3.
	second, err := c.Publish(context.Background(), creds, p)
	if err != nil {
		t.Fatal(err)
	}
	if second.ExternalID != first.ExternalID || len(second.Warnings) != 0 {
		t.Fatalf("second %+v, first %+v", second, first)
	}
	for _, key := range []string{"key-r", "key-r-1", "key-r-2", "key-r-c1"} {
		if n := srv.CreatedWithKey(key); n != 1 {
			t.Errorf("%d statuses created with key %s", n, key)
		}
	}
	got := chain(t, srv, first.ExternalID)
	if len(got) != 4 || got[2].Text != p.Thread[1].Text || got[3].Text != p.FirstComment || got[3].InReplyToID != got[2].ID {
		t.Fatalf("chain %+v", got)
	}
	if len(srv.Statuses()) != 4 {
		t.Errorf("%d statuses, want 4", len(srv.Statuses()))
	}
	// And once more, everything is answered from the keys.
	if _, err := c.Publish(context.Background(), creds, p); err != nil || len(srv.Statuses()) != 4 {
		t.Fatalf("third publish: %v, %d statuses", err, len(srv.Statuses()))
	}
}

func TestFindPublishedWarnsAboutMissingParts(t *testing.T) {
	srv := mastodontest.NewServer(t)
	srv.SetHonourIdempotency(false)
	c := testClient(t)
	creds := credsFor(srv, srv.NewToken(""))
	ctx := context.Background()

	t.Run("parts 2 and 3 missing", func(t *testing.T) {
		p := threadPost("")
		p.Text = "1/3 cut short"
		srv.Inject(1, mastodontest.Fault{Status: http.StatusServiceUnavailable}.OnPart(2))
		pub, err := c.Publish(ctx, creds, p)
		if err != nil || len(pub.Warnings) != 1 {
			t.Fatalf("Publish = %+v, %v", pub, err)
		}
		found, err := c.FindPublished(ctx, creds, p)
		if err != nil || found == nil || found.ExternalID != pub.ExternalID {
			t.Fatalf("FindPublished = %+v, %v", found, err)
		}
		want := "The post was found on Mastodon after its outcome was uncertain, but parts 2 to 3 of 3 and the first comment did not follow it"
		if len(found.Warnings) != 1 || !strings.HasPrefix(found.Warnings[0], want) {
			t.Errorf("warnings %q", found.Warnings)
		}
	})

	t.Run("only the comment missing", func(t *testing.T) {
		p := threadPost("")
		p.Text = "1/3 without its comment"
		srv.Inject(1, mastodontest.Fault{Status: http.StatusServiceUnavailable}.OnPart(4))
		pub, err := c.Publish(ctx, creds, p)
		if err != nil || len(pub.Warnings) != 1 || !strings.HasPrefix(pub.Warnings[0], "The first comment was not published") {
			t.Fatalf("Publish = %+v, %v", pub, err)
		}
		found, err := c.FindPublished(ctx, creds, p)
		if err != nil || found == nil || len(found.Warnings) != 1 || !strings.Contains(found.Warnings[0], "but the first comment did not follow it") {
			t.Fatalf("FindPublished = %+v, %v", found, err)
		}
	})

	t.Run("complete", func(t *testing.T) {
		p := threadPost("")
		p.Text = "1/3 complete"
		if _, err := c.Publish(ctx, creds, p); err != nil {
			t.Fatal(err)
		}
		found, err := c.FindPublished(ctx, creds, p)
		if err != nil || found == nil || len(found.Warnings) != 0 {
			t.Fatalf("FindPublished = %+v, %v", found, err)
		}
	})

	t.Run("not sure: a reply Herald cannot match", func(t *testing.T) {
		p := threadPost("")
		p.Text = "1/3 answered by hand"
		srv.Inject(1, mastodontest.Fault{Status: http.StatusServiceUnavailable}.OnPart(2))
		pub, err := c.Publish(ctx, creds, p)
		if err != nil {
			t.Fatal(err)
		}
		srv.AddReply(pub.ExternalID, "2/3 written by hand, edited", time.Now())
		found, err := c.FindPublished(ctx, creds, p)
		if err != nil || found == nil || len(found.Warnings) != 0 {
			t.Fatalf("FindPublished = %+v, %v; want no warning when Herald cannot be sure", found, err)
		}
	})

	t.Run("not sure: the context cannot be read", func(t *testing.T) {
		p := threadPost("")
		p.Text = "1/3 context unavailable"
		srv.Inject(1, mastodontest.Fault{Status: http.StatusServiceUnavailable}.OnPart(2))
		pub, err := c.Publish(ctx, creds, p)
		if err != nil {
			t.Fatal(err)
		}
		srv.Inject(1, mastodontest.ServerError(http.StatusServiceUnavailable).On(http.MethodGet, "/api/v1/statuses/"+pub.ExternalID+"/context"))
		found, err := c.FindPublished(ctx, creds, p)
		if err != nil || found == nil || found.ExternalID != pub.ExternalID || len(found.Warnings) != 0 {
			t.Fatalf("FindPublished = %+v, %v", found, err)
		}
		if srv.Requests(http.MethodGet, "/api/v1/statuses/"+pub.ExternalID+"/context") != 1 {
			t.Error("the context was not asked for")
		}
	})
}
