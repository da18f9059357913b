package content

import "unicode/utf8"

// Links returns the links a network recognises in text, in order, as entities with rune offsets
// into the text as given. Only "x" and "mastodon" have link rules of their own (the extractors
// their counters use, see links.go); any other network gets nil.
//
// Publishers need it to compare a text with what the network shows: X replaces every link it
// recognises with a t.co link, so a post can only be found again among the account's posts by
// comparing the text around the links.
func Links(network, text string) []Entity {
	var lr *linkRules
	switch network {
	case "x":
		lr = &xLinks
	case "mastodon":
		lr = &mastodonLinks
	default:
		return nil
	}
	spans := findLinks(text, lr)
	if len(spans) == 0 {
		return nil
	}
	out := make([]Entity, 0, len(spans))
	b, ri := 0, 0
	for _, sp := range spans {
		ri += utf8.RuneCountInString(text[b:sp.start])
		n := utf8.RuneCountInString(text[sp.start:sp.end])
		out = append(out, Entity{Text: text[sp.start:sp.end], Start: ri, End: ri + n})
		ri += n
		b = sp.end
	}
	return out
}
