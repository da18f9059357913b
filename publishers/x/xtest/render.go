package xtest

import (
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/heraldhq/herald/publishers/content"
)

// htmlEscape is the only escaping X applies to a post's text.
var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// displayText is a post's text as X stores and returns it: NFC-normalised, every link X
// recognises (twitter-text's rules, including links without a scheme) replaced by a t.co link,
// &, < and > escaped, and a t.co link to the media appended when the post has attachments.
func displayText(text string, hasMedia bool) string {
	text = norm.NFC.String(text)
	var b strings.Builder
	r := []rune(text)
	last := 0
	for _, l := range content.Links("x", text) {
		b.WriteString(htmlEscape.Replace(string(r[last:l.Start])))
		b.WriteString(tco())
		last = l.End
	}
	b.WriteString(htmlEscape.Replace(string(r[last:])))
	out := b.String()
	if hasMedia {
		if out != "" {
			out += " "
		}
		out += tco()
	}
	return out
}

// tco is a fresh t.co link.
func tco() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	id := []byte(randomString())
	for i := range id {
		id[i] = alphabet[int(id[i])%len(alphabet)]
	}
	return "https://t.co/" + string(id[:10])
}
