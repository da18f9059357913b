package content

import (
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// Counter measures a text the way one network counts its length. Networks disagree on what a
// "character" is (code points, grapheme clusters, weighted code points with links at a fixed
// length), and a post that fits by one rule can be rejected by another, so each rule set
// carries its own Counter.
type Counter interface {
	// Count returns the length of text as the network counts it; never negative.
	Count(text string) int
	// Overflow returns the rune offset, in text as given, of the first rune that takes the
	// count past limit, or -1 when the whole text fits. Check reports it as the start of the
	// part that has to go. A unit that counts as a whole (a link, an emoji sequence, a grapheme
	// cluster) overflows from its first rune.
	Overflow(text string, limit int) int
}

// The built-in counters. Each is safe for concurrent use.
var (
	// Chars counts Unicode code points after NFC normalisation, so "é" typed as e + U+0301
	// counts once, as most networks that say "characters" do.
	Chars Counter = &unitCounter{walkChars}

	// Graphemes counts extended grapheme clusters, what a reader sees as one character:
	// "👨‍👩‍👧‍👦" and a decomposed "é" are one each. Bluesky counts this way (maxGraphemes).
	Graphemes Counter = &unitCounter{walkGraphemes}

	// XWeighted counts as X does (twitter-text v3 configuration): the text is NFC-normalised;
	// code points in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 count 1 and
	// all others 2; a whole emoji sequence (ZWJ sequences, skin tones, flags, keycaps, tag
	// sequences) counts 2; a link counts 23 whatever its length. Links are http:// and https://
	// URLs and scheme-less domains ending in a known top-level domain (example.com/path,
	// www.example.org), recognised by the rules of twitter-text's extractor; see links.go.
	XWeighted Counter = &unitCounter{walkX}

	// MastodonCounter counts as Mastodon's StatusLengthValidator does: grapheme clusters of the
	// text as given, where every link with a scheme counts 23 and a mention of a remote account,
	// "@alice@example.social", counts as its local part "@alice". Links without a scheme count
	// character by character, because Mastodon only shortens links it will render as links.
	MastodonCounter Counter = &unitCounter{walkMastodon}
)

// walkFunc calls yield for each counting unit of text, in order, with the unit's span as rune
// offsets into text as given and the unit's weight. It stops when yield returns false. When
// positions is false the caller only sums weights, and the spans may be wrong: normalising
// without tracking where each rune came from is several times faster.
type walkFunc func(text string, positions bool, yield func(start, end, weight int) bool)

// unitCounter turns a walkFunc into a Counter, so that counting and finding the overflow point
// can never disagree about where units begin and what they weigh. The built-in counters are
// pointers so they can be compared: CheckAll reuses a count across networks that share one.
type unitCounter struct{ walk walkFunc }

// Count implements Counter.
func (c *unitCounter) Count(text string) int {
	n := 0
	c.walk(text, false, func(_, _, w int) bool {
		n += w
		return true
	})
	return n
}

// Overflow implements Counter.
func (c *unitCounter) Overflow(text string, limit int) int {
	n, at := 0, -1
	c.walk(text, true, func(start, _, w int) bool {
		n += w
		if n > limit {
			at = start
			return false
		}
		return true
	})
	return at
}

// nfcText is a text in Normalization Form C that remembers where each of its runes came from,
// so that positions computed on the normalised text can be reported in the text the user typed.
type nfcText struct {
	s string
	// from[i] and to[i] bound, in runes of the original, the normalisation segment that
	// produced rune i of s. Both are nil when the text was already in NFC, the usual case, and
	// rune i of s is rune i of the original.
	from, to []int
}

// toNFC normalises text. With positions, it works segment by segment so each output rune can be
// traced back; when a segment changes length (e + U+0301 → é), all its output runes map to the
// whole segment. Without, spans are those of the normalised text.
func toNFC(text string, positions bool) nfcText {
	if norm.NFC.IsNormalString(text) {
		return nfcText{s: text}
	}
	if !positions {
		return nfcText{s: norm.NFC.String(text)}
	}
	var it norm.Iter
	it.InitString(norm.NFC, text)
	var b strings.Builder
	b.Grow(len(text))
	from := make([]int, 0, len(text))
	to := make([]int, 0, len(text))
	orig := 0
	for !it.Done() {
		p0 := it.Pos()
		seg := it.Next()
		p1 := it.Pos()
		in := utf8.RuneCountInString(text[p0:p1])
		out := utf8.RuneCount(seg)
		for k := 0; k < out; k++ {
			if in == out {
				from = append(from, orig+k)
				to = append(to, orig+k+1)
			} else {
				from = append(from, orig)
				to = append(to, orig+in)
			}
		}
		b.Write(seg)
		orig += in
	}
	return nfcText{s: b.String(), from: from, to: to}
}

// span maps the runes [i, j) of the normalised text to a span of the original.
func (t nfcText) span(i, j int) (int, int) {
	if t.from == nil {
		return i, j
	}
	if i >= len(t.from) {
		// Only reachable for an empty unit at the very end; keep it in bounds.
		end := 0
		if len(t.to) > 0 {
			end = t.to[len(t.to)-1]
		}
		return end, end
	}
	end := t.to[i]
	if j > i && j-1 < len(t.to) {
		end = t.to[j-1]
	}
	return t.from[i], end
}

// walkChars yields each code point of the NFC form with weight 1.
func walkChars(text string, positions bool, yield func(start, end, weight int) bool) {
	t := toNFC(text, positions)
	i := 0
	for range t.s {
		s, e := t.span(i, i+1)
		if !yield(s, e, 1) {
			return
		}
		i++
	}
}

// walkGraphemes yields each extended grapheme cluster of text as given with weight 1. Text is
// not normalised: a cluster already holds a base and its combining marks, whatever the form.
func walkGraphemes(text string, _ bool, yield func(start, end, weight int) bool) {
	runes := 0
	eachGrapheme(text, func(n int) bool {
		runes += n
		return yield(runes-n, runes, 1)
	})
}

// eachGrapheme calls fn with the length in runes of each extended grapheme cluster of s, in
// order, and reports false as soon as fn does.
func eachGrapheme(s string, fn func(runes int) bool) bool {
	state := -1
	var cluster string
	for len(s) > 0 {
		cluster, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		if !fn(utf8.RuneCountInString(cluster)) {
			return false
		}
	}
	return true
}
