package content

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCheck asserts, for any text on every built-in network, that Check does not panic, that
// lengths are not negative, and that every position is -1 or lies within the field it is about.
func FuzzCheck(f *testing.F) {
	seeds := []string{
		"", "hello", strings.Repeat("日", 141), familyEmoji + flagFR + thumbTone, cafeNFD,
		"see https://example.com/wiki/Primer_(film). and example.com/x?y=1 #tag @alice@example.social",
		"http://あいうえお.com t.co/abc ＃ｔａｇ ＠user 1\ufe0f\u20e3 ©\ufe0f \ufe0f\u200d",
		"\xff\xfe invalid \xe6\x97 utf-8 \u0301\u0301", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.com/",
		"e\u0301\u0327\u0308 \u1100\u1161\u11a8 \U0001F3F4\U000E0067\U000E0062\U000E007F",
	}
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)], uint8(i))
	}
	f.Fuzz(func(t *testing.T, text, comment string, mediaSeed uint8) {
		var media []Media
		kinds := []MediaKind{KindImage, KindGIF, KindVideo, "other"}
		for i := 0; i < int(mediaSeed%6); i++ {
			media = append(media, Media{
				Kind:        kinds[(int(mediaSeed)+i)%len(kinds)],
				MIME:        []string{"", "image/jpeg", "video/mp4", "image/gif", "text/plain"}[i%5],
				SizeBytes:   int64(mediaSeed) << (i * 5),
				Width:       int(mediaSeed) * (i + 1),
				Height:      int(mediaSeed) + i,
				DurationSec: float64(mediaSeed) * float64(i),
			})
		}
		c := Content{Text: text, FirstComment: comment, Media: media}
		fields := map[string]int{
			"text":          utf8.RuneCountInString(text),
			"first_comment": utf8.RuneCountInString(comment),
		}
		for _, name := range Networks() {
			r, _ := ForNetwork(name)
			res := Check(r, c)
			if res.Length < 0 {
				t.Fatalf("%s: negative length %d", name, res.Length)
			}
			hasError := false
			for _, p := range res.Problems {
				if p.Severity == SeverityError {
					hasError = true
				}
				if p.Start == -1 && p.End == -1 {
					continue
				}
				n, ok := fields[p.Field]
				if !ok {
					t.Fatalf("%s: %s has a span but field %q is not text", name, p.Code, p.Field)
				}
				if p.Start < 0 || p.Start > p.End || p.End > n {
					t.Fatalf("%s: %s span [%d,%d] outside %s of %d runes", name, p.Code, p.Start, p.End, p.Field, n)
				}
			}
			if res.OK == hasError {
				t.Fatalf("%s: OK=%v with error problems=%v", name, res.OK, hasError)
			}
		}
		for _, counter := range []Counter{Chars, Graphemes, XWeighted, MastodonCounter} {
			n := counter.Count(text)
			if n < 0 {
				t.Fatalf("negative count %d", n)
			}
			if at := counter.Overflow(text, n); at != -1 {
				t.Fatalf("Overflow at the text's own length = %d, want -1", at)
			}
			if n > 0 {
				at := counter.Overflow(text, n-1)
				if at < 0 || at > fields["text"] {
					t.Fatalf("Overflow(n-1) = %d outside 0..%d", at, fields["text"])
				}
			}
		}
	})
}
