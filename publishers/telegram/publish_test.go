package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/publishers/internal/publishertest"
	"github.com/heraldhq/herald/publishers/telegram/telegramtest"
)

func TestPublishText(t *testing.T) {
	at := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	f := newFixture(t)
	f.srv.SetNow(func() time.Time { return at })
	text := "Launch day! Read *all* about it: https://example.com/launch <b>not bold</b>"
	pub, err := f.c.Publish(context.Background(), f.creds, publishers.Post{IdempotencyKey: "k", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	msgs := f.srv.Messages(f.channel)
	if len(msgs) != 1 || msgs[0].Kind != "text" || msgs[0].Text != text || msgs[0].LinkPreviewDisabled {
		t.Fatalf("messages %+v", msgs)
	}
	if pub.ExternalID != strconv.FormatInt(msgs[0].ID, 10) || pub.URL != "https://t.me/heraldnews/"+pub.ExternalID || !pub.PublishedAt.Equal(at) {
		t.Errorf("published %+v", pub)
	}
	if f.srv.CreatedWithText(text) != 1 {
		t.Errorf("created %d", f.srv.CreatedWithText(text))
	}
}

func TestPublishTextWithoutLinkPreview(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.DisableLinkPreviews = true })
	if _, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "https://example.com"}); err != nil {
		t.Fatal(err)
	}
	if m := f.srv.Messages(f.channel); len(m) != 1 || !m[0].LinkPreviewDisabled {
		t.Errorf("messages %+v", m)
	}
}

func TestPublishOneAttachment(t *testing.T) {
	cases := []struct {
		kind   content.MediaKind
		mime   string
		method string
		msg    string
		file   string
	}{
		{content.KindImage, "image/jpeg", "sendPhoto", "photo", "attachment-1.jpg"},
		{content.KindVideo, "video/mp4", "sendVideo", "video", "attachment-1.mp4"},
		{content.KindGIF, "image/gif", "sendAnimation", "animation", "attachment-1.gif"},
	}
	for _, tc := range cases {
		t.Run(tc.method, func(t *testing.T) {
			f := newFixture(t)
			pub, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "caption " + tc.msg,
				Media: []publishers.Media{media(tc.kind, tc.mime, "bytes of "+tc.msg)}})
			if err != nil {
				t.Fatal(err)
			}
			if f.srv.Requests(tc.method) != 1 {
				t.Errorf("%s called %d times", tc.method, f.srv.Requests(tc.method))
			}
			m := f.srv.Messages(f.channel)
			if len(m) != 1 || m[0].Kind != tc.msg || m[0].Text != "caption "+tc.msg || m[0].File == nil {
				t.Fatalf("messages %+v", m)
			}
			if string(m[0].File.Data) != "bytes of "+tc.msg || m[0].File.ContentType != tc.mime || m[0].File.FileName != tc.file {
				t.Errorf("file %s %q %q", m[0].File.Data, m[0].File.ContentType, m[0].File.FileName)
			}
			if pub.URL != "https://t.me/heraldnews/"+strconv.FormatInt(m[0].ID, 10) {
				t.Errorf("url %q", pub.URL)
			}
		})
	}
}

func TestPublishAlbum(t *testing.T) {
	f := newFixture(t)
	var ms []publishers.Media
	for i := range 4 {
		k, mime := content.KindImage, "image/png"
		if i == 2 {
			k, mime = content.KindVideo, "video/mp4"
		}
		ms = append(ms, media(k, mime, fmt.Sprintf("file %d", i)))
	}
	pub, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "Four things", Media: ms})
	if err != nil {
		t.Fatal(err)
	}
	m := f.srv.Messages(f.channel)
	if len(m) != 4 {
		t.Fatalf("%d messages", len(m))
	}
	for i, msg := range m {
		wantKind, wantText := "photo", ""
		if i == 2 {
			wantKind = "video"
		}
		if i == 0 {
			wantText = "Four things"
		}
		if msg.Kind != wantKind || msg.Text != wantText || string(msg.File.Data) != fmt.Sprintf("file %d", i) || msg.MediaGroupID == "" {
			t.Errorf("message %d: %+v", i, msg)
		}
	}
	if pub.ExternalID != strconv.FormatInt(m[0].ID, 10) || f.srv.CreatedWithText("Four things") != 1 {
		t.Errorf("published %+v", pub)
	}
}

func TestPublishRefusesBeforeSending(t *testing.T) {
	f := newFixture(t)
	var eleven []publishers.Media
	for range 11 {
		eleven = append(eleven, media(content.KindImage, "image/png", "x"))
	}
	cases := map[string]publishers.Post{
		"empty":        {Text: " \n"},
		"eleven":       {Text: "x", Media: eleven},
		"gif in album": {Text: "x", Media: []publishers.Media{media(content.KindGIF, "image/gif", "g"), media(content.KindImage, "image/png", "p")}},
		"no content":   {Text: "x", Media: []publishers.Media{{Kind: content.KindImage}}},
	}
	for name, p := range cases {
		_, err := f.c.Publish(context.Background(), f.creds, p)
		if publishers.KindOf(err) != publishers.KindPermanent {
			t.Errorf("%s: %v", name, err)
		}
	}
	broken := media(content.KindImage, "image/png", "")
	broken.Open = func(context.Context) ([]byte, error) { return nil, errors.New("disk on fire") }
	_, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "x", Media: []publishers.Media{broken}})
	publishertest.WantKind(t, err, publishers.KindRetryable)
	if n := len(f.srv.Messages(f.channel)); n != 0 {
		t.Errorf("%d messages sent", n)
	}
	_, err = f.c.Publish(context.Background(), &publishers.Credentials{AccessToken: f.bot.Token}, publishers.Post{Text: "x"})
	publishertest.WantKind(t, err, publishers.KindAuthExpired)
}

func TestPostURLs(t *testing.T) {
	f := newFixture(t)
	private := f.srv.AddChat("channel", "Private", "")
	f.srv.SetMember(private, f.bot.ID, telegramtest.Admin)
	group := f.srv.AddChat("group", "Old group", "")
	f.srv.SetMember(group, f.bot.ID, telegramtest.Member{Status: "administrator"})

	creds := func(id int64) *publishers.Credentials {
		return &publishers.Credentials{AccessToken: f.bot.Token, Extra: map[string]string{ExtraChatID: strconv.FormatInt(id, 10)}}
	}
	pub, err := f.c.Publish(context.Background(), creds(private), publishers.Post{Text: "p"})
	if err != nil {
		t.Fatal(err)
	}
	internal := strings.TrimPrefix(strconv.FormatInt(private, 10), "-100")
	if pub.URL != "https://t.me/c/"+internal+"/"+pub.ExternalID {
		t.Errorf("private channel url %q", pub.URL)
	}
	pub, err = f.c.Publish(context.Background(), creds(group), publishers.Post{Text: "g"})
	if err != nil || pub.URL != "" || pub.ExternalID == "" {
		t.Errorf("basic group: %+v, %v", pub, err)
	}
	// A channel renamed after connecting: the link follows the name Telegram returns.
	f.srv.SetUsername(f.channel, "herald_daily")
	pub, err = f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "r"})
	if err != nil || pub.URL != "https://t.me/herald_daily/"+pub.ExternalID {
		t.Errorf("renamed: %+v, %v", pub, err)
	}
}

// A timeout after Telegram posted the message is an unknown outcome, never a retryable one: the
// scheduler must not send it again. Reads time out as retryable.
func TestTimeoutAfterSending(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	f.srv.Inject(1, telegramtest.AcceptThenHang("sendMessage"))
	_, err := f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "once"})
	// A bot cannot look the post up: a person is asked to check, not promised Herald will.
	if pe := publishertest.WantKind(t, err, publishers.KindUnknown); !strings.HasSuffix(pe.Message, "check the channel") {
		t.Errorf("message %q", pe.Message)
	}
	if f.srv.CreatedWithText("once") != 1 || f.srv.Requests("sendMessage") != 1 {
		t.Errorf("created %d, requests %d", f.srv.CreatedWithText("once"), f.srv.Requests("sendMessage"))
	}
	f.srv.Inject(1, telegramtest.AcceptThenHang("sendPhoto"))
	_, err = f.c.Publish(context.Background(), f.creds, publishers.Post{Text: "photo once", Media: []publishers.Media{media(content.KindImage, "image/png", "p")}})
	publishertest.WantKind(t, err, publishers.KindUnknown)
	if f.srv.CreatedWithText("photo once") != 1 {
		t.Errorf("photo created %d times", f.srv.CreatedWithText("photo once"))
	}
}

func TestFindPublishedAndMetricsSayWhatTelegramCannotDo(t *testing.T) {
	f := newFixture(t)
	found, err := f.c.FindPublished(context.Background(), f.creds, publishers.Post{Text: "x"})
	if found != nil || publishers.KindOf(err) != publishers.KindUnknown {
		t.Errorf("FindPublished = %v, %v", found, err)
	}
	m, err := f.c.Metrics(context.Background(), f.creds, []string{"1", "2"})
	if err != nil || m == nil || len(m) != 0 {
		t.Errorf("Metrics = %v, %v", m, err)
	}
	got, changed, err := f.c.Refresh(context.Background(), f.creds)
	if got != f.creds || changed || err != nil {
		t.Errorf("Refresh = %v %v %v", got, changed, err)
	}
}
