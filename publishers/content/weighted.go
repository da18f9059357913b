package content

import (
	"unicode"
	"unicode/utf8"
)

// twitter-text v3 configuration: weights are in hundredths (scale 100). Every weight it uses is a
// whole multiple of the scale, so this package counts in whole units directly.
const (
	xLinkWeight    = 23 // transformedURLLength
	xEmojiWeight   = 2  // defaultWeight / scale, for a whole emoji sequence
	xDefaultWeight = 2  // defaultWeight / scale
	xLightWeight   = 1  // weight of the ranges below / scale
)

// xWeight returns the weight of one code point outside links and emoji sequences. The light
// ranges are Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts and more (U+0000–U+10FF),
// and the spaces, dashes, quotes and primes of General Punctuation; everything else, including
// CJK, counts double.
func xWeight(r rune) int {
	switch {
	case r <= 0x10FF,
		r >= 0x2000 && r <= 0x200D,
		r >= 0x2010 && r <= 0x201F,
		r >= 0x2032 && r <= 0x2037:
		return xLightWeight
	}
	return xDefaultWeight
}

// walkX yields X's counting units: links (23), emoji sequences (2) and single code points (1 or
// 2), over the NFC form of text, with positions in text as given.
func walkX(text string, positions bool, yield func(start, end, weight int) bool) {
	t := toNFC(text, positions)
	s := t.s
	links := findLinks(s, &xLinks)
	ri := 0 // rune index in s
	for p := 0; p < len(s); {
		var (
			size   int // bytes in this unit
			weight int
		)
		switch {
		case len(links) > 0 && links[0].start == p:
			size, weight = links[0].end-p, xLinkWeight
			links = links[1:]
		default:
			if n := emojiSequence(s[p:]); n > 0 {
				size, weight = n, xEmojiWeight
			} else {
				r, n := utf8.DecodeRuneInString(s[p:])
				size, weight = n, xWeight(r)
			}
		}
		runes := utf8.RuneCountInString(s[p : p+size])
		start, end := t.span(ri, ri+runes)
		if !yield(start, end, weight) {
			return
		}
		p += size
		ri += runes
	}
}

// Code points that build emoji sequences (Unicode Technical Standard #51).
const (
	zwj          = 0x200D // joins emoji into one ZWJ sequence
	vs16         = 0xFE0F // asks for emoji presentation
	keycapMark   = 0x20E3 // combining enclosing keycap
	modifierLow  = 0x1F3FB
	modifierHigh = 0x1F3FF // skin tones
	tagLow       = 0xE0020
	tagHigh      = 0xE007E // tag characters of subdivision flags
	tagCancel    = 0xE007F
	riLow        = 0x1F1E6
	riHigh       = 0x1F1FF // regional indicators, paired into flags
)

// emojiSequence returns the length in bytes of the emoji sequence at the start of s, or 0.
//
// It follows the structure of UTS #51 rather than a fixed list of sequences, so emoji newer than
// twitter-text's own table (Unicode 11) still count as one unit, as X's composer counts them.
// Two choices keep it in line with twitter-text where the weight would otherwise differ: © and
// ® (which weigh 1 as plain text) are emoji only when followed by U+FE0F, and a stray U+FE0F
// counts 2 on its own (it is outside the light ranges, and twitter-text matches it as an emoji).
func emojiSequence(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	switch {
	case r < 0x80:
		return keycap(s)
	case r >= riLow && r <= riHigh:
		// A flag is two regional indicators; a lone one still weighs 2 as any astral code point.
		if r2, n2 := utf8.DecodeRuneInString(s[n:]); r2 >= riLow && r2 <= riHigh {
			return n + n2
		}
		return n
	}
	end := emojiElement(s, 0)
	if end == 0 {
		return 0
	}
	// ZWJ sequence: element (ZWJ element)*. A trailing ZWJ is not part of it.
	for {
		r, n := utf8.DecodeRuneInString(s[end:])
		if r != zwj {
			break
		}
		next := emojiElement(s, end+n)
		if next == 0 {
			break
		}
		end = next
	}
	return end
}

// keycap returns the length of a keycap sequence ([0-9#*] U+FE0F? U+20E3) at the start of s, or 0.
func keycap(s string) int {
	if len(s) == 0 {
		return 0
	}
	c := s[0]
	if !(c >= '0' && c <= '9' || c == '#' || c == '*') {
		return 0
	}
	p := 1
	if r, n := utf8.DecodeRuneInString(s[p:]); r == vs16 {
		p += n
	}
	if r, n := utf8.DecodeRuneInString(s[p:]); r == keycapMark {
		return p + n
	}
	return 0
}

// emojiElement returns the end (byte offset into s) of one emoji element starting at p: a
// pictographic code point with an optional presentation selector, skin tone, or tag sequence.
// It returns 0 when there is no element at p.
func emojiElement(s string, p int) int {
	r, n := utf8.DecodeRuneInString(s[p:])
	if r == utf8.RuneError || !unicode.Is(extendedPictographic, r) {
		return 0
	}
	end := p + n
	next, nn := utf8.DecodeRuneInString(s[end:])
	switch {
	case next == vs16:
		return end + nn
	case r == 0xA9 || r == 0xAE:
		// © and ® are text by default; only their emoji presentation is an emoji.
		return 0
	case next >= modifierLow && next <= modifierHigh:
		return end + nn
	case next >= tagLow && next <= tagHigh:
		q := end
		for {
			t, tn := utf8.DecodeRuneInString(s[q:])
			if t >= tagLow && t <= tagHigh {
				q += tn
				continue
			}
			if t == tagCancel {
				return q + tn
			}
			break
		}
	}
	return end
}

// extendedPictographic is the Extended_Pictographic property of Unicode 15 (emoji-data.txt),
// merged into ranges. Go's unicode package does not carry emoji properties.
var extendedPictographic = &unicode.RangeTable{
	R16: []unicode.Range16{
		{0x00A9, 0x00A9, 1}, {0x00AE, 0x00AE, 1}, {0x203C, 0x203C, 1}, {0x2049, 0x2049, 1},
		{0x2122, 0x2122, 1}, {0x2139, 0x2139, 1}, {0x2194, 0x2199, 1}, {0x21A9, 0x21AA, 1},
		{0x231A, 0x231B, 1}, {0x2328, 0x2328, 1}, {0x2388, 0x2388, 1}, {0x23CF, 0x23CF, 1},
		{0x23E9, 0x23F3, 1}, {0x23F8, 0x23FA, 1}, {0x24C2, 0x24C2, 1}, {0x25AA, 0x25AB, 1},
		{0x25B6, 0x25B6, 1}, {0x25C0, 0x25C0, 1}, {0x25FB, 0x25FE, 1}, {0x2600, 0x2605, 1},
		{0x2607, 0x2612, 1}, {0x2614, 0x2685, 1}, {0x2690, 0x2705, 1}, {0x2708, 0x2712, 1},
		{0x2714, 0x2714, 1}, {0x2716, 0x2716, 1}, {0x271D, 0x271D, 1}, {0x2721, 0x2721, 1},
		{0x2728, 0x2728, 1}, {0x2733, 0x2734, 1}, {0x2744, 0x2744, 1}, {0x2747, 0x2747, 1},
		{0x274C, 0x274C, 1}, {0x274E, 0x274E, 1}, {0x2753, 0x2755, 1}, {0x2757, 0x2757, 1},
		{0x2763, 0x2767, 1}, {0x2795, 0x2797, 1}, {0x27A1, 0x27A1, 1}, {0x27B0, 0x27B0, 1},
		{0x27BF, 0x27BF, 1}, {0x2934, 0x2935, 1}, {0x2B05, 0x2B07, 1}, {0x2B1B, 0x2B1C, 1},
		{0x2B50, 0x2B50, 1}, {0x2B55, 0x2B55, 1}, {0x3030, 0x3030, 1}, {0x303D, 0x303D, 1},
		{0x3297, 0x3297, 1}, {0x3299, 0x3299, 1},
	},
	R32: []unicode.Range32{
		{0x1F000, 0x1F0FF, 1}, {0x1F10D, 0x1F10F, 1}, {0x1F12F, 0x1F12F, 1}, {0x1F16C, 0x1F171, 1},
		{0x1F17E, 0x1F17F, 1}, {0x1F18E, 0x1F18E, 1}, {0x1F191, 0x1F19A, 1}, {0x1F1AD, 0x1F1E5, 1},
		{0x1F201, 0x1F20F, 1}, {0x1F21A, 0x1F21A, 1}, {0x1F22F, 0x1F22F, 1}, {0x1F232, 0x1F23A, 1},
		{0x1F23C, 0x1F23F, 1}, {0x1F249, 0x1F3FA, 1}, {0x1F400, 0x1F53D, 1}, {0x1F546, 0x1F64F, 1},
		{0x1F680, 0x1F6FF, 1}, {0x1F774, 0x1F77F, 1}, {0x1F7D5, 0x1F7FF, 1}, {0x1F80C, 0x1F80F, 1},
		{0x1F848, 0x1F84F, 1}, {0x1F85A, 0x1F85F, 1}, {0x1F888, 0x1F88F, 1}, {0x1F8AE, 0x1F8FF, 1},
		{0x1F90C, 0x1F93A, 1}, {0x1F93C, 0x1F945, 1}, {0x1F947, 0x1FAFF, 1}, {0x1FC00, 0x1FFFD, 1},
	},
	LatinOffset: 2,
}
