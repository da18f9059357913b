package content

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// want describes one expected problem; Message is checked by substring so the tests pin the
// numbers without freezing the wording.
type want struct {
	Code, Severity, Field string
	Start, End            int
	Message               string
}

func img(mime string, size int64) Media {
	return Media{Kind: KindImage, MIME: mime, SizeBytes: size, AltText: "a"}
}
func vid(mime string, sec float64) Media {
	return Media{Kind: KindVideo, MIME: mime, DurationSec: sec, AltText: "a"}
}
func gif(size int64) Media {
	return Media{Kind: KindGIF, MIME: "image/gif", SizeBytes: size, AltText: "a"}
}

func images(n int, mime string) []Media {
	m := make([]Media, n)
	for i := range m {
		m[i] = img(mime, 1000)
	}
	return m
}

func tags(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "#tag%c ", 'a'+rune(i%26))
	}
	return b.String()
}

func TestCheck(t *testing.T) {
	jpeg := []Media{img("image/jpeg", 1000)}
	tests := []struct {
		name    string
		network string
		content Content
		length  int
		limit   int
		ok      bool
		want    []want
	}{
		// X
		{name: "x fits", network: "x", content: Content{Text: "hello"}, length: 5, limit: 280, ok: true},
		{name: "x 280", network: "x", content: Content{Text: strings.Repeat("a", 280)}, length: 280, limit: 280, ok: true},
		{name: "x 281", network: "x", content: Content{Text: strings.Repeat("a", 281)}, length: 281, limit: 280,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 280, End: 281, Message: "Too long for X: 281 of 280 characters"}}},
		{name: "x 140 CJK", network: "x", content: Content{Text: strings.Repeat("日", 140)}, length: 280, limit: 280, ok: true},
		{name: "x 141 CJK", network: "x", content: Content{Text: strings.Repeat("日", 141)}, length: 282, limit: 280,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 140, End: 141, Message: "282 of 280"}}},
		{name: "x empty", network: "x", content: Content{Text: " \n\t"}, length: 3, limit: 280,
			want: []want{{Code: CodeEmpty, Field: "text", Start: -1, End: -1}}},
		{name: "x media only", network: "x", content: Content{Media: jpeg}, limit: 280, ok: true},
		{name: "x five images", network: "x", content: Content{Text: "hi", Media: images(5, "image/png")}, length: 2, limit: 280,
			want: []want{{Code: CodeTooManyMedia, Field: "media", Start: -1, End: -1, Message: "5 of 4"}}},
		{name: "x two videos", network: "x", content: Content{Text: "hi", Media: []Media{vid("video/mp4", 10), vid("video/mp4", 10)}}, length: 2, limit: 280,
			want: []want{{Code: CodeTooManyMedia, Field: "media", Start: -1, End: -1, Message: "only one video"}}},
		{name: "x image and video", network: "x", content: Content{Text: "hi", Media: []Media{img("image/png", 10), vid("video/mp4", 10)}}, length: 2, limit: 280,
			want: []want{{Code: CodeMixedMedia, Field: "media", Start: -1, End: -1, Message: "cannot combine a video"}}},
		{name: "x image and gif", network: "x", content: Content{Text: "hi", Media: []Media{img("image/png", 10), gif(10)}}, length: 2, limit: 280,
			want: []want{{Code: CodeMixedMedia, Field: "media", Start: -1, End: -1, Message: "cannot combine a GIF"}}},
		{name: "x bmp", network: "x", content: Content{Text: "hi", Media: []Media{img("image/bmp", 10)}}, length: 2, limit: 280,
			want: []want{{Code: CodeMediaType, Field: "media[0]", Start: -1, End: -1, Message: "image/bmp"}}},
		{name: "x mime normalised", network: "x", content: Content{Text: "hi", Media: []Media{img("Image/JPG; q=1", 10)}}, length: 2, limit: 280, ok: true},
		{name: "x unknown kind", network: "x", content: Content{Text: "hi", Media: []Media{{Kind: "audio"}}}, length: 2, limit: 280,
			want: []want{{Code: CodeMediaType, Field: "media[0]", Start: -1, End: -1, Message: `unknown kind "audio"`}}},
		{name: "x image too large", network: "x", content: Content{Text: "hi", Media: []Media{img("image/png", 5*miB), img("image/png", 6*miB)}}, length: 2, limit: 280,
			want: []want{{Code: CodeMediaTooLarge, Field: "media[1]", Start: -1, End: -1, Message: "Attachment 2 (image) is too large for X: 6 MB of 5 MB"}}},
		{name: "x gif limit", network: "x", content: Content{Text: "hi", Media: []Media{gif(16 * miB)}}, length: 2, limit: 280,
			want: []want{{Code: CodeMediaTooLarge, Field: "media[0]", Start: -1, End: -1, Message: "16 MB of 15 MB"}}},
		{name: "x video too long", network: "x", content: Content{Text: "hi", Media: []Media{vid("video/mp4", 150)}}, length: 2, limit: 280,
			want: []want{{Code: CodeVideoTooLong, Field: "media[0]", Start: -1, End: -1, Message: "2:30 of 2:20"}}},
		{name: "x first comment", network: "x", content: Content{Text: "hi", FirstComment: "#more"}, length: 2, limit: 280, ok: true},
		// The first comment is a post of its own, counted the way X counts (CJK weighs 2).
		{name: "x first comment too long", network: "x", content: Content{Text: "hi", FirstComment: strings.Repeat("日", 141)}, length: 2, limit: 280,
			want: []want{{Code: CodeFirstCommentTooLong, Field: "first_comment", Start: 140, End: 141, Message: "282 of 280"}}},
		{name: "x link", network: "x", content: Content{Text: "read https://example.com/" + strings.Repeat("p", 300)}, length: 28, limit: 280, ok: true},

		// Bluesky
		{name: "bluesky first comment", network: "bluesky", content: Content{Text: "hi", FirstComment: strings.Repeat("é", 300)}, length: 2, limit: 300, ok: true},
		{name: "bluesky first comment too long", network: "bluesky", content: Content{Text: "hi", FirstComment: strings.Repeat("c", 301)}, length: 2, limit: 300,
			want: []want{{Code: CodeFirstCommentTooLong, Field: "first_comment", Start: 300, End: 301, Message: "301 of 300"}}},
		{name: "bluesky 300", network: "bluesky", content: Content{Text: strings.Repeat("é", 300)}, length: 300, limit: 300, ok: true},
		{name: "bluesky 301", network: "bluesky", content: Content{Text: strings.Repeat("b", 301)}, length: 301, limit: 300,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 300, End: 301, Message: "301 of 300"}}},
		{name: "bluesky family emoji", network: "bluesky", content: Content{Text: strings.Repeat(familyEmoji, 100)}, length: 100, limit: 300, ok: true},
		{name: "bluesky bytes", network: "bluesky", content: Content{Text: strings.Repeat(familyEmoji, 150)}, length: 150, limit: 300,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 120 * 7, End: 150 * 7, Message: "3,750 of 3,000 bytes"}}},
		{name: "bluesky alt text", network: "bluesky", content: Content{Text: "look", Media: []Media{{Kind: KindImage, MIME: "image/png"}}}, length: 4, limit: 300, ok: true,
			want: []want{{Code: CodeAltTextMissing, Severity: SeverityWarning, Field: "media[0]", Start: -1, End: -1}}},
		{name: "bluesky gif", network: "bluesky", content: Content{Text: "look", Media: []Media{gif(10)}}, length: 4, limit: 300,
			want: []want{{Code: CodeMediaType, Field: "media[0]", Start: -1, End: -1, Message: "does not accept GIFs"}}},
		{name: "bluesky image limit", network: "bluesky", content: Content{Text: "x", Media: []Media{img("image/jpeg", 2_000_000), img("image/jpeg", 2_000_001)}}, length: 1, limit: 300,
			want: []want{{Code: CodeMediaTooLarge, Field: "media[1]", Start: -1, End: -1, Message: "2.01 MB of 2 MB"}}},
		{name: "bluesky not an image type", network: "bluesky", content: Content{Text: "x", Media: []Media{img("application/pdf", 10)}}, length: 1, limit: 300,
			want: []want{{Code: CodeMediaType, Field: "media[0]", Start: -1, End: -1, Message: "not a image type"}}},

		// Mastodon
		{name: "mastodon first comment", network: "mastodon", content: Content{Text: "x", FirstComment: strings.Repeat("c", 500)}, length: 1, limit: 500, ok: true},
		{name: "mastodon first comment too long", network: "mastodon", content: Content{Text: "x", FirstComment: strings.Repeat("c", 501)}, length: 1, limit: 500,
			want: []want{{Code: CodeFirstCommentTooLong, Field: "first_comment", Start: 500, End: 501, Message: "501 of 500"}}},
		{name: "mastodon remote mention", network: "mastodon", content: Content{Text: strings.Repeat("a", 493) + " @alice@example.social"}, length: 500, limit: 500, ok: true},
		{name: "mastodon link", network: "mastodon", content: Content{Text: strings.Repeat("a", 477) + " https://example.com/" + strings.Repeat("x", 200)}, length: 501, limit: 500,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 478, End: 478 + 220, Message: "501 of 500"}}},
		{name: "mastodon video and image", network: "mastodon", content: Content{Text: "x", Media: []Media{vid("video/mp4", 1), img("image/png", 1)}}, length: 1, limit: 500,
			want: []want{{Code: CodeMixedMedia, Field: "media", Start: -1, End: -1}}},
		{name: "mastodon gif and image", network: "mastodon", content: Content{Text: "x", Media: []Media{gif(1), img("image/png", 1)}}, length: 1, limit: 500, ok: true},
		{name: "mastodon video size", network: "mastodon", content: Content{Text: "x", Media: []Media{{Kind: KindVideo, MIME: "video/mp4", SizeBytes: 100 * miB, AltText: "a"}}}, length: 1, limit: 500,
			want: []want{{Code: CodeMediaTooLarge, Field: "media[0]", Start: -1, End: -1, Message: "100 MB of 99 MB"}}},

		// LinkedIn
		{name: "linkedin 3001", network: "linkedin", content: Content{Text: strings.Repeat("a", 3001)}, length: 3001, limit: 3000,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 3000, End: 3001, Message: "3,001 of 3,000"}}},
		{name: "linkedin 21 images", network: "linkedin", content: Content{Text: "x", Media: images(21, "image/png")}, length: 1, limit: 3000,
			want: []want{{Code: CodeTooManyMedia, Field: "media", Start: -1, End: -1, Message: "21 of 20"}}},
		{name: "linkedin first comment", network: "linkedin", content: Content{Text: "x", FirstComment: strings.Repeat("c", 1250)}, length: 1, limit: 3000, ok: true},
		{name: "linkedin first comment too long", network: "linkedin", content: Content{Text: "x", FirstComment: strings.Repeat("c", 1251)}, length: 1, limit: 3000,
			want: []want{{Code: CodeFirstCommentTooLong, Field: "first_comment", Start: 1250, End: 1251, Message: "1,251 of 1,250"}}},

		// Instagram
		{name: "instagram needs media", network: "instagram", content: Content{Text: "caption"}, length: 7, limit: 2200,
			want: []want{{Code: CodeMediaRequired, Field: "media", Start: -1, End: -1}}},
		{name: "instagram 30 hashtags", network: "instagram", content: Content{Text: tags(30), Media: jpeg}, length: 30 * 6, limit: 2200, ok: true},
		{name: "instagram 31 hashtags", network: "instagram", content: Content{Text: tags(31), Media: jpeg}, length: 31 * 6, limit: 2200,
			want: []want{{Code: CodeTooManyHashtags, Field: "text", Start: 30 * 6, End: 31*6 - 1, Message: "31 of 30"}}},
		{name: "instagram 21 mentions", network: "instagram", content: Content{Text: strings.Repeat("@ab ", 21), Media: jpeg}, length: 84, limit: 2200,
			want: []want{{Code: CodeTooManyMentions, Field: "text", Start: 80, End: 83, Message: "21 of 20"}}},
		{name: "instagram png", network: "instagram", content: Content{Text: "x", Media: []Media{img("image/png", 1)}}, length: 1, limit: 2200,
			want: []want{{Code: CodeMediaType, Field: "media[0]", Start: -1, End: -1, Message: "use image/jpeg"}}},
		{name: "instagram 11 media", network: "instagram", content: Content{Text: "x", Media: images(11, "image/jpeg")}, length: 1, limit: 2200,
			want: []want{{Code: CodeTooManyMedia, Field: "media", Start: -1, End: -1, Message: "11 of 10"}}},
		{name: "instagram mixed carousel", network: "instagram", content: Content{Text: "x", Media: []Media{img("image/jpeg", 1), vid("video/mp4", 30)}}, length: 1, limit: 2200, ok: true},
		{name: "instagram portrait 4:5", network: "instagram", content: Content{Text: "x", Media: []Media{{Kind: KindImage, Width: 1080, Height: 1350}}}, length: 1, limit: 2200, ok: true},
		{name: "instagram story shape", network: "instagram", content: Content{Text: "x", Media: []Media{{Kind: KindImage, Width: 1080, Height: 1920}}}, length: 1, limit: 2200,
			want: []want{{Code: CodeAspectRatio, Field: "media[0]", Start: -1, End: -1, Message: "1080×1920"}}},
		{name: "instagram first comment", network: "instagram", content: Content{Text: "x", Media: jpeg, FirstComment: tags(30)}, length: 1, limit: 2200, ok: true},
		{name: "instagram first comment hashtags", network: "instagram", content: Content{Text: "x", Media: jpeg, FirstComment: tags(31)}, length: 1, limit: 2200,
			want: []want{{Code: CodeTooManyHashtags, Field: "first_comment", Start: 180, End: 185}}},
		{name: "instagram first comment too long", network: "instagram", content: Content{Text: "x", Media: jpeg, FirstComment: strings.Repeat("z", 2205)}, length: 1, limit: 2200,
			want: []want{{Code: CodeFirstCommentTooLong, Field: "first_comment", Start: 2200, End: 2205, Message: "2,205 of 2,200"}}},

		// Threads
		{name: "threads 501", network: "threads", content: Content{Text: strings.Repeat("a", 501)}, length: 501, limit: 500,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 500, End: 501}}},
		{name: "threads video", network: "threads", content: Content{Text: "x", Media: []Media{vid("video/mp4", 301)}}, length: 1, limit: 500,
			want: []want{{Code: CodeVideoTooLong, Field: "media[0]", Start: -1, End: -1, Message: "5:01 of 5:00"}}},

		// Facebook
		{name: "facebook limit", network: "facebook", content: Content{Text: strings.Repeat("a", 63206)}, length: 63206, limit: 63206, ok: true},
		{name: "facebook over", network: "facebook", content: Content{Text: strings.Repeat("a", 63207)}, length: 63207, limit: 63206,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 63206, End: 63207, Message: "Too long for Facebook: 63,207 of 63,206 characters"}}},

		// Telegram
		{name: "telegram caption", network: "telegram", content: Content{Text: strings.Repeat("a", 1025), Media: jpeg}, length: 1025, limit: 1024,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 1024, End: 1025, Message: "1,025 of 1,024 characters for a caption"}}},
		{name: "telegram message", network: "telegram", content: Content{Text: strings.Repeat("a", 1025)}, length: 1025, limit: 4096, ok: true},
		{name: "telegram gif alone", network: "telegram", content: Content{Text: "x", Media: []Media{gif(1), img("image/jpeg", 1)}}, length: 1, limit: 1024,
			want: []want{{Code: CodeMixedMedia, Field: "media", Start: -1, End: -1, Message: "cannot combine a GIF"}}},

		// Discord
		{name: "discord 2001", network: "discord", content: Content{Text: strings.Repeat("a", 2001)}, length: 2001, limit: 2000,
			want: []want{{Code: CodeTooLong, Field: "text", Start: 2000, End: 2001}}},
		{name: "discord 11 files", network: "discord", content: Content{Text: "x", Media: images(11, "image/png")}, length: 1, limit: 2000,
			want: []want{{Code: CodeTooManyMedia, Field: "media", Start: -1, End: -1, Message: "11 of 10"}}},

		// Slack
		{name: "slack media", network: "slack", content: Content{Text: "x", Media: []Media{img("image/png", 1), img("image/png", 1), img("image/png", 1),
			img("image/png", 1), img("image/png", 1), img("image/png", 1), img("image/png", 1), img("image/png", 1), img("image/png", 1), img("image/png", 1), img("image/png", 1)}},
			length: 1, limit: 40000,
			want: []want{{Code: CodeTooManyMedia, Field: "media", Start: -1, End: -1, Message: "Too many attachments for Slack: 11 of 10"}}},

		// Sandbox
		{name: "sandbox video", network: "sandbox", content: Content{Text: "x", Media: []Media{vid("video/mp4", 1)}}, length: 1, limit: 500,
			want: []want{{Code: CodeMediaType, Field: "media[0]", Start: -1, End: -1, Message: "does not accept videos"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := ForNetwork(tt.network)
			if !ok {
				t.Fatalf("no rules for %q", tt.network)
			}
			res := Check(r, tt.content)
			if res.Network != tt.network || res.Length != tt.length || res.Limit != tt.limit || res.OK != tt.ok {
				t.Errorf("got network %q length %d limit %d ok %v, want %q %d %d %v",
					res.Network, res.Length, res.Limit, res.OK, tt.network, tt.length, tt.limit, tt.ok)
			}
			if len(res.Problems) != len(tt.want) {
				t.Fatalf("got %d problems %+v, want %d", len(res.Problems), res.Problems, len(tt.want))
			}
			for i, w := range tt.want {
				p := res.Problems[i]
				if w.Severity == "" {
					w.Severity = SeverityError
				}
				if p.Code != w.Code || p.Severity != w.Severity || p.Field != w.Field || p.Start != w.Start || p.End != w.End {
					t.Errorf("problem %d = %s/%s %s [%d,%d], want %s/%s %s [%d,%d]", i,
						p.Code, p.Severity, p.Field, p.Start, p.End, w.Code, w.Severity, w.Field, w.Start, w.End)
				}
				if !strings.Contains(p.Message, w.Message) {
					t.Errorf("problem %d message %q does not contain %q", i, p.Message, w.Message)
				}
			}
		})
	}
}

// Positions point into the text as given, so the UI can highlight what the user typed even
// when the network counts a normalised form.
func TestTooLongSpanInOriginalText(t *testing.T) {
	text := strings.Repeat(cafeNFD+" ", 60) // 300 runes as given, 240 after NFC
	r, _ := ForNetwork("x")
	res := Check(r, Content{Text: text})
	if res.Length != 300 {
		// NFC: "café " is 5 characters, all weight 1.
		t.Fatalf("length %d, want 300", res.Length)
	}
	p := res.Problems[0]
	runes := []rune(text)
	if p.End != len(runes) {
		t.Errorf("End = %d, want %d", p.End, len(runes))
	}
	// 56 "café " fit exactly (280); the overflow starts at the 57th, rune 56*6 as given.
	if p.Start != 56*6 {
		t.Errorf("Start = %d, want %d", p.Start, 56*6)
	}
}

func TestCheckZeroRules(t *testing.T) {
	res := Check(Rules{}, Content{Text: "anything at all"})
	if !res.OK || res.Length != 15 || res.Limit != 0 || res.Problems == nil {
		t.Errorf("zero rules: %+v", res)
	}
	res = Check(Rules{}, Content{})
	if res.OK || len(res.Problems) != 1 || res.Problems[0].Code != CodeEmpty {
		t.Errorf("zero rules, empty post: %+v", res)
	}
}

func TestCheckAll(t *testing.T) {
	got, err := CheckAll([]string{"x", " Bluesky ", "x"}, Content{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["x"].Length != 5 || got["bluesky"].Length != 5 || !got["x"].OK {
		t.Errorf("CheckAll = %+v", got)
	}

	got, err = CheckAll([]string{"x", "myspace", "friendster"}, Content{Text: "hello"})
	var unknown *UnknownNetworkError
	if got != nil || !errors.As(err, &unknown) || !reflect.DeepEqual(unknown.Names, []string{"friendster", "myspace"}) {
		t.Errorf("CheckAll with unknown networks = %v, %v", got, err)
	}
	if err.Error() != "unknown network: friendster, myspace" {
		t.Errorf("error text %q", err.Error())
	}

	all, err := CheckAll(Networks(), Content{Text: "hello", Media: []Media{img("image/jpeg", 1000)}})
	if err != nil || len(all) != len(Networks()) {
		t.Fatalf("CheckAll(Networks()) = %d results, %v", len(all), err)
	}
}

func TestNetworks(t *testing.T) {
	want := []string{"bluesky", "discord", "facebook", "instagram", "linkedin", "mastodon", "sandbox", "slack", "telegram", "threads", "x"}
	if got := Networks(); !reflect.DeepEqual(got, want) {
		t.Errorf("Networks() = %v, want %v", got, want)
	}
	for _, name := range want {
		r, ok := ForNetwork(name)
		if !ok || r.Network != name || r.Name == "" || r.MaxLength <= 0 || r.Counter == nil {
			t.Errorf("ForNetwork(%q) = %+v, %v", name, r, ok)
		}
	}
	if _, ok := ForNetwork("myspace"); ok {
		t.Error("ForNetwork(myspace) found rules")
	}
}

// ForNetwork hands out copies: a caller adapting rules must not change them for everyone.
func TestForNetworkCopies(t *testing.T) {
	r, _ := ForNetwork("x")
	r.MaxLength = 1
	r.AllowedMIME[KindImage][0] = "image/x-nope"
	r.AllowedMIME[KindVideo] = nil
	r.SoloKinds[0] = KindImage

	again, _ := ForNetwork("X")
	if again.MaxLength != 280 || again.AllowedMIME[KindImage][0] != "image/jpeg" ||
		again.AllowedMIME[KindVideo] == nil || !slices.Contains(again.SoloKinds, KindVideo) {
		t.Errorf("built-in rules changed through a copy: %+v", again)
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		n, limit int64
		want     string
	}{
		{5 * miB, 5 * miB, "5 MB"},
		{5*miB + 1, 5 * miB, "5.01 MB"},
		{2_000_000, 2_000_000, "2 MB"},
		{123_456_789, 300_000_000, "123.5 MB"},
		{1000, 2_000_000, "1,000 bytes"},
	}
	for _, tt := range tests {
		if got := size(tt.n, tt.limit); got != tt.want {
			t.Errorf("size(%d, %d) = %q, want %q", tt.n, tt.limit, got, tt.want)
		}
	}
	if got := duration(3725); got != "1:02:05" {
		t.Errorf("duration(3725) = %q", got)
	}
	if got := number(-1234567); got != "-1,234,567" {
		t.Errorf("number = %q", got)
	}
}

// CheckAll shares counts and overflow points between networks; it must agree with Check.
func TestCheckAllMatchesCheck(t *testing.T) {
	for _, text := range []string{mixedText(3000), mixedText(290), strings.Repeat(cafeNFD, 700)} {
		c := Content{Text: text, Media: []Media{img("image/jpeg", 1000)}, FirstComment: "#a @b"}
		all, err := CheckAll(Networks(), c)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range Networks() {
			r, _ := ForNetwork(name)
			if want := Check(r, c); !reflect.DeepEqual(all[name], want) {
				t.Errorf("%s: CheckAll gave %+v, Check gave %+v", name, all[name], want)
			}
		}
	}
}

func TestThreads(t *testing.T) {
	x, _ := ForNetwork("x")
	li, _ := ForNetwork("linkedin")
	long := strings.Repeat("a", 281)
	parts := func(texts ...string) []Part {
		out := make([]Part, len(texts))
		for i, s := range texts {
			out[i] = Part{Text: s}
		}
		return out
	}
	// Each later part is checked like a post, its problems named after it.
	res := Check(x, Content{Text: "1/3 Opening", Thread: parts("2/3 fine", long)})
	if res.OK || len(res.Problems) != 1 || res.Problems[0].Field != "thread[1].text" || res.Problems[0].Code != CodeTooLong {
		t.Errorf("x thread: %+v", res)
	}
	res = Check(x, Content{Text: "1/2", Thread: []Part{{Text: "", Media: nil}}})
	if res.OK || res.Problems[0].Field != "thread[0].text" || res.Problems[0].Code != CodeEmpty {
		t.Errorf("empty part: %+v", res)
	}
	// Networks without threads say so once, for the thread as a whole.
	res = Check(li, Content{Text: "Hello", Thread: parts("more", "and more")})
	if res.OK || len(res.Problems) != 1 || res.Problems[0].Code != CodeThreadUnsupported || res.Problems[0].Field != "thread" {
		t.Errorf("linkedin thread: %+v", res)
	}
	many := make([]string, 25)
	for i := range many {
		many[i] = "part"
	}
	res = Check(x, Content{Text: "first", Thread: parts(many...)})
	if res.OK || res.Problems[0].Code != CodeThreadTooLong || !strings.Contains(res.Problems[0].Message, "26 of 25") {
		t.Errorf("26 parts: %+v", res)
	}
	if res := Check(x, Content{Text: "first", Thread: parts(many[:24]...)}); !res.OK {
		t.Errorf("25 parts: %+v", res)
	}
}
