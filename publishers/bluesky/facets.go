package bluesky

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/heraldhq/herald/publishers"
)

// Rich text. Bluesky renders links, mentions and hashtags only where the post's facets say so:
// without a facet a URL is plain text and a mention notifies nobody. Facets index the text in
// UTF-8 bytes (app.bsky.richtext.facet#byteSlice), never in characters.
//
// Detection follows what the Bluesky app does when a person writes the post, rather than the
// twitter-text rules of package content, because the facets decide what Bluesky readers see as a
// link and the app is what they compare with:
//
//   - A link starts with http:// or https:// (any case) at the start of the text or after a space
//     or punctuation that cannot belong to a word or URL ("(", a quote), and runs to the next
//     space. Trailing sentence punctuation (. , ; : ! ? and quotes) and a closing bracket without
//     its opening one are not part of it. Links without a scheme ("example.com") are not linked:
//     telling them from words needs the list of top-level domains, which package content keeps
//     to itself.
//   - A mention is "@" and a handle (letters, digits, "-", at least two dot-separated labels, the
//     last starting with a letter: handle syntax) at the start or after a space or such
//     punctuation. Its facet names the DID that com.atproto.identity.resolveHandle returns; a
//     handle that does not resolve gets no facet. package content's Mentions stops at "-",
//     which Bluesky handles often contain ("@jane-doe.bsky.social").
//   - A hashtag is "#" (or "＃") at the start or after a space, followed by anything up to the
//     next space or invisible separator, minus trailing punctuation; it needs a character that
//     is neither a digit nor punctuation ("#1" is not a tag) and at most 64 graphemes. The facet's
//     tag omits the "#".

// Facet feature types.
const (
	featureLink    = "app.bsky.richtext.facet#link"
	featureMention = "app.bsky.richtext.facet#mention"
	featureTag     = "app.bsky.richtext.facet#tag"
)

// facet is app.bsky.richtext.facet.
type facet struct {
	Index    byteSlice      `json:"index"`
	Features []facetFeature `json:"features"`
}

// byteSlice is app.bsky.richtext.facet#byteSlice: [ByteStart, ByteEnd) in UTF-8 bytes.
type byteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

// facetFeature is one of the facet's features; the field that applies depends on Type.
type facetFeature struct {
	Type string `json:"$type"`
	URI  string `json:"uri,omitempty"`
	DID  string `json:"did,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

// entityKind is what a span of text is.
type entityKind int

const (
	entityLink entityKind = iota
	entityMention
	entityTag
)

// entity is a link, mention or hashtag found in a text.
type entity struct {
	kind       entityKind
	start, end int // UTF-8 byte offsets, end exclusive
	// value is the link's URI, the mention's handle (lower case, without "@"), or the tag
	// (without "#").
	value string
}

// detectEntities returns the links, mentions and hashtags of text, in order, without overlaps
// (a link wins over a mention or tag inside it).
func detectEntities(text string) []entity {
	var out []entity
	out = append(out, detectLinks(text)...)
	out = append(out, detectMentions(text)...)
	out = append(out, detectTags(text)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	kept := out[:0]
	for _, e := range out {
		if len(kept) > 0 && e.start < kept[len(kept)-1].end {
			continue
		}
		kept = append(kept, e)
	}
	return kept
}

// runeBefore is the rune ending at byte i, or -1 at the start of the text.
func runeBefore(text string, i int) rune {
	if i == 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r
}

// mayPrecede reports whether a link or mention may start after r: the start of the text, a
// space, or punctuation that is not part of words, addresses or URLs.
func mayPrecede(r rune) bool {
	switch {
	case r < 0 || unicode.IsSpace(r):
		return true
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		return false
	}
	return !strings.ContainsRune("/@#.-_=&%+~:\\", r)
}

func detectLinks(text string) []entity {
	var out []entity
	lower := asciiLower(text)
	for i := 0; i < len(text); {
		start := indexScheme(lower, i)
		if start < 0 {
			break
		}
		if !mayPrecede(runeBefore(text, start)) {
			i = start + 1
			continue
		}
		end := start
		for end < len(text) {
			r, w := utf8.DecodeRuneInString(text[end:])
			if unicode.IsSpace(r) {
				break
			}
			end += w
		}
		end = start + len(trimLink(text[start:end]))
		link := text[start:end]
		if u, err := url.Parse(link); err == nil && u.Host != "" && strings.Trim(u.Hostname(), ".") != "" {
			out = append(out, entity{kind: entityLink, start: start, end: end, value: link})
			i = end
			continue
		}
		i = start + 1
	}
	return out
}

// indexScheme finds the next "http://" or "https://" in lower (the text with ASCII letters
// lowered) at or after from.
func indexScheme(lower string, from int) int {
	for i := from; ; {
		j := strings.Index(lower[i:], "http")
		if j < 0 {
			return -1
		}
		k := i + j
		if strings.HasPrefix(lower[k:], "https://") || strings.HasPrefix(lower[k:], "http://") {
			return k
		}
		i = k + 4
	}
}

// asciiLower lowers ASCII letters only, so offsets stay those of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// trimLink drops trailing punctuation that ends a sentence rather than the URL, and closing
// brackets that the URL did not open.
func trimLink(s string) string {
	for s != "" {
		r, w := utf8.DecodeLastRuneInString(s)
		switch {
		case strings.ContainsRune(".,;:!?\"'’”»>*", r):
		case r == ')' && strings.Count(s, "(") < strings.Count(s, ")"):
		case r == ']' && strings.Count(s, "[") < strings.Count(s, "]"):
		default:
			return s
		}
		s = s[:len(s)-w]
	}
	return s
}

func detectMentions(text string) []entity {
	var out []entity
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '@')
		if j < 0 {
			break
		}
		at := i + j
		i = at + 1
		if !mayPrecede(runeBefore(text, at)) {
			continue
		}
		end := at + 1
		for end < len(text) && isHandleByte(text[end]) {
			end++
		}
		for end > at+1 && (text[end-1] == '.' || text[end-1] == '-') {
			end--
		}
		if end < len(text) {
			// "@a.example_x" or "@a.example@b" is something else than a mention.
			if r, _ := utf8.DecodeRuneInString(text[end:]); r == '_' || r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		handle := strings.ToLower(text[at+1 : end])
		if !validHandle(handle) {
			continue
		}
		out = append(out, entity{kind: entityMention, start: at, end: end, value: handle})
		i = end
	}
	return out
}

func isHandleByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-'
}

// validHandle checks atproto handle syntax: at most 253 characters, two or more labels of 1–63
// letters, digits and inner hyphens, the last label starting with a letter.
func validHandle(h string) bool {
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return 'a' <= tld[0] && tld[0] <= 'z' || 'A' <= tld[0] && tld[0] <= 'Z'
}

// tagBreak reports whether r ends a hashtag: a space or an invisible separator.
func tagBreak(r rune) bool {
	switch r {
	case 0x00AD, 0x2060, 0x200A, 0x200B, 0x200C, 0x200D, 0x20E2:
		return true
	}
	return unicode.IsSpace(r)
}

func detectTags(text string) []entity {
	var out []entity
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		if r != '#' && r != '＃' {
			i += w
			continue
		}
		hash := i
		i += w
		if prev := runeBefore(text, hash); prev >= 0 && !unicode.IsSpace(prev) {
			continue
		}
		if next, _ := utf8.DecodeRuneInString(text[i:]); next == 0xFE0F || next == 0x20E3 {
			continue // a keycap emoji, #️⃣
		}
		end := i
		for end < len(text) {
			r, w := utf8.DecodeRuneInString(text[end:])
			if tagBreak(r) {
				break
			}
			end += w
		}
		for end > i {
			r, w := utf8.DecodeLastRuneInString(text[:end])
			if !unicode.IsPunct(r) {
				break
			}
			end -= w
		}
		tag := text[i:end]
		if tag == "" || len(tag) > 640 || uniseg.GraphemeClusterCount(tag) > 64 || !hasWordRune(tag) {
			continue
		}
		out = append(out, entity{kind: entityTag, start: hash, end: end, value: tag})
		i = end
	}
	return out
}

// hasWordRune reports whether s has a rune that is neither a digit nor punctuation.
func hasWordRune(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) && !unicode.IsPunct(r) {
			return true
		}
	}
	return false
}

// richText is a text's facets and the first link in it, for a link card.
type richText struct {
	facets    []facet
	firstLink string
}

// buildRichText finds the text's entities and resolves its mentions through the PDS. When
// strict, a resolver that fails (other than by saying the handle is unknown) fails the call:
// nothing has been posted yet and a retry can still notify the person mentioned. Otherwise
// (a first comment) such mentions are left without a facet.
func (c *Client) buildRichText(ctx context.Context, st *callState, text string, strict bool) (richText, error) {
	var rt richText
	dids := map[string]string{}
	for _, e := range detectEntities(text) {
		f := facet{Index: byteSlice{ByteStart: e.start, ByteEnd: e.end}}
		switch e.kind {
		case entityLink:
			if rt.firstLink == "" {
				rt.firstLink = e.value
			}
			f.Features = []facetFeature{{Type: featureLink, URI: e.value}}
		case entityTag:
			f.Features = []facetFeature{{Type: featureTag, Tag: e.value}}
		case entityMention:
			did, seen := dids[e.value]
			if !seen {
				var err error
				did, err = c.resolveHandle(ctx, st, e.value)
				if err != nil {
					if strict {
						return rt, err
					}
					c.log.Warn("bluesky mention not resolved", "kind", publishers.KindOf(err).String())
				}
				dids[e.value] = did
			}
			if did == "" {
				continue
			}
			f.Features = []facetFeature{{Type: featureMention, DID: did}}
		}
		rt.facets = append(rt.facets, f)
	}
	return rt, nil
}

// resolveHandle returns the DID of a handle, or "" when the server says it resolves to none.
// The call needs no session.
func (c *Client) resolveHandle(ctx context.Context, st *callState, handle string) (string, error) {
	var out struct {
		DID string `json:"did"`
	}
	err := c.do(ctx, call{nsid: nsidResolveHandle, base: st.sess.pds, account: st.sess.did, params: url.Values{"handle": {handle}}}, &out)
	if err == nil {
		if strings.HasPrefix(out.DID, "did:") {
			return out.DID, nil
		}
		return "", nil
	}
	var pe *publishers.Error
	if errors.As(err, &pe) && (pe.Status == 400 || pe.Status == 404) && pe.Kind == publishers.KindPermanent {
		// HandleNotFound, or InvalidRequest "Unable to resolve handle".
		return "", nil
	}
	return "", err
}
