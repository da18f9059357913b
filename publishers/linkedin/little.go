package linkedin

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// littleReserved are the characters LinkedIn's "little" text format reserves for its elements
// (mentions @[Name](urn), hashtag templates {hashtag|#|tag}). Unescaped, LinkedIn does not
// fail the request: it silently cuts the commentary at the first one it cannot parse, so a post
// with "(" in it is published with only the words before it. All of them must be escaped with
// a backslash, even when they are not part of an element.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
const littleReserved = `\|{}@[]()<>#*_~`

// EscapeLittle turns text as a person wrote it into a Posts API commentary that LinkedIn shows
// exactly as written: every reserved character gets a backslash, except the "#" that starts a
// hashtag. A hashtag written "#word" is little's HashtagElement and stays a clickable hashtag on
// LinkedIn, as it would in LinkedIn's own editor; a "#" that starts no hashtag ("C#", "# 1",
// "a#b") is escaped and shown as a plain "#". A hashtag's word is letters, digits and
// combining marks (LinkedIn ends a hashtag at punctuation, "_" included), and it must not
// follow a letter, digit or "_" (so "a#b" is no hashtag).
//
// Mentions cannot be written by hand (they need a member's or page's URN), so "@" is always
// plain text. URLs are escaped like any other text, "#" included, as the grammar requires:
// LinkedIn shows them without the backslashes. Some integrators leave URLs unescaped so that
// LinkedIn links them in the text; Herald does not, because an unescaped "_" or "(" in a URL
// cuts the post short, and a post whose only link is a URL carries it as an article card
// anyway (see Publish).
//
// This applies only to post commentary: comments (the first comment) are plain text with
// separate attributes, where a backslash would be shown as is.
func EscapeLittle(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/8)
	links := linkRE.FindAllStringIndex(text, -1)
	runes := []rune(text)
	offset := 0 // byte offset of runes[i] in text
	for i, r := range runes {
		at := offset
		offset += utf8.RuneLen(r)
		if r == '#' && startsHashtag(runes, i) && !inside(links, at) {
			b.WriteRune(r)
			continue
		}
		if strings.ContainsRune(littleReserved, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// inside reports whether byte offset at falls in one of the spans (a URL's fragment "#top" is
// no hashtag).
func inside(spans [][]int, at int) bool {
	for _, sp := range spans {
		if at >= sp[0] && at < sp[1] {
			return true
		}
	}
	return false
}

// startsHashtag reports whether the '#' at runes[i] begins a hashtag.
func startsHashtag(runes []rune, i int) bool {
	if i+1 >= len(runes) || !hashtagRune(runes[i+1]) {
		return false
	}
	if i > 0 {
		prev := runes[i-1]
		if unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '_' || unicode.Is(unicode.Mn, prev) {
			return false
		}
	}
	return true
}

func hashtagRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// UnescapeLittle is the text a little commentary shows: escapes removed, and a hashtag template
// {hashtag|#|tag} shown as "#tag". Mentions @[Name](urn) show as "Name". LinkedIn returns
// commentary in little format when posts are read back, so FindPublished compares this with
// the text Herald published.
func UnescapeLittle(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s) && strings.IndexByte(littleReserved, s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i++
		case ch == '{' && strings.HasPrefix(s[i:], "{hashtag|"):
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				parts := strings.SplitN(s[i+1:i+end], "|", 3)
				if len(parts) == 3 {
					b.WriteString(strings.ReplaceAll(parts[1], `\`, "") + parts[2])
					i += end
					continue
				}
			}
			b.WriteByte(ch)
		case ch == '@' && i+1 < len(s) && s[i+1] == '[':
			closeName := strings.Index(s[i:], "](")
			closeURN := strings.IndexByte(s[i:], ')')
			if closeName > 0 && closeURN > closeName {
				b.WriteString(s[i+2 : i+closeName])
				i += closeURN
				continue
			}
			b.WriteByte(ch)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
