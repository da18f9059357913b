package sandbox

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
)

// threadPost is a three-part thread with an image on its middle part and a first comment.
func threadPost(key string) publishers.Post {
	return publishers.Post{
		IdempotencyKey: key,
		Text:           "1/3 The winter blend is back.",
		Thread: []publishers.ThreadPart{
			{Text: "2/3 Roasted in small batches.", Media: []publishers.Media{{Kind: content.KindImage, MIME: "image/png", AltText: "Beans in the roaster",
				Open: func(context.Context) ([]byte, error) { return []byte("png bytes"), nil }}}},
			{Text: "3/3 In the shop from Monday."},
		},
		FirstComment: "Opening hours: 8 to 6",
		Language:     "en",
	}
}

// posts returns a copy of every stored post, oldest first.
func (e *env) posts() []post {
	e.n.mu.Lock()
	defer e.n.mu.Unlock()
	out := make([]post, len(e.n.st.Posts))
	for i, p := range e.n.st.Posts {
		out[i] = *p
	}
	return out
}

// byKey returns the post stored under key on handle's account.
func (e *env) byKey(handle, key string) (post, bool) {
	e.n.mu.Lock()
	defer e.n.mu.Unlock()
	p := e.n.byKey[postKey(handle, key)]
	if p == nil {
		return post{}, false
	}
	return *p, true
}

func TestPublishThread(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	p := threadPost("key-t")
	res, err := e.n.Publish(context.Background(), creds, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	posts := e.posts()
	if len(posts) != 3 {
		t.Fatalf("%d posts, want 3 parts: %+v", len(posts), posts)
	}
	want := []struct {
		key, text, comment string
		media              int
	}{
		{"key-t", p.Text, "", 0},
		{"key-t-1", p.Thread[0].Text, "", 1},
		{"key-t-2", p.Thread[1].Text, p.FirstComment, 0},
	}
	for i, w := range want {
		got, ok := e.byKey("heraldcoffee", w.key)
		if !ok {
			t.Fatalf("part %d is not under its key %s", i+1, w.key)
		}
		if got.Text != w.text || got.FirstComment != w.comment || len(got.Media) != w.media || got.Language != "en" {
			t.Errorf("part %d: %+v", i+1, got)
		}
		var parent int64
		if i > 0 {
			prev, _ := e.byKey("heraldcoffee", want[i-1].key)
			parent = prev.ID
		}
		if got.ReplyTo != parent {
			t.Errorf("part %d replies to %d, want %d", i+1, got.ReplyTo, parent)
		}
	}
	if res.ExternalID != "1" || res.URL != e.base+"/sandbox/@heraldcoffee/1" {
		t.Errorf("published %+v is not the first post", res)
	}
	if m := posts[1].Media[0]; m.AltText != "Beans in the roaster" || m.Size != 9 {
		t.Errorf("the middle part's image: %+v", m)
	}
}

func TestThreadOnThePages(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	p := threadPost("key-p")
	res, err := e.n.Publish(context.Background(), creds, p)
	if err != nil {
		t.Fatal(err)
	}
	later := e.publish(creds, "key-later", "A post of its own")

	for _, page := range []string{e.base + "/sandbox/", e.base + "/sandbox/@heraldcoffee", res.URL} {
		body := e.get(page).body
		// Each part once, in order, under the first post, the first comment after the last part.
		var at []int
		for _, s := range []string{"Part 1 of 3", p.Text, "Part 2 of 3", p.Thread[0].Text, "Beans in the roaster", "Part 3 of 3", p.Thread[1].Text, p.FirstComment} {
			i := strings.Index(body, s)
			if i < 0 || strings.Count(body, s) != 1 {
				t.Fatalf("%s: %q appears %d times", page, s, strings.Count(body, s))
			}
			at = append(at, i)
		}
		for i := 1; i < len(at); i++ {
			if at[i] < at[i-1] {
				t.Errorf("%s: the thread is out of order (%v)", page, at)
			}
		}
		if !strings.Contains(body, `<ol class="thread" start="2"`) {
			t.Errorf("%s: the later parts are not listed under the first post", page)
		}
	}
	if idx := e.get(e.base + "/sandbox/").body; !strings.Contains(idx, later.URL[len(e.base):]) || strings.Count(idx, `class="post"`) != 2 {
		t.Errorf("the index shows %d posts, want the thread and the later post", strings.Count(idx, `class="post"`))
	}

	// A later part's own page: where its thread starts, the part, and what follows it.
	part2, _ := e.byKey("heraldcoffee", "key-p-1")
	page := e.get(e.base + "/sandbox/@heraldcoffee/" + itoa(part2.ID))
	if page.status != 200 || !strings.Contains(page.body, `Part 2 of 3</span> of <a href="/sandbox/@heraldcoffee/1">a thread</a>`) ||
		!strings.Contains(page.body, p.Thread[1].Text) || strings.Contains(page.body, p.Text) {
		t.Errorf("part 2's page: %d\n%s", page.status, page.body)
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestThreadPartFailureIsAWarning(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		e := newEnv(t)
		creds, _ := e.connect("Herald Coffee")
		p := threadPost("key-f")
		p.Thread[0].Text += " #fail"
		res, err := e.n.Publish(context.Background(), creds, p)
		if err != nil {
			t.Fatalf("the publish failed with its second part: %v", err)
		}
		want := "Part 2 of 3 was not published: Sandbox refused the post: it contains #fail, which the sandbox always refuses so you can see how Herald shows a failure. Remove #fail to publish it. The earlier parts are online."
		if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], want) ||
			!strings.HasSuffix(res.Warnings[0], "Herald stopped there, so part 3 and the first comment were not published either.") {
			t.Fatalf("warnings %q", res.Warnings)
		}
		posts := e.posts()
		if len(posts) != 1 || posts[0].Text != p.Text || posts[0].FirstComment != "" || res.ExternalID != "1" {
			t.Fatalf("posts %+v", posts)
		}
	})
	t.Run("attachment unreadable", func(t *testing.T) {
		e := newEnv(t)
		creds, _ := e.connect("Herald Coffee")
		p := threadPost("key-m")
		p.Thread[0].Media[0].Open = func(context.Context) ([]byte, error) { return nil, errors.New("disk on fire") }
		res, err := e.n.Publish(context.Background(), creds, p)
		if err != nil || len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "Part 2 of 3 was not published: could not read attachment 1;") {
			t.Fatalf("Publish = %+v, %v", res, err)
		}
		if len(e.posts()) != 1 {
			t.Fatalf("posts %+v", e.posts())
		}
	})
	t.Run("the last part", func(t *testing.T) {
		e := newEnv(t)
		creds, _ := e.connect("Herald Coffee")
		p := threadPost("key-l")
		p.Thread[1].Text += " #fail"
		res, err := e.n.Publish(context.Background(), creds, p)
		if err != nil || len(res.Warnings) != 1 || !strings.HasSuffix(res.Warnings[0], "Herald stopped there, so the first comment was not published either.") {
			t.Fatalf("Publish = %+v, %v", res, err)
		}
		for _, sp := range e.posts() {
			if sp.FirstComment != "" {
				t.Errorf("the first comment was stored on %+v", sp)
			}
		}
	})
}

// A publish whose first answer was lost is found with its missing parts named, and publishing
// it again adds the parts and the first comment once, each under its own key.
func TestThreadExactlyOncePerPartAcrossARetry(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.StatePath = filepath.Join(t.TempDir(), "sandbox.json") })
	creds, _ := e.connect("Herald Coffee")
	ctx := context.Background()
	p := threadPost("key-r")
	e.n.SetFailure(TimeoutAfterAccept, 1)
	_, err := e.n.Publish(ctx, creds, p)
	if kindOf(t, err).Kind != publishers.KindUnknown || len(e.posts()) != 1 {
		t.Fatalf("first attempt: %v, posts %+v", err, e.posts())
	}
	found, err := e.n.FindPublished(ctx, creds, p)
	want := "The post was found on the sandbox after its outcome was uncertain, but parts 2 to 3 of 3 and the first comment did not follow it"
	if err != nil || found == nil || found.ExternalID != "1" || len(found.Warnings) != 1 || !strings.HasPrefix(found.Warnings[0], want) {
		t.Fatalf("FindPublished = %+v, %v", found, err)
	}

	res, err := e.n.Publish(ctx, creds, p)
	if err != nil || res.ExternalID != "1" || len(res.Warnings) != 0 {
		t.Fatalf("retry = %+v, %v", res, err)
	}
	if _, err := e.n.Publish(ctx, creds, p); err != nil {
		t.Fatal(err)
	}
	posts := e.posts()
	if len(posts) != 3 {
		t.Fatalf("%d posts after the retries, want 3: %+v", len(posts), posts)
	}
	if posts[2].ReplyTo != posts[1].ID || posts[1].ReplyTo != posts[0].ID || posts[2].FirstComment != p.FirstComment {
		t.Errorf("chain %+v", posts)
	}
	found, err = e.n.FindPublished(ctx, creds, p)
	if err != nil || found == nil || len(found.Warnings) != 0 {
		t.Fatalf("FindPublished of the complete thread = %+v, %v", found, err)
	}

	// The thread survives a restart.
	n := New(Options{Now: e.clk.Now, BaseURL: e.base, StatePath: e.n.statePath, HTTPClient: e.browser, Logger: quiet})
	if found, err := n.FindPublished(ctx, creds, p); err != nil || found == nil || len(found.Warnings) != 0 {
		t.Fatalf("after a restart FindPublished = %+v, %v", found, err)
	}
}

// Every part of a thread meets the failure switches as a post of its own.
func TestThreadPartsMeetTheSwitches(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.connect("Herald Coffee")
	e.n.SetFailure(ServerError, 1)
	if _, err := e.n.Publish(context.Background(), creds, threadPost("key-s")); kindOf(t, err).Kind != publishers.KindRetryable {
		t.Fatalf("err %v", err)
	}
	if len(e.posts()) != 0 || e.n.FailureCount("", ServerError) != 0 {
		t.Fatal("the switch did not fail the first post")
	}
}
