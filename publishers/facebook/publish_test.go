package facebook

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/metagraph"
	"github.com/heraldhq/herald/publishers/metagraph/metagraphtest"
)

func TestPublishText(t *testing.T) {
	e := newEnv(t)
	pub, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Fresh bread at 7.", ScheduledAt: e.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := e.srv.Post(pub.ExternalID)
	if !ok || p.Message != "Fresh bread at 7." || p.Link != "" || p.Kind != "status" || p.PageID != e.page.ID {
		t.Fatalf("post %+v", p)
	}
	if pub.URL != "https://www.facebook.com/"+pub.ExternalID || !pub.PublishedAt.Equal(e.clk.Now()) {
		t.Errorf("published %+v", pub)
	}
	if n := e.srv.CreatedWithMessage("Fresh bread at 7."); n != 1 {
		t.Errorf("created %d times", n)
	}
	if got := e.srv.Versions(); len(got) != 1 || got[0] != metagraph.DefaultVersion {
		t.Errorf("versions %v", got)
	}
}

func TestPublishLink(t *testing.T) {
	e := newEnv(t)
	text := "Our new menu: https://bakery.example/menu?season=spring. Come by!"
	pub, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := e.srv.Post(pub.ExternalID); p.Link != "https://bakery.example/menu?season=spring" || p.Message != text {
		t.Errorf("post %+v", p)
	}
}

// One photo goes by its URL when Facebook can download it, else as uploaded bytes; the post's id
// is the post's, not the photo's.
func TestPublishOnePhoto(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pub, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "Croissants",
		Media: []publishers.Media{image("jpeg-bytes", "A tray of croissants", "https://media.herald.example/m/1.jpg")}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.srv.Post(pub.ExternalID)
	if p.Kind != "photo" || len(p.PhotoIDs) != 1 || !strings.HasPrefix(pub.ExternalID, e.page.ID+"_") {
		t.Fatalf("post %+v", p)
	}
	ph, _ := e.srv.Photo(p.PhotoIDs[0])
	if ph.URL != "https://media.herald.example/m/1.jpg" || len(ph.Data) != 0 || ph.Alt != "A tray of croissants" || ph.Message != "Croissants" {
		t.Errorf("photo by URL %+v", ph)
	}

	pub, err = e.c.Publish(ctx, e.creds, publishers.Post{Text: "Baguettes",
		Media: []publishers.Media{image("more-jpeg-bytes", "", "http://localhost:8080/media/2.jpg")}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ = e.srv.Post(pub.ExternalID)
	ph, _ = e.srv.Photo(p.PhotoIDs[0])
	if ph.URL != "" || string(ph.Data) != "more-jpeg-bytes" || ph.MIME != "image/jpeg" {
		t.Errorf("uploaded photo %+v", ph)
	}
}

func TestPublishSeveralPhotos(t *testing.T) {
	e := newEnv(t)
	media := []publishers.Media{image("one", "first", ""), image("two", "second", ""), image("three", "", "https://cdn.example.com/3.jpg")}
	pub, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Three loaves", Media: media})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := e.srv.Post(pub.ExternalID)
	if p.Kind != "album" || len(p.PhotoIDs) != 3 || p.Message != "Three loaves" {
		t.Fatalf("post %+v", p)
	}
	for i, id := range p.PhotoIDs {
		ph, _ := e.srv.Photo(id)
		if ph.Published || ph.PostID != pub.ExternalID || ph.Message != "" {
			t.Errorf("photo %d %+v", i, ph)
		}
	}
	if n := e.srv.CreatedWithMessage("Three loaves"); n != 1 {
		t.Errorf("created %d posts", n)
	}
	if ph, _ := e.srv.Photo(p.PhotoIDs[0]); ph.Alt != "first" || string(ph.Data) != "one" {
		t.Errorf("first photo %+v", ph)
	}
}

func TestPublishVideo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pub, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "Kneading, in 30 seconds", Media: []publishers.Media{videoMedia("mp4-bytes", "")}})
	if err != nil {
		t.Fatal(err)
	}
	v, ok := e.srv.Video(pub.ExternalID)
	if !ok || string(v.Data) != "mp4-bytes" || v.Description != "Kneading, in 30 seconds" || v.MIME != "video/mp4" {
		t.Fatalf("video %+v", v)
	}
	if pub.URL != "https://www.facebook.com/"+pub.ExternalID {
		t.Errorf("url %s", pub.URL)
	}
	pub, err = e.c.Publish(ctx, e.creds, publishers.Post{Text: "By URL", Media: []publishers.Media{videoMedia("", "https://cdn.example.com/v.mp4")}})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e.srv.Video(pub.ExternalID); v.FileURL != "https://cdn.example.com/v.mp4" || len(v.Data) != 0 {
		t.Errorf("video by URL %+v", v)
	}
	// A video and a photo cannot share a Page post.
	_, err = e.c.Publish(ctx, e.creds, publishers.Post{Text: "x", Media: []publishers.Media{videoMedia("v", ""), image("i", "", "")}})
	publishertest.WantKind(t, err, publishers.KindPermanent)
}

func TestFirstComment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pub, err := e.c.Publish(ctx, e.creds, publishers.Post{Text: "With a comment", FirstComment: "Order at bakery.example"})
	if err != nil || len(pub.Warnings) != 0 {
		t.Fatalf("%v %v", err, pub.Warnings)
	}
	if p, _ := e.srv.Post(pub.ExternalID); len(p.Comments) != 1 || p.Comments[0] != "Order at bakery.example" {
		t.Errorf("comments %v", p.Comments)
	}
	// On a video, the comment goes on the video.
	pub, err = e.c.Publish(ctx, e.creds, publishers.Post{Text: "video", FirstComment: "first!", Media: []publishers.Media{videoMedia("v", "")}})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e.srv.Video(pub.ExternalID); len(v.Comments) != 1 {
		t.Errorf("video comments %v", v.Comments)
	}
}

// A refused first comment leaves the post published, with a warning in plain words.
func TestFirstCommentFailureIsAWarning(t *testing.T) {
	e := newEnv(t)
	e.srv.Inject(1, metagraphtest.PermissionMissing().On(http.MethodPost, "comments"))
	pub, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "Post stays", FirstComment: "comment fails"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Warnings) != 1 || !strings.Contains(pub.Warnings[0], "first comment") || !strings.Contains(pub.Warnings[0], "permission") {
		t.Errorf("warnings %v", pub.Warnings)
	}
	if n := e.srv.CreatedWithMessage("Post stays"); n != 1 {
		t.Errorf("created %d", n)
	}
}

// A photo whose URL Facebook cannot reach and whose bytes Herald cannot open fails with the
// reason, before anything is sent.
func TestPhotoWithoutContent(t *testing.T) {
	e := newEnv(t)
	m := image("", "", "http://192.168.1.10/photo.jpg")
	m.Open = nil
	_, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "x", Media: []publishers.Media{m}})
	pe := publishertest.WantKind(t, err, publishers.KindPermanent)
	if !strings.Contains(pe.Message, "private address") || e.srv.Requests(http.MethodPost, "/"+e.page.ID+"/photos") != 0 {
		t.Errorf("message %q", pe.Message)
	}
}

// The Graph version is an option and every request names it.
func TestGraphVersionOption(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.GraphVersion = "23.0" })
	if _, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "v23"}); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Versions(); len(got) != 1 || got[0] != "v23.0" {
		t.Errorf("versions %v", got)
	}
	bad := newEnv(t, func(o *Options) { o.GraphVersion = "latest" })
	_, err := bad.c.Publish(context.Background(), bad.creds, publishers.Post{Text: "x"})
	if pe := publishertest.WantKind(t, err, publishers.KindPermanent); !strings.Contains(pe.Message, "latest") {
		t.Errorf("message %q", pe.Message)
	}
}

// With "Require App Secret" on, every call carries a valid appsecret_proof.
func TestAppSecretProof(t *testing.T) {
	e := newEnv(t)
	e.srv.SetRequireAppSecretProof(true)
	if _, err := e.c.Publish(context.Background(), e.creds, publishers.Post{Text: "proved"}); err != nil {
		t.Fatal(err)
	}
	noSecret := testClient(e.srv, e.clk, func(o *Options) { o.App.ClientSecret = "" })
	_, err := noSecret.Publish(context.Background(), e.creds, publishers.Post{Text: "unproved"})
	publishertest.WantKind(t, err, publishers.KindPermanent)
}
