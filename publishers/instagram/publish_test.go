package instagram

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
)

func TestPublishImage(t *testing.T) {
	e := newEnv(t)
	pub, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Morning loaves #bread",
		Media: []publishers.Media{image("https://media.herald.example/m/1.jpg", "Three loaves on a board")}})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := e.srv.Media(pub.ExternalID)
	if !ok || m.Caption != "Morning loaves #bread" || m.MediaType != "IMAGE" || m.IGUserID != e.page.IGUserID {
		t.Fatalf("media %+v", m)
	}
	if !strings.HasPrefix(pub.URL, "https://www.instagram.com/p/") || !pub.PublishedAt.Equal(e.clk.Now()) {
		t.Errorf("published %+v", pub)
	}
	if pub.Quota == nil || pub.Quota.Limit != metagraphtest.DefaultQuota || pub.Quota.Remaining != metagraphtest.DefaultQuota-1 ||
		!pub.Quota.ResetAt.Equal(e.clk.Now().Add(24*time.Hour)) {
		t.Errorf("quota %+v", pub.Quota)
	}
	if e.srv.ContainerCount() != 1 || e.srv.CreatedWithCaption("Morning loaves #bread") != 1 {
		t.Errorf("%d containers, %d posts", e.srv.ContainerCount(), e.srv.CreatedWithCaption("Morning loaves #bread"))
	}
}

// A video is a reel; while Instagram processes it the container is polled, with growing waits on
// the injected clock, then published.
func TestPublishVideoWaitsForProcessing(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.ContainerPollInterval = 4 * time.Second })
	e.srv.SetProcessingDelay(40 * time.Second)
	pub, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Reel", Media: []publishers.Media{videoMedia("https://cdn.example.com/v.mp4")}})
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := e.srv.Media(pub.ExternalID); m.MediaType != "VIDEO" || m.ProductType != "REELS" {
		t.Errorf("media %+v", m)
	}
	slept := e.clk.Slept()
	var total time.Duration
	for _, d := range slept {
		total += d
	}
	if total < 40*time.Second || slept[0] != 4*time.Second || slept[1] != 6*time.Second {
		t.Errorf("waits %v", slept)
	}
}

// Waiting is bounded: a container still processing after ContainerPollTimeout is a retryable
// failure, and nothing was published.
func TestPublishVideoWaitIsBounded(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.ContainerPollTimeout = 2 * time.Minute })
	e.srv.SetProcessingDelay(time.Hour)
	_, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Slow reel", Media: []publishers.Media{videoMedia("https://cdn.example.com/v.mp4")}})
	pe := publishertest.WantKind(t, err, publishers.KindRetryable)
	if pe.Code != "container_timeout" || e.srv.CreatedWithCaption("Slow reel") != 0 {
		t.Errorf("%+v", pe)
	}
	if waited := e.clk.Now().Sub(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)); waited > 2*time.Minute {
		t.Errorf("waited %s", waited)
	}
}

func TestPublishCarousel(t *testing.T) {
	e := newEnv(t)
	e.srv.SetProcessingDelay(10 * time.Second)
	media := []publishers.Media{image("https://cdn.example.com/1.jpg", "first"), videoMedia("https://cdn.example.com/2.mp4"), image("https://cdn.example.com/3.jpg", "")}
	pub, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Three in one", Media: media})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := e.srv.Media(pub.ExternalID)
	if m.MediaType != "CAROUSEL_ALBUM" || len(m.Children) != 3 || m.Caption != "Three in one" {
		t.Fatalf("media %+v", m)
	}
	if child, _ := e.srv.Media(m.Children[1]); child.MediaType != "VIDEO" {
		t.Errorf("second child %+v", child)
	}
	if e.srv.ContainerCount() != 4 {
		t.Errorf("%d containers", e.srv.ContainerCount())
	}
}

// A container Instagram could not process fails permanently with its reason; nothing is
// published.
func TestContainerError(t *testing.T) {
	e := newEnv(t)
	e.srv.FailNextContainer("ERROR", "Error: Media upload has failed with error code 2207026 (unsupported video format)")
	_, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Bad video", Media: []publishers.Media{videoMedia("https://cdn.example.com/v.avi")}})
	pe := publishertest.WantKind(t, err, publishers.KindPermanent)
	if !strings.Contains(pe.Message, "2207026") || !strings.Contains(pe.Message, "could not process") {
		t.Errorf("message %q", pe.Message)
	}
	if e.srv.Requests(http.MethodPost, "/"+e.page.IGUserID+"/media_publish") != 0 {
		t.Error("an errored container was published")
	}
	e.srv.FailNextContainer("EXPIRED", "")
	_, err = e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Expired", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
	if pe := publishertest.WantKind(t, err, publishers.KindRetryable); pe.Code != "container_expired" {
		t.Errorf("%+v", pe)
	}
}

// Instagram downloads media itself: an address it cannot reach fails with PublicURLProblem's
// message before any call.
func TestNonPublicURLRefused(t *testing.T) {
	for _, u := range []string{"http://localhost:8080/media/1.jpg", "http://10.0.0.5/m.jpg", ""} {
		e := newEnv(t)
		_, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "x",
			Media: []publishers.Media{image("https://cdn.example.com/ok.jpg", ""), image(u, "")}})
		pe := publishertest.WantKind(t, err, publishers.KindPermanent)
		if pe.Message != publishers.PublicURLProblem("Instagram", u) || !strings.Contains(pe.Message, "HERALD_PUBLIC_URL") {
			t.Errorf("%q: message %q", u, pe.Message)
		}
		if n := e.srv.Requests(http.MethodGet, "/"+e.page.IGUserID+"/content_publishing_limit") + e.srv.ContainerCount(); n != 0 {
			t.Errorf("%q: Instagram was called", u)
		}
	}
}

// With the publishing limit reached: a rate-limited error saying when a slot opens (the oldest
// post of the window plus 24 hours), and no container made.
func TestQuotaExhausted(t *testing.T) {
	e := newEnv(t)
	e.srv.SetPublishingQuota(3)
	oldest := e.clk.Now().Add(-20 * time.Hour)
	e.srv.UsePublishingQuota(e.page.IGUserID, 1, oldest)
	e.srv.UsePublishingQuota(e.page.IGUserID, 2, oldest.Add(time.Hour))
	e.srv.AddMedia(e.page.IGUserID, "one", oldest)
	e.srv.AddMedia(e.page.IGUserID, "two", oldest.Add(time.Hour))
	_, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "over the limit", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
	pe := publishertest.WantKind(t, err, publishers.KindRateLimited)
	if pe.RetryAfter != 4*time.Hour || !strings.Contains(pe.Message, "3 posts") || !strings.Contains(pe.Message, "24 hours") {
		t.Errorf("retry after %s, message %q", pe.RetryAfter, pe.Message)
	}
	if e.srv.ContainerCount() != 0 {
		t.Error("a container was made over the limit")
	}
	// Four hours later the oldest post no longer counts: one slot.
	e.clk.Advance(4*time.Hour + time.Minute)
	pub, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "now it fits", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
	if err != nil {
		t.Fatal(err)
	}
	if pub.Quota == nil || pub.Quota.Remaining != 0 || pub.Quota.Limit != 3 {
		t.Errorf("quota %+v", pub.Quota)
	}
}

// Graph's own refusal at media_publish (code 9 / 2207042) is rate limited too.
func TestPublishingLimitAtMediaPublish(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject(1, metagraphtest.Fault{Method: http.MethodPost, Edge: "media_publish", Status: 400, Code: 9, Subcode: 2207042,
		Message: "(#9) Application request limit reached"})
	_, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "limit", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
	if pe := publishertest.WantKind(t, err, publishers.KindRateLimited); pe.RetryAfter != time.Hour {
		t.Errorf("retry after %s", pe.RetryAfter)
	}
}

func TestFirstComment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pub, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "with comment", FirstComment: "#bakery #bread", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
	if err != nil || len(pub.Warnings) != 0 {
		t.Fatalf("%v %v", err, pub.Warnings)
	}
	if m, _ := e.srv.Media(pub.ExternalID); len(m.Comments) != 1 || m.Comments[0] != "#bakery #bread" {
		t.Errorf("comments %v", m.Comments)
	}
	e.srv.Inject(1, metagraphtest.Fault{Method: http.MethodPost, Edge: "comments", Status: 403, Code: 10, Message: "(#10) Application does not have permission for this action"})
	pub, err = e.c.Publish(ctx, e.creds, publishers.Post{Text: "comment refused", FirstComment: "x", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Warnings) != 1 || !strings.Contains(pub.Warnings[0], "first comment") || e.srv.CreatedWithCaption("comment refused") != 1 {
		t.Errorf("warnings %v", pub.Warnings)
	}
}

// media_publish carried out but never answered: unknown, then FindPublished finds it, once.
func TestMediaPublishHangIsReconciled(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	e.srv.Inject(1, metagraphtest.AcceptThenHang(http.MethodPost, "media_publish"))
	post := publishers.Post{Text: "Exactly once", ScheduledAt: e.clk.Now(), Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}}
	_, err := e.c.Publish(context.Background(), e.creds, post)
	publishertest.WantKind(t, err, publishers.KindUnknown)
	found, err := e.c.FindPublished(context.Background(), e.creds, post)
	if err != nil || found == nil || !strings.HasPrefix(found.URL, "https://www.instagram.com/p/") {
		t.Fatalf("found %+v %v", found, err)
	}
	if n := e.srv.CreatedWithCaption("Exactly once"); n != 1 {
		t.Errorf("published %d times", n)
	}
}

func TestPublishErrors(t *testing.T) {
	cases := []struct {
		name  string
		fault metagraphtest.Fault
		edge  string
		kind  publishers.Kind
	}{
		{"190 on the quota check", metagraphtest.Expired(), "content_publishing_limit", publishers.KindAuthExpired},
		{"BUC rate limit on the container", metagraphtest.RateLimited(80002, 10*time.Minute), "media", publishers.KindRateLimited},
		{"368 on publish", metagraphtest.PolicyBlocked(), "media_publish", publishers.KindPermanent},
		{"500 on the container", metagraphtest.ServerError(500), "media", publishers.KindRetryable},
		{"504 proxy after media_publish", metagraphtest.ServerError(504), "media_publish", publishers.KindUnknown},
		{"spam restriction", metagraphtest.Fault{Status: 400, Code: 4, Subcode: 2207051, Message: "We restrict certain activity"}, "media_publish", publishers.KindPermanent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.Inject(1, tc.fault.On("", tc.edge))
			_, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "x", Media: []publishers.Media{image("https://cdn.example.com/1.jpg", "")}})
			publishertest.WantKind(t, err, tc.kind)
		})
	}
}
