package bluesky

import (
	"strings"
	"testing"
)

func TestDetectEntities(t *testing.T) {
	type want struct {
		kind entityKind
		text string // the covered text; its byte offsets are found with strings.Index
		val  string
	}
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"plain", "nothing here", nil},
		{"link", "see https://example.com/a?b=c.", []want{{entityLink, "https://example.com/a?b=c", "https://example.com/a?b=c"}}},
		{"link in parentheses", "(https://en.wikipedia.org/wiki/Go_(language)) ok", []want{{entityLink, "https://en.wikipedia.org/wiki/Go_(language)", "https://en.wikipedia.org/wiki/Go_(language)"}}},
		{"link case", "HTTPS://Example.com/X!", []want{{entityLink, "HTTPS://Example.com/X", "HTTPS://Example.com/X"}}},
		{"link after a letter", "xhttps://example.com", nil},
		{"scheme alone", "http:// nothing", nil},
		{"bare domain not linked", "visit example.com", nil},
		{"accents and emoji before", "Café ☕️ 🇫🇷 résumé 👩‍👩‍👧 https://example.org/ça", []want{{entityLink, "https://example.org/ça", "https://example.org/ça"}}},
		{"mention", "hi @Bob-Smith.bsky.social!", []want{{entityMention, "@Bob-Smith.bsky.social", "bob-smith.bsky.social"}}},
		{"mention needs a domain", "hi @bob", nil},
		{"email is not a mention", "mail bob@example.com", nil},
		{"mention trailing dot", "thanks @alice.test.", []want{{entityMention, "@alice.test", "alice.test"}}},
		{"mention numeric tld", "@alice.123", nil},
		{"mention in link", "https://bsky.app/@alice.test", []want{{entityLink, "https://bsky.app/@alice.test", "https://bsky.app/@alice.test"}}},
		{"tag", "#Go is fun", []want{{entityTag, "#Go", "Go"}}},
		{"tag punctuation", "love #golang, really", []want{{entityTag, "#golang", "golang"}}},
		{"tag unicode", "ça #日本語 et #café!", []want{{entityTag, "#日本語", "日本語"}, {entityTag, "#café", "café"}}},
		{"full-width hash", "x ＃タグ y", []want{{entityTag, "＃タグ", "タグ"}}},
		{"numeric tag", "#2024 #1st", []want{{entityTag, "#1st", "1st"}}},
		{"tag after word", "C#sharp", nil},
		{"keycap", "#️⃣ fun", nil},
		{"fragment is not a tag", "https://example.com/#top", []want{{entityLink, "https://example.com/#top", "https://example.com/#top"}}},
		{"all three", "🎉 Ünïcödé @a.test https://x.org #t", []want{
			{entityMention, "@a.test", "a.test"}, {entityLink, "https://x.org", "https://x.org"}, {entityTag, "#t", "t"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := detectEntities(tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("detectEntities(%q) = %+v, want %d entities", tt.text, got, len(tt.want))
			}
			from := 0
			for i, w := range tt.want {
				start := from + strings.Index(tt.text[from:], w.text)
				end := start + len(w.text)
				g := got[i]
				if g.kind != w.kind || g.start != start || g.end != end || g.value != w.val {
					t.Errorf("entity %d = %+v (%q), want kind %d bytes [%d,%d) value %q", i, g, tt.text[g.start:g.end], w.kind, start, end, w.val)
				}
				from = end
			}
		})
	}
}

func TestDetectTagLimits(t *testing.T) {
	long := "#" + strings.Repeat("a", 65)
	if got := detectTags(long); len(got) != 0 {
		t.Errorf("a 65-grapheme tag was detected: %+v", got)
	}
	ok := "#" + strings.Repeat("a", 64)
	if got := detectTags(ok); len(got) != 1 {
		t.Errorf("a 64-grapheme tag was not detected")
	}
}

func FuzzDetectEntities(f *testing.F) {
	for _, s := range []string{"hi @a.test https://x.org/(a) #t", "#️⃣ ＃タグ", "(https://a.b/c)).", "@-a.b @a-.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.ToValidUTF8(s, "\uFFFD") // as buildRecord does
		prev := 0
		for _, e := range detectEntities(s) {
			if e.start < prev || e.end <= e.start || e.end > len(s) {
				t.Fatalf("bad span %+v in %q", e, s)
			}
			if e.end < len(s) && !isBoundary(s, e.end) || !isBoundary(s, e.start) {
				t.Fatalf("span %+v cuts a character in %q", e, s)
			}
			prev = e.end
		}
	})
}

func isBoundary(s string, i int) bool { return i == 0 || i == len(s) || s[i]&0xC0 != 0x80 }
