package content

import (
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	familyEmoji = "👨\u200d👩\u200d👧\u200d👦" // man, woman, girl, boy joined by ZWJ
	flagFR      = "🇫🇷"
	thumbTone   = "👍🏽"
	cafeNFC     = "caf\u00e9"
	cafeNFD     = "cafe\u0301"
)

func TestXWeighted(t *testing.T) {
	longURL := "https://example.com/" + strings.Repeat("a", 80)
	if n := utf8.RuneCountInString(longURL); n != 100 {
		t.Fatalf("test URL has %d runes, want 100", n)
	}
	cjk := "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。遥知兄弟登高处，遍插茱萸少一人。"
	kana := strings.Repeat("あいうえおかきくけこ", 12) + " http://" + strings.Repeat("あいうえおかきくけこ", 5)
	tests := []struct {
		name string
		text string
		want int
	}{
		{"ascii", "hello", 5},
		{"empty", "", 0},
		{"280 a", strings.Repeat("a", 280), 280},
		{"281 a", strings.Repeat("a", 281), 281},
		{"140 CJK", strings.Repeat("日", 140), 280},
		{"141 CJK", strings.Repeat("日", 141), 282},
		{"ZWJ familyEmoji", familyEmoji, 2},
		{"flag", flagFR, 2},
		{"skin tone", thumbTone, 2},
		{"100-char URL", longURL, 23},
		{"URL in text", "read " + longURL + " now", 5 + 23 + 4},
		{"café composed", cafeNFC, 4},
		{"café decomposed", cafeNFD, 4},
		{"Arabic", "مرحبا", 5},
		{"Cyrillic", "привет", 6},
		{"keycap", "1\ufe0f\u20e3", 2},
		{"heart with VS16", "\u2764\ufe0f", 2},
		{"copyright as text", "©", 1},
		{"copyright as emoji", "©\ufe0f", 2},
		{"stray VS16", "a\ufe0f", 3},
		{"trailing ZWJ", "👍\u200d", 3},
		// twitter-text conformance suite (conformance/validate.yml, weighted with discounted emoji).
		{"conformance: url", "Hi http://test.co", 26},
		{"conformance: bare url", "test.com", 23},
		{"conformance: several urls", "Test https://test.com test https://test.com test.com test", 86},
		{"conformance: 160 CJK", cjk, 320},
		{"conformance: 3 latin + 160 CJK", "the" + cjk, 323},
		{"conformance: 160 emoji", strings.Repeat("😷", 160), 320},
		{"conformance: mixed", "H🐱☺" + familyEmoji, 7},
		{"conformance: BMP emoji", "😷👾😡🔥💩", 10},
		{"conformance: skin tone and ZWJ", "🙋🏽👨\u200d🎤", 4},
		{"conformance: Unicode 10 emoji", "Unicode 10.0 emoji: 🤪; 🧕; 🧕🏾; 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", 34},
		{"conformance: Unicode 9 emoji", "Unicode 9.0 emoji: 🤠; 💃; 💃🏾", 29},
		{"conformance: general punctuation", "This is a tweet with general punctuation characters: \u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u200B ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷", 110},
		{"conformance: 64-char label is no link", "randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68},
		{"conformance: IDN label too long once encoded", kana + "あいう.com", 358},
		{"conformance: IDN label fits once encoded", kana + "あい.com", 264},
		{"conformance: invalid characters", "ABC\u202A\uFFFFABC\uFFFE", 12},
		{"conformance: directional marks", "\u2066\u202Ahttp://foobar.پاکستان/\u202C\u2069", 31},
		{"conformance: 140 families", strings.Repeat(familyEmoji, 140), 280},
		{"conformance: url mid-text", "285 chars- http://www.twitter.com/jack " + strings.Repeat("xxxxxxxxxx-", 24), 299},
	}
	for _, tt := range tests {
		if got := XWeighted.Count(tt.text); got != tt.want {
			t.Errorf("%s: XWeighted.Count(%q) = %d, want %d", tt.name, tt.text, got, tt.want)
		}
	}
}

func TestGraphemes(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"hello", 5},
		{familyEmoji, 1},
		{cafeNFD, 4},
		{cafeNFC, 4},
		{flagFR + thumbTone, 2},
		{"\u1100\u1161\u11A8", 1}, // a Hangul syllable typed as jamo
		{"", 0},
	}
	for _, tt := range tests {
		if got := Graphemes.Count(tt.text); got != tt.want {
			t.Errorf("Graphemes.Count(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestChars(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"hello", 5},
		{cafeNFD, 4},
		{familyEmoji, 7},
		{"日本", 2},
		{"", 0},
	}
	for _, tt := range tests {
		if got := Chars.Count(tt.text); got != tt.want {
			t.Errorf("Chars.Count(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestMastodonCounter(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"hello", 5},
		{"@alice@example.social", 6},
		{"hi @alice@example.social!", 3 + 6 + 1},
		{"@alice", 6},
		{"@bob.smith-jr@mastodon.example.org", len("@bob.smith-jr")},
		{"mail me at alice@example.social", 31}, // an address is not a mention
		{"https://example.com/" + strings.Repeat("x", 100), 23},
		{"see https://example.com/path.", 4 + 23 + 1},
		{"example.com", 11}, // no scheme, no shortening
		{"https://mastodon.social/@alice", 23},
		{familyEmoji, 1},
		{cafeNFD, 4},
		{"   ", 0},
	}
	for _, tt := range tests {
		if got := MastodonCounter.Count(tt.text); got != tt.want {
			t.Errorf("MastodonCounter.Count(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

func TestOverflow(t *testing.T) {
	tests := []struct {
		name    string
		counter Counter
		text    string
		limit   int
		want    int
	}{
		{"fits", XWeighted, strings.Repeat("a", 280), 280, -1},
		{"one over", XWeighted, strings.Repeat("a", 281), 280, 280},
		{"CJK", XWeighted, strings.Repeat("日", 141), 280, 140},
		// The link would take the count from 270 to 293: it overflows from its first rune.
		{"link", XWeighted, strings.Repeat("a", 269) + " https://example.com", 280, 270},
		// A decomposed é before the limit: the 281st unit is rune 280 of the normalised text
		// but rune 281 of the text as given.
		{"normalised", XWeighted, cafeNFD + strings.Repeat("a", 280), 280, 281},
		{"emoji", Graphemes, strings.Repeat(familyEmoji, 301), 300, 300 * 7},
		// The 11th character is the third "f"; each "cafe\u0301" is 5 runes as given.
		{"chars NFD", Chars, strings.Repeat(cafeNFD, 3), 10, 12},
		{"mastodon link", MastodonCounter, strings.Repeat("a", 480) + " https://example.com", 500, 481},
	}
	for _, tt := range tests {
		if got := tt.counter.Overflow(tt.text, tt.limit); got != tt.want {
			t.Errorf("%s: Overflow = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestToNFCPositions(t *testing.T) {
	// "e\u0301" composes to one rune that maps back to both original runes.
	n := toNFC("ae\u0301b", true)
	if n.s != "aéb" {
		t.Fatalf("toNFC = %q", n.s)
	}
	for i, want := range [][2]int{{0, 1}, {1, 3}, {3, 4}} {
		if s, e := n.span(i, i+1); s != want[0] || e != want[1] {
			t.Errorf("span(%d) = %d,%d, want %d,%d", i, s, e, want[0], want[1])
		}
	}
	// Singletons that normalise to a different code point keep a one-to-one map.
	n = toNFC("\u212Bx", true) // ANGSTROM SIGN → Å
	if s, e := n.span(1, 2); s != 1 || e != 2 {
		t.Errorf("span after singleton = %d,%d, want 1,2", s, e)
	}
}
