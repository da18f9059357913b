package threads

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/threads/threadstest"
)

func TestPublishText(t *testing.T) {
	e := newEnv(t)
	creds := e.creds(48 * time.Hour)
	pub, err := e.c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k1", Text: "Hello, Threads!"})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := e.srv.Post(pub.ExternalID)
	if !ok {
		t.Fatalf("no post %s on the fake", pub.ExternalID)
	}
	now := e.clock.Now()
	if p.Text != "Hello, Threads!" || p.MediaType != "TEXT_POST" || p.ReplyTo != "" {
		t.Errorf("post %+v", p)
	}
	if pub.URL != "https://www.threads.net/@herald.test/post/"+p.Shortcode || !pub.PublishedAt.Equal(now) || len(pub.Warnings) != 0 {
		t.Errorf("published %+v", pub)
	}
	if pub.Quota == nil || *pub.Quota != (publishers.Quota{Limit: 250, Remaining: 249, ResetAt: now.Add(24 * time.Hour)}) {
		t.Errorf("quota %+v", pub.Quota)
	}
	if e.srv.CreatedWithText("Hello, Threads!") != 1 {
		t.Errorf("created %d times", e.srv.CreatedWithText("Hello, Threads!"))
	}
	for ep, want := range map[string]int{threadstest.EndpointLimit: 1, threadstest.EndpointCreate: 1,
		threadstest.EndpointContainer: 1, threadstest.EndpointPublish: 1, threadstest.EndpointMedia: 1} {
		if n := e.srv.Requests(ep); n != want {
			t.Errorf("%s: %d requests, want %d", ep, n, want)
		}
	}
}

func TestPublishImage(t *testing.T) {
	e := newEnv(t)
	pub, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{
		Text: "A chart", Media: []publishers.Media{image("chart", "Sales by month")},
	})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.srv.Post(pub.ExternalID)
	if p.MediaType != "IMAGE" || p.ImageURL != "https://media.herald.example/m/chart.jpg" || p.AltText != "Sales by month" || p.Text != "A chart" {
		t.Errorf("post %+v", p)
	}
}

func TestPublishVideoWaitsForProcessing(t *testing.T) {
	e := newEnv(t)
	e.srv.SetProcessingDelay("VIDEO", 20*time.Second)
	start := e.clock.Now()
	pub, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "Watch", Media: []publishers.Media{video("clip")}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.srv.Post(pub.ExternalID)
	if p.MediaType != "VIDEO" || p.VideoURL != "https://media.herald.example/m/clip.mp4" {
		t.Errorf("post %+v", p)
	}
	// Polls at 0, 3, 7.5, 14.25 and 24.375 s (waits grow by half): five status reads, and the
	// fake's clock moved past the 20 s of processing, no further.
	waited := e.clock.Now().Sub(start)
	if n := e.srv.Requests(threadstest.EndpointContainer); n != 5 || waited < 20*time.Second || waited > 25*time.Second {
		t.Errorf("%d status reads over %s", n, waited)
	}
}

func TestPublishGivesUpOnSlowProcessing(t *testing.T) {
	e := newEnv(t)
	e.srv.SetProcessingDelay("VIDEO", 10*time.Minute)
	start := e.clock.Now()
	_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "Slow", Media: []publishers.Media{video("long")}})
	pe := pubtest.WantKind(t, err, publishers.KindRetryable)
	if !strings.Contains(pe.Message, "still processing the post") {
		t.Errorf("message %q", pe.Message)
	}
	if waited := e.clock.Now().Sub(start); waited != defaultPollTimeout {
		t.Errorf("waited %s on the clock, want the %s bound", waited, defaultPollTimeout)
	}
	if e.srv.Requests(threadstest.EndpointPublish) != 0 || e.srv.CreatedWithText("Slow") != 0 {
		t.Error("an unprocessed container was published")
	}
}

func TestPublishStopsWaitingBeforeTheCallersDeadline(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Sleep = nil }) // real waits against a real deadline
	e.srv.SetProcessingDelay("VIDEO", time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), publishReserve+200*time.Millisecond)
	defer cancel()
	started := time.Now()
	_, err := e.c.Publish(ctx, e.creds(48*time.Hour), publishers.Post{Text: "x", Media: []publishers.Media{video("v")}})
	pubtest.WantKind(t, err, publishers.KindRetryable)
	if d := time.Since(started); d > time.Second {
		t.Errorf("took %s: it waited into the time kept for publishing", d)
	}
}

func TestPublishContainerErrors(t *testing.T) {
	cases := []struct {
		failure threadstest.ContainerFailure
		kind    publishers.Kind
		message string
	}{
		{threadstest.ContainerFailure{MediaType: "VIDEO", Status: "ERROR", ErrorMessage: "FAILED_DOWNLOADING_VIDEO"}, publishers.KindPermanent, "could not download the video"},
		{threadstest.ContainerFailure{MediaType: "VIDEO", Status: "ERROR", ErrorMessage: "INVALID_DURATION"}, publishers.KindPermanent, "too long or too short"},
		{threadstest.ContainerFailure{MediaType: "VIDEO", Status: "EXPIRED"}, publishers.KindRetryable, "expire"},
	}
	for _, tc := range cases {
		t.Run(tc.failure.Status+" "+tc.failure.ErrorMessage, func(t *testing.T) {
			e := newEnv(t)
			e.srv.FailContainers(tc.failure)
			_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "v", Media: []publishers.Media{video("v")}})
			pe := pubtest.WantKind(t, err, tc.kind)
			if !strings.Contains(pe.Message, tc.message) {
				t.Errorf("message %q lacks %q", pe.Message, tc.message)
			}
			if e.srv.Requests(threadstest.EndpointPublish) != 0 {
				t.Error("a failed container was published")
			}
		})
	}
}

func TestPublishCarousel(t *testing.T) {
	e := newEnv(t)
	e.srv.SetProcessingDelay("VIDEO", 5*time.Second)
	pub, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{
		Text: "Three views", Media: []publishers.Media{image("a", "first"), video("b"), image("c", "")},
	})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.srv.Post(pub.ExternalID)
	want := []string{"https://media.herald.example/m/a.jpg", "https://media.herald.example/m/b.mp4", "https://media.herald.example/m/c.jpg"}
	if p.MediaType != "CAROUSEL_ALBUM" || p.Text != "Three views" || strings.Join(p.Children, " ") != strings.Join(want, " ") {
		t.Errorf("post %+v", p)
	}
	if n := e.srv.ContainersCreated(); n != 4 {
		t.Errorf("%d containers, want 3 items and the carousel", n)
	}
	if e.srv.Requests(threadstest.EndpointPublish) != 1 {
		t.Errorf("%d publishes", e.srv.Requests(threadstest.EndpointPublish))
	}
}

func TestPublishThread(t *testing.T) {
	e := newEnv(t)
	pub, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{
		IdempotencyKey: "k-thread",
		Text:           "1/3 A thread about scheduling",
		Thread: []publishers.ThreadPart{
			{Text: "2/3 with a picture", Media: []publishers.Media{image("p2", "")}},
			{Text: "3/3 the end"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Warnings) != 0 {
		t.Errorf("warnings %v", pub.Warnings)
	}
	posts := e.srv.Posts() // newest first
	if len(posts) != 3 {
		t.Fatalf("%d posts", len(posts))
	}
	third, second, first := posts[0], posts[1], posts[2]
	if first.ID != pub.ExternalID || first.ReplyTo != "" || second.ReplyTo != first.ID || third.ReplyTo != second.ID ||
		second.Root != first.ID || third.Root != first.ID || second.MediaType != "IMAGE" || third.Text != "3/3 the end" {
		t.Errorf("thread %+v", posts)
	}
	// Replies are counted against the reply allowance, the first post against the post one.
	if pub.Quota.Remaining != 249 {
		t.Errorf("quota %+v", pub.Quota)
	}
}

func TestPublishFirstComment(t *testing.T) {
	t.Run("after a single post", func(t *testing.T) {
		e := newEnv(t)
		pub, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "Main", FirstComment: "#herald #scheduling"})
		if err != nil {
			t.Fatal(err)
		}
		posts := e.srv.Posts()
		if len(posts) != 2 || posts[0].Text != "#herald #scheduling" || posts[0].ReplyTo != pub.ExternalID {
			t.Errorf("posts %+v", posts)
		}
	})
	t.Run("after a thread's last part", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{
			Text: "one", Thread: []publishers.ThreadPart{{Text: "two"}}, FirstComment: "links below"})
		if err != nil {
			t.Fatal(err)
		}
		posts := e.srv.Posts()
		if len(posts) != 3 || posts[0].Text != "links below" || posts[0].ReplyTo != posts[1].ID || posts[1].Text != "two" {
			t.Errorf("posts %+v", posts)
		}
	})
}

func TestPartFailureIsAWarning(t *testing.T) {
	post := publishers.Post{
		Text:         "Part one",
		Thread:       []publishers.ThreadPart{{Text: "Part two"}, {Text: "Part three"}},
		FirstComment: "Comment",
	}

	t.Run("refused", func(t *testing.T) {
		var logs bytes.Buffer
		e := newEnv(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
		creds := e.creds(48 * time.Hour)
		// The second publish (part two) is refused.
		f := threadstest.GraphError(400, 100, 0, "(#100) Param text must be at most 500 characters long.")
		f.Skip = 1
		e.srv.Inject(1, f.On(threadstest.EndpointPublish))
		pub, err := e.c.Publish(context.Background(), creds, post)
		if err != nil {
			t.Fatalf("the publish failed with its part: %v", err)
		}
		want := "Part 2 of 3 was not published: (#100) Param text must be at most 500 characters long." +
			" Herald did not publish what follows it either (part 3 of 3, the first comment)."
		if len(pub.Warnings) != 1 || pub.Warnings[0] != want {
			t.Errorf("warnings %q", pub.Warnings)
		}
		if e.srv.CreatedWithText("Part one") != 1 || e.srv.CreatedWithText("Part two") != 0 || e.srv.CreatedWithText("Part three") != 0 || e.srv.CreatedWithText("Comment") != 0 {
			t.Errorf("posts %+v", e.srv.Posts())
		}
		if !strings.Contains(logs.String(), "later part") || strings.Contains(logs.String(), creds.AccessToken) {
			t.Errorf("log %q", logs.String())
		}
	})

	t.Run("outcome unknown", func(t *testing.T) {
		e := newEnv(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
		f := threadstest.AcceptThenHang()
		f.Skip = 2 // part three
		e.srv.Inject(1, f)
		pub, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), post)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub.Warnings) != 1 || !strings.HasPrefix(pub.Warnings[0], "Threads may or may not have published part 3 of 3") ||
			!strings.HasSuffix(pub.Warnings[0], "(the first comment).") {
			t.Errorf("warnings %q", pub.Warnings)
		}
	})

	t.Run("first comment", func(t *testing.T) {
		e := newEnv(t)
		f := threadstest.ServerError(500)
		f.Skip = 1
		e.srv.Inject(1, f.On(threadstest.EndpointCreate))
		pub, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "Main", FirstComment: "Comment"})
		if err != nil {
			t.Fatal(err)
		}
		if len(pub.Warnings) != 1 || !strings.HasPrefix(pub.Warnings[0], "The first comment was not published: ") {
			t.Errorf("warnings %q", pub.Warnings)
		}
	})
}

func TestNonPublicMediaIsRefusedBeforeAnyRequest(t *testing.T) {
	for _, u := range []string{"http://localhost:8080/media/1.jpg", "https://192.168.1.20/m.jpg", "", "https://herald.local/m.jpg"} {
		e := newEnv(t)
		m := image("x", "")
		m.URL = u
		for _, p := range []publishers.Post{
			{Text: "x", Media: []publishers.Media{m}},
			{Text: "x", Thread: []publishers.ThreadPart{{Text: "y", Media: []publishers.Media{image("ok", ""), m}}}},
		} {
			_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), p)
			pe := pubtest.WantKind(t, err, publishers.KindPermanent)
			if want := publishers.PublicURLProblem("Threads", u); pe.Message != want || want == "" {
				t.Errorf("%q: message %q, want %q", u, pe.Message, want)
			}
		}
		if n := requestsTotal(e.srv); n != 0 {
			t.Errorf("%q: %d requests were sent", u, n)
		}
	}
}

func TestPublishRefusesWhatThreadsCannotTake(t *testing.T) {
	e := newEnv(t)
	gif := publishers.Media{Kind: content.KindGIF, URL: "https://media.herald.example/a.gif"}
	many := make([]publishers.Media, MaxCarouselItems+1)
	for i := range many {
		many[i] = image("m", "")
	}
	for _, p := range []publishers.Post{
		{Text: " "},
		{Text: "x", Media: []publishers.Media{gif}},
		{Text: "x", Media: many},
		{Text: "x", Thread: []publishers.ThreadPart{{Text: ""}}},
	} {
		_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), p)
		pubtest.WantKind(t, err, publishers.KindPermanent)
	}
	if n := requestsTotal(e.srv); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestQuotaExhausted(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	e.srv.SetQuota(3, threadstest.ReplyQuota)
	e.srv.AddPost(threadstest.PostSeed{Text: "old, outside the window", At: now.Add(-25 * time.Hour)})
	for _, ago := range []time.Duration{23 * time.Hour, 5 * time.Hour, time.Hour} {
		e.srv.AddPost(threadstest.PostSeed{Text: "earlier", At: now.Add(-ago)})
	}
	_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "one too many"})
	pe := pubtest.WantKind(t, err, publishers.KindRateLimited)
	// The oldest post of the window (23 h ago) leaves it in an hour.
	if pe.RetryAfter != time.Hour || pe.Code != "publishing_limit" || !strings.Contains(pe.Message, "published 3 posts") {
		t.Errorf("error %+v", pe)
	}
	if e.srv.ContainersCreated() != 0 || e.srv.Requests(threadstest.EndpointPublish) != 0 {
		t.Error("a post was attempted over the quota")
	}
	// An hour later there is room again.
	e.clock.Advance(time.Hour)
	pub, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "one too many"})
	if err != nil {
		t.Fatal(err)
	}
	if pub.Quota == nil || pub.Quota.Limit != 3 || pub.Quota.Remaining != 0 {
		t.Errorf("quota %+v", pub.Quota)
	}
}

func TestReplyQuotaTooSmallForTheThread(t *testing.T) {
	e := newEnv(t)
	e.srv.SetQuota(threadstest.PostQuota, 1)
	_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{
		Text: "one", Thread: []publishers.ThreadPart{{Text: "two"}, {Text: "three"}}})
	pe := pubtest.WantKind(t, err, publishers.KindRateLimited)
	if pe.Code != "reply_publishing_limit" || pe.RetryAfter != time.Hour {
		t.Errorf("error %+v", pe)
	}
	if e.srv.ContainersCreated() != 0 {
		t.Error("a thread was started that could not be finished")
	}
}

// Threads accepts the publish and never answers: the outcome is unknown, FindPublished finds the
// post, and it exists once.
func TestTimeoutAfterAcceptIsUnknownAndFound(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	creds := e.creds(48 * time.Hour)
	e.srv.Inject(1, threadstest.AcceptThenHang())
	p := publishers.Post{Text: "Did this go out?", ScheduledAt: e.clock.Now()}
	_, err := e.c.Publish(context.Background(), creds, p)
	pubtest.WantKind(t, err, publishers.KindUnknown)

	found, err := e.c.FindPublished(context.Background(), creds, p)
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	posts := e.srv.Posts()
	if len(posts) != 1 || found.ExternalID != posts[0].ID || found.URL != "https://www.threads.net/@herald.test/post/"+posts[0].Shortcode {
		t.Errorf("found %+v, fake has %+v", found, posts)
	}
	if e.srv.CreatedWithText(p.Text) != 1 {
		t.Errorf("created %d times", e.srv.CreatedWithText(p.Text))
	}
}

// A publish Threads answers with a 5xx is retryable only when the container says it was not
// published; a container that reports PUBLISHED makes it unknown.
func TestPublishErrorChecksTheContainer(t *testing.T) {
	t.Run("not published: retryable, and the retry posts once", func(t *testing.T) {
		e := newEnv(t)
		creds := e.creds(48 * time.Hour)
		e.srv.Inject(1, threadstest.ServerError(500).On(threadstest.EndpointPublish))
		_, err := e.c.Publish(context.Background(), creds, publishers.Post{Text: "retry me"})
		pubtest.WantKind(t, err, publishers.KindRetryable)
		if _, err := e.c.Publish(context.Background(), creds, publishers.Post{Text: "retry me"}); err != nil {
			t.Fatal(err)
		}
		if e.srv.CreatedWithText("retry me") != 1 {
			t.Errorf("created %d times", e.srv.CreatedWithText("retry me"))
		}
	})
	t.Run("published after all: unknown", func(t *testing.T) {
		e := newEnv(t)
		e.srv.Inject(1, threadstest.AcceptThenError(threadstest.ServerError(503)))
		_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "went out"})
		pe := pubtest.WantKind(t, err, publishers.KindUnknown)
		if !strings.Contains(pe.Message, "reports the post as published") || e.srv.CreatedWithText("went out") != 1 {
			t.Errorf("error %+v", pe)
		}
	})
	t.Run("the container cannot be read: unknown", func(t *testing.T) {
		e := newEnv(t)
		e.srv.Inject(1, threadstest.ServerError(500).On(threadstest.EndpointPublish))
		// The status read after the failed publish fails too (the first status read, before
		// publishing, succeeds).
		f := threadstest.ServerError(500)
		f.Skip = 1
		e.srv.Inject(1, f.On(threadstest.EndpointContainer))
		_, err := e.c.Publish(context.Background(), e.creds(48*time.Hour), publishers.Post{Text: "cannot tell"})
		pubtest.WantKind(t, err, publishers.KindUnknown)
	})
}

// A dropped connection before threads_publish was written can be retried: nothing reached Threads.
func TestUnreachableThreadsIsRetryable(t *testing.T) {
	e := newEnv(t)
	creds := e.creds(48 * time.Hour)
	e.srv.Close()
	_, err := e.c.Publish(context.Background(), creds, publishers.Post{Text: "x"})
	pubtest.WantKind(t, err, publishers.KindRetryable)
	_, err = e.c.Metrics(context.Background(), creds, []string{"1"})
	pubtest.WantKind(t, err, publishers.KindRetryable)
}

func TestMetaDescribesThreads(t *testing.T) {
	m := New(Options{App: publishers.AppCredentials{ClientID: "1", ClientSecret: "s"}}).Meta()
	c := m.Capabilities
	if m.Name != "threads" || m.DisplayName != "Threads" || m.Connect != publishers.ConnectOAuth2 ||
		!c.Threads || !c.FirstComment || c.Idempotency || !c.FindPublished ||
		len(c.MediaKinds) != 2 || strings.Join(c.Metrics, ",") != "impressions,likes,replies,reposts,quotes" || c.MetricsNote == "" ||
		m.Rules.Network != "threads" || m.Rules.MaxLength != 500 || m.Setup != "" {
		t.Errorf("meta %+v", m)
	}
	if _, ok := publishers.NewRegistry(New(Options{})).Get("threads"); !ok {
		t.Error("not registered by name")
	}
}

// A token without threads_manage_replies cannot read the reply quota or reply: the post goes out
// without a quota, and its first comment becomes a warning that names the permission.
func TestPublishWithoutReplyPermission(t *testing.T) {
	e := newEnv(t)
	creds := e.creds(48 * time.Hour)
	creds.AccessToken = e.srv.NewToken(threadstest.TokenOptions{Age: 48 * time.Hour,
		Scopes: []string{"threads_basic", "threads_content_publish", "threads_read_replies", "threads_manage_insights"}})
	pub, err := e.c.Publish(context.Background(), creds, publishers.Post{Text: "Main", FirstComment: "Comment"})
	if err != nil {
		t.Fatal(err)
	}
	if pub.Quota != nil || len(pub.Warnings) != 1 || !strings.Contains(pub.Warnings[0], "does not have permission") {
		t.Errorf("published %+v", pub)
	}
	if e.srv.CreatedWithText("Main") != 1 || e.srv.CreatedWithText("Comment") != 0 {
		t.Errorf("posts %+v", e.srv.Posts())
	}
}
