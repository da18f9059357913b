package content

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Link recognition, for the networks that count a link at a fixed length.
//
// X and Mastodon both decide what is a link with twitter-text's extractor (X in its clients and
// servers, Mastodon through the twitter-text gem with its own path rules), and only what that
// extractor accepts is shortened; anything else counts character by character. A link counted
// as 23 that the network counts in full, or the reverse, makes the counter lie by dozens of
// characters, so this file follows the extractor's rules closely rather than using a generic URL
// pattern:
//
//   - A link must not follow an ASCII letter or digit, "@", "$", "#" (or their full-width forms).
//   - The host is labels separated by dots: the last must be a known top-level domain (tlds.go)
//     or a punycode "xn--" label, followed by anything but an ASCII letter, a digit or "@"; the
//     label before it must not contain "_"; no label may start or end with "-" or "_"; and each
//     label must fit 63 characters once punycode-encoded. Hosts that fail the last test are
//     swallowed without being counted as links, as twitter-text does. IP addresses are not links.
//   - An optional port, path and query follow, with twitter-text's character classes; a path
//     may not end in punctuation such as "." or "," and parentheses must balance, so the period
//     ending a sentence is not part of the link.
//   - X also accepts scheme-less links (example.com/path): the host must then be ASCII (Latin
//     accents allowed) and must not follow "-", "_", "." or "/", and a two-label host on a
//     country-code TLD ("example.de") needs a path, except on .co and .tv ("t.co").
//   - X: https://t.co/ links end after their slug; a slug longer than 40 is not a link.
//
// Known differences: twitter-text's TLD list is older than tlds.go, so a link on a TLD delegated
// since may be shortened here and not by an old client; and Mastodon's xmpp: and magnet: URIs,
// which it also counts as 23, are counted character by character here.

// linkRules is one dialect of the extractor.
type linkRules struct {
	schemes   []string // lower case, each ending in "://"
	bare      bool     // recognise links without a scheme
	tco       bool     // apply X's t.co slug rule
	pathChar  func(r rune) bool
	pathEnd   func(r rune) bool
	queryChar func(r rune) bool
	queryEnd  func(r rune) bool
}

// xLinks is twitter-text's extractor as X uses it.
var xLinks = linkRules{
	schemes:   []string{"http://", "https://"},
	bare:      true,
	tco:       true,
	pathChar:  xPathChar,
	pathEnd:   xPathEnd,
	queryChar: xQueryChar,
	queryEnd:  xQueryEnd,
}

// mastodonLinks is the extractor as Mastodon configures it (config/initializers/twitter_regex.rb):
// more schemes, no scheme-less links, and paths that may hold any non-space character.
var mastodonLinks = linkRules{
	schemes:   []string{"http://", "https://", "dat://", "dweb://", "ipfs://", "ipns://", "ssb://", "gopher://", "gemini://"},
	pathChar:  mastodonPathChar,
	pathEnd:   mastodonPathEnd,
	queryChar: mastodonQueryChar,
	queryEnd:  mastodonQueryEnd,
}

// span is a half-open range of byte offsets.
type span struct{ start, end int }

// findLinks returns the links in s, in order, as byte spans.
func findLinks(s string, lr *linkRules) []span {
	// Every host has a dot; most texts without one can be skipped outright.
	if !strings.Contains(s, ".") {
		return nil
	}
	var links []span
	prev := rune(-1)  // the rune before i; -1 at the start of the text
	noHostUntil := -1 // positions before this cannot start a scheme-less host (see matchHost)
	// In twitter-text the character before a link is part of the match, so the character just
	// after a match cannot start the next one: it is the next match's preceding character.
	afterMatch := false
	for i := 0; i < len(s); {
		if !afterMatch && canPrecedeLink(prev) {
			next, found := lr.matchAt(s, i, prev, i < noHostUntil)
			if next > i {
				links = append(links, found...)
				i = next
				afterMatch = true
				continue
			}
			if next < 0 {
				noHostUntil = -next
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		prev = r
		i += n
		afterMatch = false
	}
	return links
}

// canPrecedeLink reports whether a link may start after r (twitter-text validUrlPrecedingChars).
func canPrecedeLink(r rune) bool {
	switch {
	case r < 0:
		return true
	case r < 0x80:
		return !(isASCIIAlnum(r) || r == '@' || r == '$' || r == '#')
	}
	return r != '＠' && r != '＃' && !isInvalidChar(r)
}

// isInvalidChar reports the code points twitter-text treats as invalid in a post.
func isInvalidChar(r rune) bool { return r == 0xFFFE || r == 0xFEFF || r == 0xFFFF }

// matchAt tries to match a link starting at i. It returns the offset where scanning resumes and
// the links found: a match that is then rejected still consumes its text, as in twitter-text.
// When nothing matches it returns i, or, when none of the labels from i on starts with a TLD,
// the negated end of those labels: a host starting inside them would have the same labels or
// fewer, so the caller skips host attempts up to there and the scan stays linear.
func (lr *linkRules) matchAt(s string, i int, prev rune, skipHost bool) (int, []span) {
	if n := lr.scheme(s[i:]); n > 0 {
		q := i + n
		if hostEnd, st := matchHost(s, q); st == hostOK {
			end, _ := lr.rest(s, hostEnd)
			if !validHost(s[q:hostEnd], n+(end-q)) {
				return end, nil
			}
			if lr.tco {
				if tcoEnd, ok := tcoLink(s, q, hostEnd, end); !ok {
					return end, nil
				} else if tcoEnd > 0 {
					end = tcoEnd
				}
			}
			return end, []span{{i, end}}
		}
	}
	if skipHost {
		return i, nil
	}
	hostEnd, st := matchHost(s, i)
	switch st {
	case hostNoTLD:
		if hostEnd > i {
			return -hostEnd, nil
		}
		return i, nil
	case hostMalformed:
		return i, nil
	}
	end, hasPath := lr.rest(s, hostEnd)
	if !validHost(s[i:hostEnd], len("https://")+(end-i)) {
		return end, nil
	}
	if !lr.bare || prev == '-' || prev == '_' || prev == '.' || prev == '/' {
		return end, nil
	}
	found := asciiHosts(s, i, hostEnd, hasPath)
	if hasPath && len(found) > 0 {
		found[len(found)-1].end = end
	}
	return end, found
}

// scheme returns the length of one of lr's schemes at the start of s, matched without regard to
// case, or 0.
func (lr *linkRules) scheme(s string) int {
	if len(s) == 0 {
		return 0
	}
	switch s[0] | 0x20 {
	case 'h', 'd', 'i', 's', 'g':
	default:
		return 0
	}
	for _, sc := range lr.schemes {
		if len(s) >= len(sc) && strings.EqualFold(s[:len(sc)], sc) {
			return len(sc)
		}
	}
	return 0
}

// tcoLink applies X's rule for its own shortener: the link ends after the slug, and a slug
// longer than 40 characters is not a link. It returns the new end (0 when the host is not t.co)
// and whether the link stands.
func tcoLink(s string, hostStart, hostEnd, end int) (int, bool) {
	if !strings.EqualFold(s[hostStart:hostEnd], "t.co") || hostEnd >= end || s[hostEnd] != '/' {
		return 0, true
	}
	p := hostEnd + 1
	for p < end && isASCIIAlnum(rune(s[p])) {
		p++
	}
	if p == hostEnd+1 {
		return 0, true
	}
	if p-(hostEnd+1) > 40 {
		return 0, false
	}
	return p, true
}

// Outcomes of matchHost.
const (
	hostOK        = iota
	hostNoTLD     // no label ends in a known TLD
	hostMalformed // a TLD was found but the labels before it are not well formed
)

// maxLabels bounds how many labels a host may have. DNS allows 127; the bound keeps each attempt
// short on pathological inputs ("a.a.a.a…").
const maxLabels = 128

// matchHost matches a host (twitter-text validDomain) at q: labels of domain characters with
// inner "-" or "_", separated by dots, the last starting with a known TLD. Subdomains are greedy,
// so the longest host wins. It returns the end of the host, or with hostNoTLD the end of the
// labels it read.
func matchHost(s string, q int) (int, int) {
	type label struct {
		start, end int
		ok         bool // starts and ends with a domain character
		underscore bool
	}
	// Most attempts are ordinary words, one label with no dot after it: the small array keeps
	// them from allocating.
	var small [8]label
	labels := small[:0]
	p := q
	for len(labels) < maxLabels {
		l := label{start: p}
		var first, last rune = -1, -1
		for p < len(s) {
			r, w := utf8.DecodeRuneInString(s[p:])
			if r == '_' {
				l.underscore = true
			} else if r != '-' && !isDomainChar(r) {
				break
			}
			if first < 0 {
				first = r
			}
			last = r
			p += w
		}
		if p == l.start {
			break
		}
		l.end = p
		l.ok = isDomainChar(first) && isDomainChar(last)
		labels = append(labels, l)
		if p < len(s) && s[p] == '.' {
			p++
			continue
		}
		break
	}
	// Labels before the first malformed one may serve as subdomains and domain name.
	n := len(labels)
	wellFormed := 0
	for wellFormed < n && labels[wellFormed].ok {
		wellFormed++
	}
	status := hostNoTLD
	for k := n; k >= 2; k-- {
		last := labels[k-1]
		end := tldAt(s, last.start, last.end)
		if end < 0 {
			continue
		}
		status = hostMalformed
		if k-1 <= wellFormed && !labels[k-2].underscore {
			return end, hostOK
		}
	}
	if status == hostNoTLD && n > 0 {
		return labels[n-1].end, hostNoTLD
	}
	return q, status
}

// isDomainChar reports whether r may appear in a host label: anything but ASCII punctuation,
// white space and the invalid code points (twitter-text validDomainChars). Letters of every
// script qualify, which is how internationalised hosts are matched.
func isDomainChar(r rune) bool {
	if r < 0x80 {
		switch {
		case r <= 0x20, r == 0x7F:
			return false
		case hostPunct.has(r):
			return false
		}
		return true
	}
	switch r {
	case 0x85, 0xA0, 0x1680, 0x180E, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, utf8.RuneError:
		return false
	}
	if r >= 0x2000 && r <= 0x200A {
		return false
	}
	return !isInvalidChar(r)
}

// tldAt returns the end of a known top-level domain starting at p and ending by limit, or -1.
// After the TLD must come the end of the text or a character that is not an ASCII letter, digit
// or "@" (so "example.comx" has no TLD but "example.com-x" does).
func tldAt(s string, p, limit int) int {
	if limit-p > 4 && strings.EqualFold(s[p:p+4], "xn--") {
		q := p + 4
		for q < limit && (isASCIIAlnum(rune(s[q])) || s[q] == '-') {
			q++
		}
		if q > p+4 {
			return q
		}
	}
	if p >= limit {
		return -1
	}
	if s[p] < 0x80 {
		q := p
		for q < limit && isASCIIAlnum(rune(s[q])) {
			q++
		}
		if q > p && tldBoundary(s, q) && knownTLDs().ascii[strings.ToLower(s[p:q])] {
			return q
		}
		return -1
	}
	// Internationalised TLD: try each prefix of the label, longest first.
	ends := make([]int, 0, maxUnicodeTLDRunes)
	for q := p; q < limit && len(ends) < maxUnicodeTLDRunes; {
		_, w := utf8.DecodeRuneInString(s[q:])
		q += w
		ends = append(ends, q)
	}
	for k := len(ends) - 1; k >= 0; k-- {
		q := ends[k]
		if tldBoundary(s, q) && knownTLDs().unicode[strings.ToLower(s[p:q])] {
			return q
		}
	}
	return -1
}

// tldBoundary reports whether a TLD may end at q.
func tldBoundary(s string, q int) bool {
	if q >= len(s) {
		return true
	}
	c := rune(s[q])
	return !(isASCIIAlnum(c) || c == '@')
}

// maxUnicodeTLDRunes bounds the prefixes tried as internationalised TLDs; the longest in the
// root zone has 17 runes.
const maxUnicodeTLDRunes = 24

// tldSet is the parsed form of tlds.go.
type tldSet struct{ ascii, unicode map[string]bool }

// knownTLDs parses the TLD lists on first use.
var knownTLDs = sync.OnceValue(func() tldSet {
	set := func(list string) map[string]bool {
		m := make(map[string]bool)
		for _, t := range strings.Fields(list) {
			m[t] = true
		}
		return m
	}
	return tldSet{ascii: set(asciiTLDs), unicode: set(unicodeTLDs)}
})

// rest matches the optional port, path and query after a host ending at p. It returns the end
// of the link and whether it has a path (even just "/").
func (lr *linkRules) rest(s string, p int) (int, bool) {
	if p+1 < len(s) && s[p] == ':' && s[p+1] >= '0' && s[p+1] <= '9' {
		p++
		for p < len(s) && s[p] >= '0' && s[p] <= '9' {
			p++
		}
	}
	hasPath := false
	if p < len(s) && s[p] == '/' {
		hasPath = true
		p = lr.path(s, p+1)
	}
	if p < len(s) && s[p] == '?' {
		last := p
		for q := p + 1; q < len(s); {
			r, w := utf8.DecodeRuneInString(s[q:])
			if !lr.queryChar(r) {
				break
			}
			q += w
			if lr.queryEnd(r) {
				last = q
			}
		}
		p = last
	}
	return p, hasPath
}

// path returns the end of the path that starts at p (just after "/"): the longest run of path
// characters and balanced parentheses that ends in an ending character or a closing parenthesis.
func (lr *linkRules) path(s string, p int) int {
	good := p
	for q := p; q < len(s); {
		r, w := utf8.DecodeRuneInString(s[q:])
		if r == '(' {
			e := lr.balancedParens(s, q)
			if e < 0 {
				break
			}
			q, good = e, e
			continue
		}
		if !lr.pathChar(r) {
			break
		}
		q += w
		if lr.pathEnd(r) {
			good = q
		}
	}
	return good
}

// balancedParens matches "(" path-chars ")" with at most one nested pair at p and returns its
// end, or -1. Wikipedia links such as /wiki/Primer_(film) depend on it.
func (lr *linkRules) balancedParens(s string, p int) int {
	run := func(q int) (int, int) { // end of a run of path characters at q, and its length
		n := 0
		for q < len(s) {
			r, w := utf8.DecodeRuneInString(s[q:])
			if r == '(' || r == ')' || !lr.pathChar(r) {
				break
			}
			q += w
			n++
		}
		return q, n
	}
	q, n := run(p + 1)
	if q < len(s) && s[q] == ')' && n > 0 {
		return q + 1
	}
	if q < len(s) && s[q] == '(' {
		q, n = run(q + 1)
		if n == 0 || q >= len(s) || s[q] != ')' {
			return -1
		}
		q, _ = run(q + 1)
		if q < len(s) && s[q] == ')' {
			return q + 1
		}
	}
	return -1
}

// validHost applies twitter-text's last checks to a matched link: every label of the host must
// be 1 to 63 characters once punycode-encoded, and the link (with its scheme, https:// assumed
// when absent, and the host encoded) must not exceed 4,096 characters.
func validHost(host string, linkLen int) bool {
	encoded := 0
	for _, label := range strings.Split(host, ".") {
		n := asciiLabelLen(label)
		if n < 1 || n > 63 {
			return false
		}
		encoded += n + 1
	}
	encoded--
	return linkLen-len(host)+encoded <= 4096
}

// asciiHosts returns the hosts twitter-text accepts as scheme-less links inside the host
// s[from:to]: runs of ASCII labels (Latin accents allowed) and dots ending in a known TLD. A
// two-label host on a country-code TLD only counts when the link has a path or the TLD is .co
// or .tv: "example.de" alone is too often not meant as a link.
func asciiHosts(s string, from, to int, hasPath bool) []span {
	var found []span
	for p := from; p < to; {
		r, w := utf8.DecodeRuneInString(s[p:])
		if !isASCIIHostChar(r) {
			p += w
			continue
		}
		start := p
		// Parse label(.label)* and remember where each label after a dot starts.
		var afterDots []int
		labels := 0
		for p < to {
			q := p
			for q < to {
				r, w := utf8.DecodeRuneInString(s[q:])
				if !isASCIIHostChar(r) {
					break
				}
				q += w
			}
			if q == p {
				break
			}
			labels++
			p = q
			if p < to && s[p] == '.' {
				p++
				afterDots = append(afterDots, p)
				if labels >= maxLabels {
					break
				}
				continue
			}
			break
		}
		// Longest match first: (label.)+ then a TLD.
		matched := false
		for k := len(afterDots) - 1; k >= 0; k-- {
			end := tldAt(s, afterDots[k], to)
			if end < 0 {
				continue
			}
			if hasPath || k > 0 || !shortCountryHost(s, afterDots[k], end) {
				found = append(found, span{start, end})
			}
			p = end
			matched = true
			break
		}
		if !matched && p == start {
			p += w
		}
	}
	return found
}

// shortCountryHost reports whether the TLD s[tldStart:tldEnd] of a two-label host is a
// country code other than .co and .tv (twitter-text invalidShortDomain and
// validSpecialShortDomain). Internationalised country codes are not distinguished.
func shortCountryHost(s string, tldStart, tldEnd int) bool {
	tld := strings.ToLower(s[tldStart:tldEnd])
	return len(tld) == 2 && tld != "co" && tld != "tv" && isASCIILetter(rune(tld[0])) && isASCIILetter(rune(tld[1]))
}

// isASCIIHostChar reports the characters of a scheme-less host label (twitter-text
// validAsciiDomain): ASCII letters, digits, "-" and Latin accented letters.
func isASCIIHostChar(r rune) bool {
	return isASCIIAlnum(r) || r == '-' || isLatinAccent(r)
}

// isLatinAccent reports twitter-text's latinAccentChars, which it allows in paths and hosts.
func isLatinAccent(r rune) bool {
	switch {
	case r >= 0xC0 && r <= 0xFF:
		return r != 0xD7 && r != 0xF7
	case r >= 0x100 && r <= 0x24F, r >= 0x300 && r <= 0x36F, r >= 0x1E00 && r <= 0x1EFF:
		return true
	}
	switch r {
	case 0x253, 0x254, 0x256, 0x257, 0x259, 0x25B, 0x263, 0x268, 0x26F, 0x272, 0x289, 0x28B, 0x2BB:
		return true
	}
	return false
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
func isASCIIAlnum(r rune) bool  { return isASCIILetter(r) || r >= '0' && r <= '9' }
func isCyrillic(r rune) bool    { return r >= 0x400 && r <= 0x4FF }

// X path, ending and query classes (twitter-text validGeneralUrlPathChars,
// validUrlPathEndingChars, validUrlQueryChars, validUrlQueryEndingChars).

var (
	hostPunct     = newASCIISet("!'#%&()*+,\\-./:;<=>?@[]^_{|}~$")
	xPathPunct    = newASCIISet("!*';:=+,.$/%#[]-_~@|&")
	xPathEndPunct = newASCIISet("+-=_#/")
	xQueryPunct   = newASCIISet("!?*'@();:&=+$/%#[]-_.,~|")
	xQueryEndPunc = newASCIISet("-_&=#/")
)

func xPathChar(r rune) bool {
	return isASCIIAlnum(r) || xPathPunct.has(r) || isCyrillic(r) || isLatinAccent(r) || r == 0x2013
}

func xPathEnd(r rune) bool {
	return isASCIIAlnum(r) || xPathEndPunct.has(r) || isCyrillic(r) || isLatinAccent(r)
}

func xQueryChar(r rune) bool { return isASCIIAlnum(r) || xQueryPunct.has(r) }
func xQueryEnd(r rune) bool  { return isASCIIAlnum(r) || xQueryEndPunc.has(r) }

// Mastodon's classes: a path may hold anything but white space, "<", ">", parentheses and "?",
// and may not end in common punctuation; a query may also hold non-ASCII characters.

var (
	mastodonNotPath     = newASCIISet("<>()?")
	mastodonNotPathEnd  = newASCIISet("!*\"';:=,.$%[]~&|@")
	mastodonQueryPunct  = newASCIISet("!?*'();:&=+$/%#[]-_.,~|@^")
	mastodonQueryEndPun = newASCIISet("_&=#/-")
)

func mastodonPathChar(r rune) bool {
	return !mastodonNotPath.has(r) && !unicode.Is(unicode.White_Space, r)
}

func mastodonPathEnd(r rune) bool {
	return mastodonPathChar(r) && !mastodonNotPathEnd.has(r) && r != '「' && r != '」'
}

func mastodonQueryChar(r rune) bool {
	return isASCIIAlnum(r) || mastodonQueryPunct.has(r) || mastodonUChar(r)
}

func mastodonQueryEnd(r rune) bool {
	return isASCIIAlnum(r) || mastodonQueryEndPun.has(r) || mastodonUChar(r)
}

// asciiSet is a set of ASCII characters, for the character classes tested on every rune.
type asciiSet [2]uint64

func newASCIISet(chars string) asciiSet {
	var s asciiSet
	for i := 0; i < len(chars); i++ {
		s[chars[i]/64] |= 1 << (chars[i] % 64)
	}
	return s
}

func (s *asciiSet) has(r rune) bool { return r >= 0 && r < 0x80 && s[r/64]&(1<<(r%64)) != 0 }

// mastodonUChar is RFC 3987's ucschar plus private use, which Mastodon allows in queries.
func mastodonUChar(r rune) bool {
	switch {
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFEF,
		r >= 0xE000 && r <= 0xF8FF:
		return true
	case r >= 0x10000 && r <= 0x10FFFD:
		return r&0xFFFF <= 0xFFFD && !(r >= 0xE0000 && r <= 0xE0FFF)
	}
	return false
}
