package mastodontest

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// renderContent turns a status's plain text into HTML the way Mastodon's formatter does, closely
// enough to exercise clients that read it back: paragraphs in <p>, line breaks as <br />, links
// wrapped in <a> with the scheme and the tail past 30 characters in "invisible" spans, hashtags
// and mentions linked, and remote mentions shown as "@user" only.
func renderContent(base, text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.TrimSpace(text)
	if text == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range paragraphBreak.Split(text, -1) {
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br />")
			}
			b.WriteString(renderInline(base, line))
		}
		b.WriteString("</p>")
	}
	return b.String()
}

var (
	paragraphBreak = regexp.MustCompile(`\n{2,}`)
	entity         = regexp.MustCompile(`https?://[^\s<>"]+|#[\p{L}\p{N}_]+|@[A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+)?`)
)

func renderInline(base, s string) string {
	var b strings.Builder
	last := 0
	for _, m := range entity.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if start < last {
			continue
		}
		tok := s[start:end]
		if tok[0] == '#' || tok[0] == '@' {
			if prev, _ := utf8.DecodeLastRuneInString(s[:start]); start > 0 && (unicode.IsLetter(prev) || unicode.IsDigit(prev) || prev == '_' || prev == '/') {
				continue
			}
		} else {
			tok = strings.TrimRight(tok, ".,;:!?)'\"")
			end = start + len(tok)
		}
		b.WriteString(html.EscapeString(s[last:start]))
		switch tok[0] {
		case '#':
			tag := tok[1:]
			b.WriteString(`<a href="` + html.EscapeString(base+"/tags/"+strings.ToLower(tag)) + `" class="mention hashtag" rel="tag">#<span>` + html.EscapeString(tag) + `</span></a>`)
		case '@':
			user, domain, _ := strings.Cut(tok[1:], "@")
			href := base + "/@" + user
			if domain != "" {
				href = "https://" + domain + "/@" + user
			}
			b.WriteString(`<span class="h-card" translate="no"><a href="` + html.EscapeString(href) + `" class="u-url mention">@<span>` + html.EscapeString(user) + `</span></a></span>`)
		default:
			b.WriteString(renderLink(tok))
		}
		last = end
	}
	b.WriteString(html.EscapeString(s[last:]))
	return b.String()
}

// renderLink shows a link as Mastodon does: the scheme hidden, the first 30 characters shown,
// the rest hidden behind an ellipsis. The spans' texts together are the link as typed.
func renderLink(u string) string {
	scheme := u[:strings.Index(u, "://")+3]
	rest := u[len(scheme):]
	if strings.HasPrefix(rest, "www.") {
		scheme += "www."
		rest = rest[4:]
	}
	display, hidden := rest, ""
	class := ""
	if r := []rune(rest); len(r) > 30 {
		display, hidden = string(r[:30]), string(r[30:])
		class = "ellipsis"
	}
	return `<a href="` + html.EscapeString(u) + `" target="_blank" rel="nofollow noopener" translate="no">` +
		`<span class="invisible">` + html.EscapeString(scheme) + `</span>` +
		`<span class="` + class + `">` + html.EscapeString(display) + `</span>` +
		`<span class="invisible">` + html.EscapeString(hidden) + `</span></a>`
}
