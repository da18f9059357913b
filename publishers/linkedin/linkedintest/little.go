package linkedintest

import (
	"strings"
	"unicode"
)

// reserved are little's reserved characters.
// https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
const reserved = `\|{}@[]()<>#*_~`

// renderLittle is what LinkedIn shows for a little commentary: escaped characters as
// themselves, a hashtag element (#word) or template ({hashtag|#|word}) as "#word", a mention
// @[Name](urn) as "Name". Any other reserved character does not parse, and LinkedIn then shows
// the commentary cut short before it without failing the request (as integrators report: "a
// caption like 'Va al repo (durable)' publishes as just 'Va al repo '"); complete is false
// then.
func renderLittle(s string) (text string, complete bool) {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !strings.ContainsRune(reserved, r) {
			b.WriteRune(r)
			continue
		}
		switch r {
		case '\\':
			if i+1 < len(rs) && strings.ContainsRune(reserved, rs[i+1]) {
				b.WriteRune(rs[i+1])
				i++
				continue
			}
		case '#':
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || unicode.In(rs[j], unicode.Mn, unicode.Mc)) {
				j++
			}
			if j > i+1 {
				b.WriteString(string(rs[i:j]))
				i = j - 1
				continue
			}
		case '{':
			rest := string(rs[i:])
			if strings.HasPrefix(rest, "{hashtag|") {
				if end := strings.IndexRune(rest, '}'); end > 0 {
					parts := strings.SplitN(rest[1:end], "|", 3)
					if len(parts) == 3 && (parts[1] == "#" || parts[1] == `\#` || parts[1] == "＃") && parts[2] != "" {
						b.WriteString("#" + parts[2])
						i += len([]rune(rest[:end]))
						continue
					}
				}
			}
		case '@':
			rest := string(rs[i:])
			if strings.HasPrefix(rest, "@[") {
				nameEnd := strings.Index(rest, "](urn:li:")
				closeAt := strings.IndexRune(rest, ')')
				if nameEnd > 2 && closeAt > nameEnd {
					b.WriteString(rest[2:nameEnd])
					i += len([]rune(rest[:closeAt]))
					continue
				}
			}
		}
		return b.String(), false
	}
	return b.String(), true
}
