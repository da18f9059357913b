package voice

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// link is a URL found in the text.
type link struct {
	start, end int
	raw        string
	host       string // lowercased, without port or "www."
}

// bareTLDs are the top-level domains a link without "http://" or "www." may end its host with:
// the generic ones and those of the countries where the checker's languages are spoken. Bare
// "example.com" links are what networks turn into links, and what brands write most; a longer
// list would take words like "e.g" or "etc.fr" for hosts more often than it would find links.
var bareTLDs = map[string]bool{
	"com": true, "org": true, "net": true, "io": true, "app": true, "dev": true, "co": true, "info": true,
	"biz": true, "eu": true, "fr": true, "be": true, "ch": true, "ca": true, "uk": true, "us": true,
	"de": true, "at": true, "es": true, "it": true, "pt": true, "br": true, "mx": true, "ar": true,
	"lu": true, "nl": true, "ly": true, "gl": true, "me": true, "tv": true, "shop": true, "store": true,
	"blog": true, "news": true, "social": true, "online": true, "site": true, "ai": true,
}

// findLinks returns the links in text: anything starting with http:// or https://, "www." hosts,
// and bare hosts ending in a well-known top-level domain (herald.app/pricing). Trailing
// punctuation that ends the sentence is not part of the link, nor is a closing bracket the link
// did not open.
//
// It is not content.Links: that is the extractor of one network's counter (X's, which counts a
// link as 23 characters), and X does not link a bare two-label host on a country's domain
// without a path ("herald.fr", "concurrent.de"), nor a bare ".io" host. Brands name their sites
// that way, and the domain and UTM rules must see those names whichever network the post goes
// to.
func findLinks(text string) []link {
	var out []link
	lower := asciiLower(text)
	for i := 0; i < len(text); {
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(text[:i])
			if isWordRune(prev) || prev == '@' || prev == '.' || prev == '/' || prev == '#' || prev == '-' || prev == '_' {
				_, w := utf8.DecodeRuneInString(text[i:])
				i += w
				continue
			}
		}
		end := 0
		switch {
		case strings.HasPrefix(lower[i:], "https://"), strings.HasPrefix(lower[i:], "http://"):
			end = linkEnd(text, i)
			if h := hostOf(text[i:end]); h == "" {
				end = 0
			}
		case strings.HasPrefix(lower[i:], "www."):
			end = linkEnd(text, i)
			if end <= i+4 || !strings.Contains(text[i+4:end], ".") {
				end = 0
			}
		default:
			end = bareLinkEnd(text, lower, i)
		}
		if end > i {
			raw := text[i:end]
			out = append(out, link{start: i, end: end, raw: raw, host: hostOf(raw)})
			i = end
			continue
		}
		_, w := utf8.DecodeRuneInString(text[i:])
		i += w
	}
	return out
}

// asciiLower lowercases ASCII letters only, so that offsets into the result are offsets into s
// (strings.ToLower changes the length of some characters, and of invalid UTF-8).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// linkEnd finds where a link starting at i ends: at white space or a character that cannot be in
// a URL, then back over trailing punctuation.
func linkEnd(text string, i int) int {
	j := i
	for j < len(text) {
		r, w := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) || r == '<' || r == '>' || r == '"' || r == '«' || r == '»' || r == '“' || r == '”' || r == '`' {
			break
		}
		j += w
	}
	for j > i {
		r, w := utf8.DecodeLastRuneInString(text[i:j])
		switch {
		case strings.ContainsRune(".,;:!?'’…", r):
			j -= w
			continue
		case r == ')' && strings.Count(text[i:j], "(") < strings.Count(text[i:j], ")"):
			j -= w
			continue
		case r == ']' && strings.Count(text[i:j], "[") < strings.Count(text[i:j], "]"):
			j -= w
			continue
		}
		break
	}
	return j
}

// bareLinkEnd recognises host.tld or host.tld/path at i; 0 when there is none.
func bareLinkEnd(text, lower string, i int) int {
	j := i
	lastDot := -1
	for j < len(lower) {
		c := lower[j]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			j++
			continue
		}
		if c == '.' && j > i && j+1 < len(lower) && lower[j-1] != '.' && lower[j+1] != '.' {
			lastDot = j
			j++
			continue
		}
		break
	}
	if lastDot < 0 || !bareTLDs[lower[lastDot+1:j]] {
		return 0
	}
	if j < len(text) {
		r, _ := utf8.DecodeRuneInString(text[j:])
		switch {
		case r == '/' || r == '?':
			return linkEnd(text, i)
		case isWordRune(r) || r == '@' || r == '_':
			return 0
		}
	}
	return j
}

// hostOf returns a link's host, lowercased, without "www.", userinfo or port.
func hostOf(raw string) string {
	s := raw
	if !strings.Contains(strings.ToLower(s), "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return normalizeDomain(u.Hostname())
}

// domainIn reports whether host is one of domains or a subdomain of one.
func domainIn(host string, domains []string) bool {
	return slices.ContainsFunc(domains, func(d string) bool {
		d = normalizeDomain(d)
		return d != "" && (host == d || strings.HasSuffix(host, "."+d))
	})
}

// withParams appends the missing query parameters to a link as written, before its fragment, so
// the rest of the link keeps its spelling.
func withParams(raw string, params [][2]string) string {
	base, frag, hasFrag := strings.Cut(raw, "#")
	var b strings.Builder
	b.WriteString(base)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	for _, p := range params {
		b.WriteString(sep)
		b.WriteString(url.QueryEscape(p[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p[1]))
		sep = "&"
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(frag)
	}
	return b.String()
}

// queryOf returns a link's query parameters (empty when it has none or cannot be parsed).
func queryOf(raw string) url.Values {
	base, _, _ := strings.Cut(raw, "#")
	_, q, ok := strings.Cut(base, "?")
	if !ok {
		return url.Values{}
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return url.Values{}
	}
	return v
}
