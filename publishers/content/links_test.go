package content

import (
	"reflect"
	"strings"
	"testing"
)

func linkTexts(s string, lr *linkRules) []string {
	var out []string
	for _, l := range findLinks(s, lr) {
		out = append(out, s[l.start:l.end])
	}
	return out
}

// The cases come from twitter-text's extraction conformance suite (conformance/extract.yml), so
// that what X shortens is what Herald counts as a link.
func TestFindLinksX(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"http://example.com", []string{"http://example.com"}},
		{"text http://foobar.com/#", []string{"http://foobar.com/#"}},
		{"text http://google.com/#search?q=iphone%20-filter%3Alinks", []string{"http://google.com/#search?q=iphone%20-filter%3Alinks"}},
		{"text http://somedomain.com/index.php?path=/abc/def/", []string{"http://somedomain.com/index.php?path=/abc/def/"}},
		{"text http://somehost.com:3000", []string{"http://somehost.com:3000"}},
		{"text http://xo.com/~matthew+%ff-,.;x", []string{"http://xo.com/~matthew+%ff-,.;x"}},
		{"text http://en.wikipedia.org/wiki/Primer_(film)", []string{"http://en.wikipedia.org/wiki/Primer_(film)"}},
		{"text http://✪df.ws/ejp", []string{"http://✪df.ws/ejp"}},
		{"text http://chilp.it/?77e8fd", []string{"http://chilp.it/?77e8fd"}},
		{"text http://msdn.microsoft.com/ja-jp/library/system.net.httpwebrequest(v=VS.100).aspx", []string{"http://msdn.microsoft.com/ja-jp/library/system.net.httpwebrequest(v=VS.100).aspx"}},
		{"text http://domain-dash_2314352345_dfasd.foo-cow_4352.com", nil},
		{"text http://-dash_2314352345_dfasd.foo-cow_4352.com", nil},
		{"text http://no-tld", nil},
		{"text http://tld-too-short.x", nil},
		{"(http://twitter.com", []string{"http://twitter.com"}},
		{"text http://domain.com-that-you-should-have-put-a-space-after", []string{"http://domain.com"}},
		{"text http://foo.com?#foo text", []string{"http://foo.com?#foo"}},
		{"foo.com foo.net foo.org foo.edu foo.gov", []string{"foo.com", "foo.net", "foo.org", "foo.edu", "foo.gov"}},
		{"foo.baz foo.co.jp www.xxxxxxx.baz www.foo.co.uk wwwww.xxxxxxx foo.comm foo.somecom foo.govedu foo.jp", []string{"foo.co.jp", "www.foo.co.uk"}},
		{"t.co/abcde bit.ly/abcde", []string{"t.co/abcde", "bit.ly/abcde"}},
		{"http://foo.jp http://fooooo.jp", []string{"http://foo.jp", "http://fooooo.jp"}},
		{"Go to http://example.com/a+ or http://example.com/a-", []string{"http://example.com/a+", "http://example.com/a-"}},
		{"Go to http://example.com/view/slug-url-?foo=bar", []string{"http://example.com/view/slug-url-?foo=bar"}},
		{"@user Try http:// example.com/path", []string{"example.com/path"}},
		{"これは日本語です。example.com/path/index.html中国語example.com/path한국", []string{"example.com/path/index.html", "example.com/path"}},
		{"twitter.comこれは日本語です。example.com中国語t.co/abcde한국twitter.com example2.comテストtwitter.com/abcde",
			[]string{"twitter.com", "example.com", "t.co/abcde", "twitter.com", "example2.com", "twitter.com/abcde"}},
		{"http://twitter.com/これは日本語です。example.com中国語http://t.co/abcde한국twitter.comテストexample2.comテストhttp://twitter.com/abcde",
			[]string{"http://twitter.com/", "example.com", "http://t.co/abcde", "twitter.com", "example2.com", "http://twitter.com/abcde"}},
		{"Go to http://twitter.com/Русские_слова", []string{"http://twitter.com/Русские_слова"}},
		{"twitter.jp日本語it.so中国語foo.jp it.so foo.jp", nil},
		{"MLB.tv vine.co twitch.tv t.co", []string{"MLB.tv", "vine.co", "twitch.tv", "t.co"}},
		{"test http://sub_domain-dash.twitter.com", []string{"http://sub_domain-dash.twitter.com"}},
		{"test http://a.b.cd", []string{"http://a.b.cd"}},
		{"test http://a_b.c-d.com", []string{"http://a_b.c-d.com"}},
		{"test http://-leadingdash.twitter.com", nil},
		{"test http://trailingdash-.twitter.com", nil},
		{"test http://_leadingunderscore.twitter.com", nil},
		{"test http://trailingunderscore_.twitter.com", nil},
		{"test http://-twitter.com", nil},
		{"test http://twitter-.com", nil},
		{"test http://twitter_underscore.com", nil},
		{"test http://twitter.c_o_m", nil},
		{"test http://www.foo.com/foo/path-with-period./", []string{"http://www.foo.com/foo/path-with-period./"}},
		{"test http://www.foo.com/bar-path/some.stm?param1=foo;param2=P1|0||P2|0", []string{"http://www.foo.com/bar-path/some.stm?param1=foo;param2=P1|0||P2|0"}},
		{"test ELPAÍS.com", []string{"ELPAÍS.com"}},
		{"test http://twitter.com/.", []string{"http://twitter.com/"}},
		{"Test a ton of periods http://example.com/path..........................................", []string{"http://example.com/path"}},
		{"Test a ton of periods http://example.com/,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", []string{"http://example.com/"}},
		{"Test a ton of periods http://example.com/path/!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", []string{"http://example.com/path/"}},
		{"I really like http://t.co/pbY2NfTZ's website", []string{"http://t.co/pbY2NfTZ"}},
		{"Check this site out http://t.co/FNkPfmii- it's great", []string{"http://t.co/FNkPfmii"}},
		{"http://twitter.com\nhttp://example.com\nhttp://example.com/path\nexample.com/path\nit.so\nit.so/abcde",
			[]string{"http://twitter.com", "http://example.com", "http://example.com/path", "example.com/path", "it.so/abcde"}},
		{"$http://twitter.com $twitter.com $http://t.co/abcde $t.co/abcde $t.co $TVI.CA $RBS.CA", nil},
		{"long.test.tar.bz2 test.tar.bz2 tar.bz2", nil},
		{"john.doe.gov@mail.com", nil},
		{"john.doe.jp@mail.com", nil},
		{"test http://xn--ls8h.XN--ls8h.la/", []string{"http://xn--ls8h.XN--ls8h.la/"}},
		{"test http://foobar.みんな/ http://foobar.中国/ http://foobar.پاکستان/ ", []string{"http://foobar.みんな/", "http://foobar.中国/", "http://foobar.پاکستان/"}},
		{"see https://example.com. Then www.example.org, too", []string{"https://example.com", "www.example.org"}},
		{"https://t.co/" + strings.Repeat("a", 41), nil},
		{"no dots here http://localhost:8080/", nil},
	}
	for _, tt := range tests {
		if got := linkTexts(tt.text, &xLinks); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("findLinks(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestFindLinksMastodon(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		// Scheme-less hosts are not links on Mastodon.
		{"example.com and https://example.com", []string{"https://example.com"}},
		// Paths may hold any non-space character, but not end in punctuation.
		{"https://example.com/日本語/ü?x=ç.", []string{"https://example.com/日本語/ü?x=ç"}},
		{"gemini://example.org/page, ok", []string{"gemini://example.org/page"}},
		{"https://mastodon.social/@alice!", []string{"https://mastodon.social/@alice"}},
		{"ftp://example.com", nil},
	}
	for _, tt := range tests {
		if got := linkTexts(tt.text, &mastodonLinks); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("findLinks(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestPunycodeLen(t *testing.T) {
	tests := []struct {
		label string
		want  int
	}{
		{"example", 7},
		{"bücher", len("xn--bcher-kva")},
		{"münchen", len("xn--mnchen-3ya")},
		{"☃", len("xn--n3h")},
		{"💩", len("xn--ls8h")},
		{"日本語", len("xn--wgv71a119e")},
	}
	for _, tt := range tests {
		if got := asciiLabelLen(tt.label); got != tt.want {
			t.Errorf("asciiLabelLen(%q) = %d, want %d", tt.label, got, tt.want)
		}
	}
}

// When no label ends in a TLD, a host starting anywhere in those labels cannot either: matchAt
// reports how far host attempts can be skipped, which keeps "a.a.a.a…" and long runs of CJK
// (where every position may start a host) linear.
func TestMatchAtSkipsLabelsWithoutTLD(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"a.b.c d.com", -len("a.b.c")},
		{"日本語のテキスト example.com", -len("日本語のテキスト")},
		{"a.b.com", 7},    // a link: consumed
		{" a.com", 0},     // nothing at a space, and nothing to skip
		{"a_.b.com x", 0}, // a TLD but malformed labels: a later start may still match
	}
	for _, tt := range tests {
		if got, _ := xLinks.matchAt(tt.text, 0, -1, false); got != tt.want {
			t.Errorf("matchAt(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
	s := strings.Repeat("a.", 20000) + " " + strings.Repeat("日本", 20000) + " b.com"
	if got := linkTexts(s, &xLinks); !reflect.DeepEqual(got, []string{"b.com"}) {
		t.Fatalf("links = %q, want [b.com]", got)
	}
}
