package content

import "strings"

// TLDs returns the top-level domains a link must end in to be recognised (the ASCII ones, then
// the internationalised ones), for clients that count length as Check does: the web UI's
// composer counts as the user types and must agree with Check to the character.
func TLDs() []string {
	return append(strings.Fields(asciiTLDs), strings.Fields(unicodeTLDs)...)
}

// CounterName names a built-in counter: "chars", "graphemes", "x_weighted" or "mastodon"; it is
// "" for any other Counter.
func CounterName(c Counter) string {
	switch c {
	case nil, Chars:
		return "chars"
	case Graphemes:
		return "graphemes"
	case XWeighted:
		return "x_weighted"
	case MastodonCounter:
		return "mastodon"
	}
	return ""
}
