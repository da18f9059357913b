package voice

import (
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// An emoji is counted per grapheme cluster, as a reader sees it: 👍🏽, 🇫🇷, 👩‍👩‍👧 and 1️⃣ are
// one emoji each. A cluster is an emoji when it starts with a pictograph that is shown as an
// emoji by default (most of U+1F000–U+1FAFF and the few older symbols listed below), when it asks
// for emoji presentation with U+FE0F, when it is a flag (two regional indicators) or a keycap.
// Text symbols such as ©, ™ or ↔ without U+FE0F are not emoji.

// defaultEmojiBMP lists the characters below U+1F000 that are shown as emoji without U+FE0F
// (Unicode's Emoji_Presentation property), as ranges.
var defaultEmojiBMP = [][2]rune{
	{0x231A, 0x231B}, {0x23E9, 0x23EC}, {0x23F0, 0x23F0}, {0x23F3, 0x23F3}, {0x25FD, 0x25FE},
	{0x2614, 0x2615}, {0x2648, 0x2653}, {0x267F, 0x267F}, {0x2693, 0x2693}, {0x26A1, 0x26A1},
	{0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26CE, 0x26CE}, {0x26D4, 0x26D4},
	{0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5}, {0x26FA, 0x26FA}, {0x26FD, 0x26FD},
	{0x2705, 0x2705}, {0x270A, 0x270B}, {0x2728, 0x2728}, {0x274C, 0x274C}, {0x274E, 0x274E},
	{0x2753, 0x2755}, {0x2757, 0x2757}, {0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
	{0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55},
}

// textSymbolBMP are the ranges of older symbols that become emoji with U+FE0F (arrows,
// dingbats, miscellaneous symbols, ©, ®, ‼, ⁉, ™, ℹ, Ⓜ, ▪…).
var textSymbolBMP = [][2]rune{
	{0x00A9, 0x00A9}, {0x00AE, 0x00AE}, {0x203C, 0x203C}, {0x2049, 0x2049}, {0x2122, 0x2122},
	{0x2139, 0x2139}, {0x2194, 0x21AA}, {0x2300, 0x23FF}, {0x24C2, 0x24C2}, {0x25AA, 0x25FE},
	{0x2600, 0x27BF}, {0x2934, 0x2935}, {0x2B05, 0x2B55}, {0x3030, 0x3030}, {0x303D, 0x303D},
	{0x3297, 0x3297}, {0x3299, 0x3299},
}

func inRanges(r rune, ranges [][2]rune) bool {
	for _, rg := range ranges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
func isSkinTone(r rune) bool          { return r >= 0x1F3FB && r <= 0x1F3FF }

// isEmoji reports whether one grapheme cluster is an emoji.
func isEmoji(cluster string) bool {
	r, w := utf8.DecodeRuneInString(cluster)
	if r == utf8.RuneError {
		return false
	}
	rest := cluster[w:]
	switch {
	case isRegionalIndicator(r):
		r2, _ := utf8.DecodeRuneInString(rest)
		return isRegionalIndicator(r2)
	case r >= 0x1F000 && r <= 0x1FAFF:
		// Skin-tone modifiers alone, and the few text-default pictographs up here (🌡, 🖥…), are
		// still shown as emoji by every platform the networks run on.
		return true
	case (r >= '0' && r <= '9') || r == '#' || r == '*':
		return strings.HasSuffix(rest, "\u20E3")
	case inRanges(r, defaultEmojiBMP):
		return !strings.HasPrefix(rest, "\uFE0E")
	case inRanges(r, textSymbolBMP):
		return strings.ContainsRune(rest, 0xFE0F)
	}
	return false
}

// emojiKey is the form banned emoji are compared in: without presentation selectors and skin
// tones, so banning 👎 bans 👎🏽 too. ok is false when s is not exactly one emoji.
func emojiKey(s string) (string, bool) {
	s = strings.TrimSpace(s)
	cluster, rest, _, _ := uniseg.FirstGraphemeClusterInString(s, -1)
	if cluster == "" || rest != "" || !isEmoji(cluster) {
		return "", false
	}
	var b strings.Builder
	for _, r := range cluster {
		if r == 0xFE0F || r == 0xFE0E || isSkinTone(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// emojiSpan is an emoji in a text.
type emojiSpan struct {
	start, end int
	key        string
}

// emojis returns the emoji of d in order.
func (d *doc) emojis() []emojiSpan {
	var out []emojiSpan
	for i := 0; i+1 < len(d.bounds); i++ {
		s, e := d.bounds[i], d.bounds[i+1]
		c := d.text[s:e]
		if c[0] < utf8.RuneSelf && (c[0] < '0' || c[0] > '9') && c[0] != '#' && c[0] != '*' {
			continue // the common case: plain ASCII
		}
		if isEmoji(c) {
			k, _ := emojiKey(c)
			out = append(out, emojiSpan{start: s, end: e, key: k})
		}
	}
	return out
}
