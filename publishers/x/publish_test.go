package x

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/x/xtest"
)

func TestPublishText(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	creds := newCreds(srv)
	before := time.Now().Add(-time.Second)

	pub, err := c.Publish(context.Background(), creds, publishers.Post{IdempotencyKey: "k1", Text: "Hello from Herald & friends <3 https://example.com/launch"})
	if err != nil {
		t.Fatal(err)
	}
	tw, ok := srv.Tweet(pub.ExternalID)
	if !ok {
		t.Fatalf("no post %s on the fake", pub.ExternalID)
	}
	if tw.Text != "Hello from Herald & friends <3 https://example.com/launch" || tw.InReplyTo != "" || len(tw.MediaIDs) != 0 ||
		!strings.HasPrefix(tw.Display, "Hello from Herald &amp; friends &lt;3 https://t.co/") {
		t.Errorf("post %+v", tw)
	}
	if pub.URL != "https://x.com/"+srv.Username()+"/status/"+pub.ExternalID || pub.PublishedAt.Before(before) ||
		pub.PublishedAt.Location() != time.UTC || len(pub.Warnings) != 0 {
		t.Errorf("published %+v", pub)
	}
	if q := pub.Quota; q == nil || q.Limit != xtest.DefaultDailyLimit || q.Remaining != xtest.DefaultDailyLimit-1 ||
		q.ResetAt.Before(time.Now().Add(23*time.Hour)) {
		t.Errorf("quota %+v", pub.Quota)
	}
	if n := srv.CreatedWithText(tw.Text); n != 1 {
		t.Errorf("created %d times", n)
	}
	if q, ok := c.PostQuota(creds.AccessToken); !ok || q != *pub.Quota {
		t.Errorf("PostQuota = %+v, %v", q, ok)
	}
}

func TestPublishImagesInChunks(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv, func(o *Options) { o.ChunkSize = 1000 })
	pub, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{
		Text:  "Two charts",
		Media: []publishers.Media{image(2500, "A bar chart"), media(content.KindImage, "", 10, "")},
	})
	if err != nil {
		t.Fatal(err)
	}
	tw, _ := srv.Tweet(pub.ExternalID)
	if len(tw.MediaIDs) != 2 || !strings.HasPrefix(tw.Display, "Two charts https://t.co/") {
		t.Fatalf("post %+v", tw)
	}
	first, _ := srv.Media(tw.MediaIDs[0])
	if first.MIME != "image/png" || first.Category != "tweet_image" || first.TotalBytes != 2500 || len(first.Segments) != 3 ||
		first.Segments[0] != 1000 || first.Segments[2] != 500 || first.AltText != "A bar chart" || first.State != "succeeded" {
		t.Errorf("first image %+v", first)
	}
	// A missing MIME type is sniffed from the bytes; no alt text means no metadata request.
	if second, _ := srv.Media(tw.MediaIDs[1]); second.MIME != "image/png" || len(second.Segments) != 1 || second.AltText != "" {
		t.Errorf("second image %+v", second)
	}
	if n := srv.Requests(http.MethodPost, "/2/media/metadata"); n != 1 {
		t.Errorf("%d alt-text requests, want 1", n)
	}
	if n := srv.Requests(http.MethodGet, "/2/media/upload"); n != 0 {
		t.Errorf("images were polled %d times", n)
	}
}

func TestCreatedAtReadsTheSnowflake(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// 1346889436626259968 is the example post of X's API description, created 2021-01-06T18:40:40.000Z.
	if got := createdAt("1346889436626259968", now); !got.Truncate(time.Second).Equal(time.Date(2021, 1, 6, 18, 40, 40, 0, time.UTC)) {
		t.Errorf("createdAt = %s", got)
	}
	for _, id := range []string{"", "abc", "20", "99999999999999999999"} {
		if got := createdAt(id, now); !got.Equal(now) {
			t.Errorf("createdAt(%q) = %s, want now", id, got)
		}
	}
}

func TestPublishAttachmentXRefuses(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	_, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "x",
		Media: []publishers.Media{image(10, ""), media(content.KindImage, "image/x-unknown", 10, "")}})
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if !strings.HasPrefix(pe.Message, "attachment 2: ") || !strings.Contains(pe.Message, "media_type") {
		t.Errorf("message %q", pe.Message)
	}
	if srv.Requests(http.MethodPost, "/2/tweets") != 0 {
		t.Error("the post was created without its attachment")
	}
}

func TestPublishVideoWaitsForProcessing(t *testing.T) {
	srv := xtest.NewServer(t)
	srv.SetMediaProcessing(3) // pending, then in_progress, in_progress, succeeded
	c := testClient(t, srv, func(o *Options) { o.ChunkSize = 4096 })
	pub, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "Launch video", Media: []publishers.Media{video(10000)}})
	if err != nil {
		t.Fatal(err)
	}
	tw, _ := srv.Tweet(pub.ExternalID)
	if len(tw.MediaIDs) != 1 {
		t.Fatalf("post %+v", tw)
	}
	m, _ := srv.Media(tw.MediaIDs[0])
	if m.Category != "tweet_video" || m.MIME != "video/mp4" || len(m.Segments) != 3 || m.State != "succeeded" || !strings.HasPrefix(m.Key, "7_") {
		t.Errorf("video %+v", m)
	}
	if n := srv.Requests(http.MethodGet, "/2/media/upload"); n != 3 {
		t.Errorf("status checked %d times, want 3", n)
	}
	for _, call := range srv.Calls(http.MethodGet, "/2/media/upload") {
		if call.Query.Get("command") != "STATUS" || call.Query.Get("media_id") != m.ID {
			t.Errorf("status query %v", call.Query)
		}
	}
}

func TestPublishGIF(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	pub, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "GIF",
		Media: []publishers.Media{media(content.KindGIF, "image/gif", 300, "A dancing cat")}})
	if err != nil {
		t.Fatal(err)
	}
	tw, _ := srv.Tweet(pub.ExternalID)
	m, _ := srv.Media(tw.MediaIDs[0])
	if m.Category != "tweet_gif" || m.AltText != "A dancing cat" || m.State != "succeeded" || !strings.HasPrefix(m.Key, "16_") {
		t.Errorf("GIF %+v", m)
	}
}

func TestPublishVideoProcessingFails(t *testing.T) {
	srv := xtest.NewServer(t)
	srv.SetMediaFailure("Unsupported video codec")
	c := testClient(t, srv)
	_, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "x", Media: []publishers.Media{video(100)}})
	pe := pubtest.WantKind(t, err, publishers.KindPermanent)
	if pe.Code != "media_processing_failed" || !strings.Contains(pe.Message, "attachment 1") || !strings.Contains(pe.Message, "Unsupported video codec") {
		t.Errorf("error %+v", pe)
	}
	if srv.Requests(http.MethodPost, "/2/tweets") != 0 {
		t.Error("the post was created without its video")
	}
}

func TestPublishGivesUpOnSlowProcessing(t *testing.T) {
	srv := xtest.NewServer(t)
	srv.SetMediaProcessing(1 << 20)
	c := testClient(t, srv, func(o *Options) { o.MediaPollTimeout = 30 * time.Millisecond })
	_, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "x", Media: []publishers.Media{video(100)}})
	if pe := pubtest.WantKind(t, err, publishers.KindRetryable); !strings.Contains(pe.Message, "still processing attachment 1") {
		t.Errorf("message %q", pe.Message)
	}
}

func TestPublishMediaReadFailure(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	broken := publishers.Media{Kind: content.KindImage, MIME: "image/png",
		Open: func(context.Context) ([]byte, error) { return nil, errors.New("disk on fire") }}
	_, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "x", Media: []publishers.Media{broken}})
	pubtest.WantKind(t, err, publishers.KindRetryable)
}

func TestPublishThread(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	pub, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{
		Text: "1/3 Herald schedules posts",
		Thread: []publishers.ThreadPart{
			{Text: "2/3 exactly once", Media: []publishers.Media{image(50, "diagram")}},
			{Text: "3/3 on time"},
		},
		FirstComment: "Read more: https://herald.example/blog",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Warnings) != 0 {
		t.Errorf("warnings %q", pub.Warnings)
	}
	tweets := srv.Tweets() // newest first: comment, 3, 2, 1
	if len(tweets) != 4 {
		t.Fatalf("%d posts, want 4", len(tweets))
	}
	comment, third, second, first := tweets[0], tweets[1], tweets[2], tweets[3]
	if first.ID != pub.ExternalID || first.InReplyTo != "" || first.Text != "1/3 Herald schedules posts" {
		t.Errorf("first %+v", first)
	}
	if second.InReplyTo != first.ID || second.Text != "2/3 exactly once" || len(second.MediaIDs) != 1 {
		t.Errorf("second %+v", second)
	}
	if third.InReplyTo != second.ID || third.Text != "3/3 on time" {
		t.Errorf("third %+v", third)
	}
	if comment.InReplyTo != third.ID || comment.Text != "Read more: https://herald.example/blog" {
		t.Errorf("first comment %+v", comment)
	}
	if pub.Quota == nil || pub.Quota.Remaining != xtest.DefaultDailyLimit-4 {
		t.Errorf("quota %+v, want the last post's", pub.Quota)
	}
}

func TestPublishFirstComment(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	pub, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "Main post", FirstComment: "#herald #scheduling"})
	if err != nil || len(pub.Warnings) != 0 {
		t.Fatalf("Publish = %+v, %v", pub, err)
	}
	tweets := srv.Tweets()
	if len(tweets) != 2 || tweets[0].InReplyTo != pub.ExternalID || tweets[0].Text != "#herald #scheduling" {
		t.Errorf("posts %+v", tweets)
	}
	if main, _ := srv.Tweet(pub.ExternalID); main.Metrics.Replies != 1 {
		t.Errorf("main post has %d replies", main.Metrics.Replies)
	}
}

// A thread part X refuses after the first post exists is a warning, never a failure: retrying
// would post the first part again.
func TestThreadPartFailureIsAWarning(t *testing.T) {
	srv := xtest.NewServer(t)
	srv.AddTweet("2/4 already said this", time.Now().Add(-time.Hour), 0) // X refuses the repeat
	var logs bytes.Buffer
	c := testClient(t, srv, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	creds := newCreds(srv)
	pub, err := c.Publish(context.Background(), creds, publishers.Post{
		Text:         "1/4 start",
		Thread:       []publishers.ThreadPart{{Text: "2/4 already said this"}, {Text: "3/4"}, {Text: "4/4"}},
		FirstComment: "comment",
	})
	if err != nil {
		t.Fatalf("the publish failed with its thread: %v", err)
	}
	if pub.ExternalID == "" || len(pub.Warnings) != 2 {
		t.Fatalf("published %+v", pub)
	}
	if w := pub.Warnings[0]; !strings.HasPrefix(w, "Part 2 of 4 of the thread was not published: X refused a duplicate post") ||
		!strings.HasSuffix(w, "Parts 3 to 4 were not attempted.") {
		t.Errorf("warning %q", w)
	}
	if w := pub.Warnings[1]; !strings.Contains(w, "first comment was not posted because the thread is incomplete") {
		t.Errorf("warning %q", w)
	}
	if srv.CreatedWithText("1/4 start") != 1 || srv.CreatedWithText("3/4") != 0 || srv.CreatedWithText("comment") != 0 {
		t.Errorf("posts %+v", srv.Tweets())
	}
	if !strings.Contains(logs.String(), "Part 2 of 4") || strings.Contains(logs.String(), creds.AccessToken) {
		t.Errorf("log %q", logs.String())
	}
}

// The daily cap reached in the middle of a thread: a warning that says so, and the quota shows
// it.
func TestThreadHitsTheDailyCap(t *testing.T) {
	srv := xtest.NewServer(t)
	srv.SetDailyLimit(2)
	c := testClient(t, srv)
	pub, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{
		Text: "a", Thread: []publishers.ThreadPart{{Text: "b"}, {Text: "c"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Warnings) != 1 || !strings.Contains(pub.Warnings[0], "Part 3 of 3 of the thread was not published: X's daily post limit for this account's API tier is reached") {
		t.Errorf("warnings %q", pub.Warnings)
	}
	if pub.Quota == nil || pub.Quota.Remaining != 0 || pub.Quota.Limit != 2 {
		t.Errorf("quota %+v", pub.Quota)
	}
}

func TestFirstCommentFailureIsAWarning(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	pub, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "Main", FirstComment: strings.Repeat("long ", 60)})
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Warnings) != 1 || !strings.HasPrefix(pub.Warnings[0], "The first comment was not published: Your Tweet text is too long") {
		t.Errorf("warnings %q", pub.Warnings)
	}
}

func TestThreadPartTimeoutIsAWarningThatSaysCheck(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond} })
	// The first part is answered; the second is accepted and never answered.
	hang := xtest.AcceptThenHang()
	hang.Skip = 1
	srv.Inject(1, hang)
	pub, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "first",
		Thread: []publishers.ThreadPart{{Text: "second"}, {Text: "third"}}})
	if err != nil {
		t.Fatalf("the publish failed with its thread: %v", err)
	}
	if len(pub.Warnings) != 1 || !strings.HasPrefix(pub.Warnings[0], "Part 2 of 3 of the thread may or may not have been published") ||
		!strings.Contains(pub.Warnings[0], "check the thread on X") || !strings.HasSuffix(pub.Warnings[0], "Part 3 was not attempted.") {
		t.Errorf("warnings %q", pub.Warnings)
	}
	if srv.CreatedWithText("second") != 1 || srv.CreatedWithText("third") != 0 {
		t.Errorf("posts %+v", srv.Tweets())
	}
}

func TestPublishNeedsTextOrMedia(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	_, err := c.Publish(context.Background(), newCreds(srv), publishers.Post{Text: "  "})
	pubtest.WantKind(t, err, publishers.KindPermanent)
	if srv.Requests(http.MethodPost, "/2/tweets") != 0 {
		t.Error("an empty post was sent")
	}
}

func TestPublishWithoutCredentialsNeedsReconnecting(t *testing.T) {
	srv := xtest.NewServer(t)
	c := testClient(t, srv)
	_, err := c.Publish(context.Background(), &publishers.Credentials{}, publishers.Post{Text: "x"})
	pubtest.WantKind(t, err, publishers.KindAuthExpired)
	_, err = c.Publish(context.Background(), nil, publishers.Post{Text: "x"})
	pubtest.WantKind(t, err, publishers.KindAuthExpired)
}

func TestMetaDescribesX(t *testing.T) {
	m := New(Options{App: testApp}).Meta()
	c := m.Capabilities
	if m.Name != "x" || m.DisplayName != "X" || m.Connect != publishers.ConnectOAuth2 || m.Setup != "" ||
		!c.Threads || !c.FirstComment || c.Idempotency || !c.FindPublished || len(c.MediaKinds) != 3 ||
		strings.Join(c.Metrics, ",") != "likes,reposts,replies,quotes,impressions" || c.MetricsNote == "" ||
		m.Rules.Network != "x" || m.Rules.MaxLength != 280 {
		t.Errorf("meta %+v", m)
	}
	if _, ok := publishers.NewRegistry(New(Options{})).Get("x"); !ok {
		t.Error("not registered by name")
	}
}
