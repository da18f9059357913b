package content

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// Hashtags and mentions, for the networks that limit how many a post may carry (Instagram: 30
// hashtags, 20 mentions), and Mastodon's remote mentions, which count as their local part.

// Entity is a hashtag or mention found in a text, as rune offsets into the text as given.
type Entity struct {
	// Text is the entity as written, with its "#" or "@".
	Text string
	// Start and End bound the entity: []rune(text)[Start:End] == Text.
	Start, End int
}

// Hashtags returns the hashtags in text, in order. A hashtag is "#" (or the full-width "＃")
// followed by letters, combining marks, digits, "_" and the joiners some scripts need (ZWJ,
// ZWNJ, middle dot), with at least one letter or mark: "#2024" is not a hashtag, "#1st" is. It
// must not follow a letter, digit, "_" or "&" (so "C#", "a#b" and "&#39;" are not hashtags), nor
// be followed by another "#" or by "://", and it is never part of a link: the fragment of
// https://example.com/#top is not a hashtag. These are the rules of twitter-text, which the other
// networks approximate.
func Hashtags(text string) []Entity {
	var out []Entity
	forEachMarker(text, "#＃", func(b, ri int, prev rune) int {
		if isTagChar(prev) || prev == '&' {
			return 0
		}
		_, m := utf8.DecodeRuneInString(text[b:])
		p := b + m
		alpha := false
		for p < len(text) {
			r, w := utf8.DecodeRuneInString(text[p:])
			if !isTagChar(r) {
				break
			}
			if unicode.IsLetter(r) || unicode.IsMark(r) {
				alpha = true
			}
			p += w
		}
		if !alpha {
			return 0
		}
		if rest := text[p:]; strings.HasPrefix(rest, "#") || strings.HasPrefix(rest, "＃") || strings.HasPrefix(rest, "://") {
			return 0
		}
		out = append(out, Entity{Text: text[b:p], Start: ri, End: ri + utf8.RuneCountInString(text[b:p])})
		return p
	})
	return out
}

// isTagChar reports whether r may continue a hashtag: letters, marks, digits, and the joiners
// and punctuation that are part of words in some scripts (twitter-text hashtagSpecialChars: ZWNJ
// and ZWJ, Hebrew maqaf and geresh, Japanese wave dashes and middle dots, the Tibetan tsheg…).
func isTagChar(r rune) bool {
	if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) {
		return true
	}
	switch r {
	case '_', 0x200C, 0x200D, 0xA67E, 0x05BE, 0x05F3, 0x05F4, 0xFF5E, 0x301C, 0x309B, 0x309C,
		0x30A0, 0x30FB, 0x3003, 0x0F0B, 0x0F0C, 0x00B7:
		return true
	}
	return false
}

// Mentions returns the mentions in text, in order. A mention is "@" (or "＠") followed by a
// handle of ASCII letters, digits, "_" and inner dots (Instagram allows dots; trailing dots are
// punctuation), optionally followed by "@" and a domain for accounts on other servers
// ("@alice@example.social"). It must not follow a letter, a digit or one of _!#$%&*@, so e-mail
// addresses are not mentions, and it is never part of a link.
func Mentions(text string) []Entity {
	var out []Entity
	forEachMarker(text, "@＠", func(b, ri int, prev rune) int {
		if unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev >= 0 && strings.ContainsRune("_!#$%&*@＠", prev) {
			return 0
		}
		_, m := utf8.DecodeRuneInString(text[b:])
		p := b + m
		q := p
		for q < len(text) && (isHandleByte(text[q]) || text[q] == '.') {
			q++
		}
		for q > p && text[q-1] == '.' {
			q--
		}
		if q == p || text[p] == '.' {
			return 0
		}
		if strings.HasPrefix(text[q:], "://") {
			return 0
		}
		if q < len(text) && text[q] == '@' {
			if e := domainAfterAt(text, q+1); e > 0 {
				q = e
			}
		}
		out = append(out, Entity{Text: text[b:q], Start: ri, End: ri + utf8.RuneCountInString(text[b:q])})
		return q
	})
	return out
}

func isHandleByte(c byte) bool { return isASCIIAlnum(rune(c)) || c == '_' }

// isWordChar is Ruby's [[:word:]], which Mastodon's mention pattern uses: letters, marks, digits
// and connector punctuation such as "_".
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || unicode.Is(unicode.Pc, r)
}

// domainAfterAt returns the end of a domain ([[:word:]]+ ([.-]+ [[:word:]]+)*) starting at p, or 0.
func domainAfterAt(text string, p int) int {
	end := 0
	q := p
	for {
		start := q
		for q < len(text) {
			r, w := utf8.DecodeRuneInString(text[q:])
			if !isWordChar(r) {
				break
			}
			q += w
		}
		if q == start {
			return end
		}
		end = q
		sep := q
		for sep < len(text) && (text[sep] == '.' || text[sep] == '-') {
			sep++
		}
		if sep == q {
			return end
		}
		q = sep
	}
}

// forEachMarker calls match for each occurrence of one of the marker runes in text outside
// links, with its byte offset, rune offset and the rune before it (-1 at the start). match
// returns the byte offset after the entity it found, or 0 for none.
func forEachMarker(text, markers string, match func(b, ri int, prev rune) int) {
	if !strings.ContainsAny(text, markers) {
		return
	}
	links := findLinks(text, &mastodonLinks)
	prev := rune(-1)
	ri := 0
	for b := 0; b < len(text); {
		if len(links) > 0 && b >= links[0].start {
			end := links[0].end
			ri += utf8.RuneCountInString(text[b:end])
			prev, _ = utf8.DecodeLastRuneInString(text[:end])
			b = end
			links = links[1:]
			continue
		}
		r, w := utf8.DecodeRuneInString(text[b:])
		if strings.ContainsRune(markers, r) {
			if e := match(b, ri, prev); e > b {
				ri += utf8.RuneCountInString(text[b:e])
				prev, _ = utf8.DecodeLastRuneInString(text[:e])
				b = e
				continue
			}
		}
		prev = r
		b += w
		ri++
	}
}

// mastodonMention matches Mastodon's Account::MENTION_RE at b ("@" already seen): a username of
// [a-z0-9_]+ with inner runs of "." or "-", then optionally "@" and a domain. It returns the end
// of the mention and of its local part "@username", or 0, 0.
func mastodonMention(text string, b int, prev rune) (end, local int) {
	if prev >= 0 && (prev == '=' || prev == '/' || isWordChar(prev)) {
		return 0, 0
	}
	q := b + 1
	for q < len(text) && isHandleByte(text[q]) {
		q++
	}
	if q == b+1 {
		return 0, 0
	}
	for {
		sep := q
		for sep < len(text) && (text[sep] == '.' || text[sep] == '-') {
			sep++
		}
		if sep == q {
			break
		}
		e := sep
		for e < len(text) && isHandleByte(text[e]) {
			e++
		}
		if e == sep {
			break
		}
		q = e
	}
	local = q
	end = q
	if q < len(text) && text[q] == '@' {
		if e := domainAfterAt(text, q+1); e > 0 {
			end = e
		}
	}
	return end, local
}

// walkMastodon yields Mastodon's counting units (see MastodonCounter) over text as given.
func walkMastodon(text string, _ bool, yield func(start, end, weight int) bool) {
	// Mastodon counts a blank status as empty.
	if strings.TrimSpace(text) == "" {
		return
	}
	type entity struct {
		span
		weight int
	}
	var ents []entity
	for _, l := range findLinks(text, &mastodonLinks) {
		ents = append(ents, entity{l, xLinkWeight})
	}
	if strings.Contains(text, "@") {
		prev := rune(-1)
		for b := 0; b < len(text); {
			r, w := utf8.DecodeRuneInString(text[b:])
			if r == '@' {
				if end, local := mastodonMention(text, b, prev); end > 0 {
					ents = append(ents, entity{span{b, end}, uniseg.GraphemeClusterCount(text[b:local])})
					prev, _ = utf8.DecodeLastRuneInString(text[:end])
					b = end
					continue
				}
			}
			prev = r
			b += w
		}
		// Links win over mentions that overlap them, as in Extractor.remove_overlapping_entities.
		sort.SliceStable(ents, func(i, j int) bool { return ents[i].start < ents[j].start })
		kept := ents[:0]
		for _, e := range ents {
			if len(kept) > 0 && e.start < kept[len(kept)-1].end {
				continue
			}
			kept = append(kept, e)
		}
		ents = kept
	}
	ri := 0
	emit := func(from, to int) bool { // graphemes of text[from:to]
		return eachGrapheme(text[from:to], func(n int) bool {
			ri += n
			return yield(ri-n, ri, 1)
		})
	}
	b := 0
	for _, e := range ents {
		if !emit(b, e.start) {
			return
		}
		n := utf8.RuneCountInString(text[e.start:e.end])
		if !yield(ri, ri+n, e.weight) {
			return
		}
		ri += n
		b = e.end
	}
	emit(b, len(text))
}
