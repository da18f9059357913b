package linkedin

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/pubtest"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestPublishText(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	// Every reserved character, a hashtag, a would-be mention: shown exactly as written.
	text := "Launch day (finally)! Prices: [1] {2} <3> a_b *c* ~d~ back\\slash pipe| @someone #Launch C# "
	pub, err := c.Publish(context.Background(), memberCreds(srv, ""), publishers.Post{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pub.ExternalID, "urn:li:share:") || pub.URL != "https://www.linkedin.com/feed/update/"+pub.ExternalID+"/" ||
		pub.PublishedAt.IsZero() || len(pub.Warnings) != 0 {
		t.Errorf("published %+v", pub)
	}
	p, ok := srv.Post(pub.ExternalID)
	if !ok || p.Text != text || p.Author != srv.MemberURN() || p.Content != nil || p.Visibility != "PUBLIC" {
		t.Errorf("stored %+v", p)
	}
	if !strings.Contains(p.Commentary, " #Launch ") || !strings.Contains(p.Commentary, `\(finally\)`) {
		t.Errorf("commentary %q", p.Commentary)
	}
	if srv.CreatedWithText(text) != 1 {
		t.Errorf("created %d times", srv.CreatedWithText(text))
	}
}

func TestPublishLinkAsArticle(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	text := "Read the story: https://www.example.com/news/a_b?x=(1)."
	pub, err := c.Publish(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := srv.Post(pub.ExternalID)
	art, _ := p.Content["article"].(map[string]any)
	if p.Text != text || art["source"] != "https://www.example.com/news/a_b?x=(1)" || art["title"] != "example.com" {
		t.Errorf("stored %+v", p)
	}
}

func TestPublishOneImage(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	pub, err := c.Publish(context.Background(), memberCreds(srv, ""), publishers.Post{Text: "a picture", Media: []publishers.Media{image("PNGDATA", "a cup")}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := srv.Post(pub.ExternalID)
	media, _ := p.Content["media"].(map[string]any)
	id, _ := media["id"].(string)
	img, ok := srv.Image(id)
	if !ok || media["altText"] != "a cup" || string(img.Data) != "PNGDATA" || img.Owner != srv.MemberURN() || img.MIME != "image/png" {
		t.Errorf("content %+v, image %+v", p.Content, img)
	}
}

func TestPublishSeveralImages(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	var media []publishers.Media
	for i := range 3 {
		media = append(media, image(fmt.Sprintf("IMG%d", i), fmt.Sprintf("alt %d", i)))
	}
	pub, err := c.Publish(context.Background(), orgCreds(srv, 1002), publishers.Post{Text: "three", Media: media})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := srv.Post(pub.ExternalID)
	mi, _ := p.Content["multiImage"].(map[string]any)
	imgs, _ := mi["images"].([]any)
	if len(imgs) != 3 {
		t.Fatalf("content %+v", p.Content)
	}
	for i, raw := range imgs {
		el := raw.(map[string]any)
		img, _ := srv.Image(el["id"].(string))
		if string(img.Data) != fmt.Sprintf("IMG%d", i) || el["altText"] != fmt.Sprintf("alt %d", i) || img.Owner != linkedintest.OrganizationURN(1002) {
			t.Errorf("image %d: %+v %+v", i, el, img)
		}
	}

	// More than LinkedIn takes is refused before anything is uploaded.
	before := srv.Requests("POST", "/rest/images")
	many := make([]publishers.Media, 21)
	for i := range many {
		many[i] = image("x", "")
	}
	_, err = c.Publish(context.Background(), orgCreds(srv, 1002), publishers.Post{Text: "too many", Media: many})
	pubtest.WantKind(t, err, publishers.KindPermanent)
	if srv.Requests("POST", "/rest/images") != before {
		t.Error("uploaded images for a post LinkedIn would refuse")
	}
}

func TestPublishVideo(t *testing.T) {
	srv := linkedintest.NewServer(t)
	srv.SetVideoPartSize(1000)
	srv.SetVideoProcessing(3, false)
	c := testClient(t, srv)
	data := bytes.Repeat([]byte("0123456789abcdef"), 160) // 2,560 bytes: three parts
	pub, err := c.Publish(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: "watch", Media: []publishers.Media{video(data)}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pub.ExternalID, "urn:li:ugcPost:") {
		t.Errorf("video post URN %s", pub.ExternalID)
	}
	p, _ := srv.Post(pub.ExternalID)
	media, _ := p.Content["media"].(map[string]any)
	id, _ := media["id"].(string)
	v, _ := srv.Video(id)
	if v.Status != "AVAILABLE" || !bytes.Equal(srv.VideoData(id), data) {
		t.Errorf("video %s: status %s, %d bytes", id, v.Status, len(srv.VideoData(id)))
	}
	if n := srv.Requests(http.MethodGet, "/rest/videos/"+id); n != 4 {
		t.Errorf("polled %d times, want 4 (3 while processing)", n)
	}

	// A video LinkedIn cannot process fails for good; one with images is refused up front.
	srv.SetVideoProcessing(0, true)
	_, err = c.Publish(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: "broken", Media: []publishers.Media{video(data)}})
	if pe := pubtest.WantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, "PROCESSING_FAILED") {
		t.Errorf("message %q", pe.Message)
	}
	_, err = c.Publish(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: "mixed", Media: []publishers.Media{video(data), image("x", "")}})
	pubtest.WantKind(t, err, publishers.KindPermanent)
}

func TestPublishVideoStillProcessingIsRetryable(t *testing.T) {
	srv := linkedintest.NewServer(t)
	srv.SetVideoProcessing(1_000_000, false)
	c := testClient(t, srv, func(o *Options) { o.MediaPollTimeout = 30 * time.Millisecond })
	_, err := c.Publish(context.Background(), memberCreds(srv, ""), publishers.Post{Text: "slow", Media: []publishers.Media{video([]byte("vid"))}})
	pubtest.WantKind(t, err, publishers.KindRetryable)
	if srv.CreatedWithText("slow") != 0 {
		t.Error("posted before the video was available")
	}
}

func TestPublishFirstComment(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	comment := "More at https://example.com/a_b (and #tags stay plain)"
	pub, err := c.Publish(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: "with a comment", FirstComment: comment})
	if err != nil || len(pub.Warnings) != 0 {
		t.Fatalf("publish: %+v, %v", pub, err)
	}
	cs := srv.Comments()
	if len(cs) != 1 || cs[0].Post != pub.ExternalID || cs[0].Actor != linkedintest.OrganizationURN(1001) || cs[0].Text != comment {
		t.Errorf("comments %+v", cs)
	}

	// A refused comment leaves the post published, with a warning; so does one Herald knows
	// LinkedIn would refuse.
	srv.Inject(1, linkedintest.Forbidden("Not enough permissions to access: comments.CREATE").On(http.MethodPost, "/rest/socialActions/*"))
	for i, fc := range []string{"hello", strings.Repeat("x", MaxFirstComment+1)} {
		text := fmt.Sprintf("comment fails %d", i)
		pub, err = c.Publish(context.Background(), orgCreds(srv, 1001), publishers.Post{Text: text, FirstComment: fc})
		if err != nil || len(pub.Warnings) != 1 || !strings.Contains(pub.Warnings[0], "first comment") {
			t.Errorf("publish with a failing comment: %+v, %v", pub, err)
		}
		if srv.CreatedWithText(text) != 1 {
			t.Errorf("created %d times", srv.CreatedWithText(text))
		}
	}
	if len(srv.Comments()) != 1 {
		t.Errorf("comments %+v", srv.Comments())
	}
	if !strings.Contains(pub.Warnings[0], "1,250") && !strings.Contains(pub.Warnings[0], "1250") {
		t.Errorf("warning %q does not give the limit", pub.Warnings[0])
	}
}

// Exactly once: LinkedIn takes no idempotency key, so a post accepted and never answered is
// an unknown outcome (never retried blindly), and FindPublished then finds it.
func TestPublishTimeoutAfterSendingIsUnknownAndFound(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	creds := orgCreds(srv, 1001)
	post := publishers.Post{Text: "hung (once)", ScheduledAt: time.Now()}
	srv.Inject(1, linkedintest.AcceptThenHang())
	_, err := c.Publish(context.Background(), creds, post)
	pubtest.WantKind(t, err, publishers.KindUnknown)
	if n := srv.CreatedWithText(post.Text); n != 1 {
		t.Fatalf("created %d times", n)
	}
	found, err := c.FindPublished(context.Background(), creds, post)
	if err != nil || found == nil {
		t.Fatalf("FindPublished = %v, %v", found, err)
	}
	if srv.Posts()[0].URN != found.ExternalID {
		t.Errorf("found %s", found.ExternalID)
	}
}

func TestPublishRefusesWhatLinkedInCannotTake(t *testing.T) {
	srv := linkedintest.NewServer(t)
	c := testClient(t, srv)
	ctx := context.Background()
	cases := map[string]publishers.Post{
		"empty":    {Text: "  "},
		"audio":    {Text: "x", Media: []publishers.Media{{Kind: content.MediaKind("audio"), Open: image("a", "").Open}}},
		"2 videos": {Text: "x", Media: []publishers.Media{video([]byte("a")), video([]byte("b"))}},
	}
	for name, p := range cases {
		if _, err := c.Publish(ctx, memberCreds(srv, ""), p); publishers.KindOf(err) != publishers.KindPermanent {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := c.Publish(ctx, &publishers.Credentials{AccessToken: "x"}, publishers.Post{Text: "x"}); publishers.KindOf(err) != publishers.KindAuthExpired {
		t.Errorf("no author: %v", err)
	}
}

// The bearer token is sent only to LinkedIn's own hosts, whatever upload URL an answer holds.
func TestTrustedHost(t *testing.T) {
	c := New(Options{APIURL: "http://127.0.0.1:8080"})
	for host, want := range map[string]bool{
		"www.linkedin.com": true, "api.linkedin.com:443": true, "127.0.0.1:8080": true,
		"evil.example": false, "linkedin.com.evil.example": false, "notlinkedin.com": false,
	} {
		if got := c.trustedHost(host); got != want {
			t.Errorf("trustedHost(%q) = %v", host, got)
		}
	}
}
