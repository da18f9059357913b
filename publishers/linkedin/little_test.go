package linkedin

import (
	"strings"
	"testing"
)

func TestEscapeLittle(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Hello, world.", "Hello, world."},
		{"empty", "", ""},
		{"parentheses", "Launch (finally)", `Launch \(finally\)`},
		{"brackets and braces", "[1] {2}", `\[1\] \{2\}`},
		{"angle brackets", "a <b> c", `a \<b\> c`},
		{"emphasis characters", "*bold* _under_ ~strike~", `\*bold\* \_under\_ \~strike\~`},
		{"pipe", "a | b", `a \| b`},
		{"backslash", `C:\temp`, `C:\\temp`},
		{"at sign", "mail me@example.com or @alice", `mail me\@example.com or \@alice`},
		{"a would-be mention", "@[Eve](urn:li:person:1)", `\@\[Eve\]\(urn:li:person:1\)`},
		{"hashtag stays a hashtag", "#Launch day", "#Launch day"},
		{"hashtags mid-sentence", "big #news, #2026 and #café!", "big #news, #2026 and #café!"},
		{"hashtag ends at underscore", "#my_tag", `#my\_tag`},
		{"hash after a word is no hashtag", "C# and a#b", `C\# and a\#b`},
		{"lone hash", "# 1 and #", `\# 1 and \#`},
		{"double hash", "##tag", `\##tag`},
		{"hashtag after a line break", "end\n#tag", "end\n#tag"},
		{"url", "https://x.example/a_b?q=(1)#top", `https://x.example/a\_b?q=\(1\)\#top`},
		{"fullwidth hash is no reserved character", "＃tag", "＃tag"},
		{"emoji and accents", "café ☕ (frais)", `café ☕ \(frais\)`},
		{"already escaped text is escaped again", `\(`, `\\\(`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := EscapeLittle(tc.in); got != tc.want {
				t.Errorf("EscapeLittle(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := UnescapeLittle(EscapeLittle(tc.in)); got != tc.in {
				t.Errorf("round trip of %q gives %q", tc.in, got)
			}
		})
	}
}

func TestUnescapeLittleElements(t *testing.T) {
	cases := map[string]string{
		`Hello @[Acme Corp](urn:li:organization:1234)!`:        "Hello Acme Corp!",
		`the future of {hashtag|\#|Technology} is`:             "the future of #Technology is",
		`the future of {hashtag|#|Technology} is`:              "the future of #Technology is",
		`\(escaped\) #plain`:                                   "(escaped) #plain",
		`trailing backslash \`:                                 `trailing backslash \`,
		`@[unterminated mention`:                               `@[unterminated mention`,
		`{hashtag|broken`:                                      `{hashtag|broken`,
		"multi\nline\\_text":                                   "multi\nline_text",
		strings.Repeat(`\*`, 3) + "@[A](urn:li:person:x)" + "": "***A",
	}
	for in, want := range cases {
		if got := UnescapeLittle(in); got != want {
			t.Errorf("UnescapeLittle(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever a person types, the escaped commentary shows it unchanged.
func FuzzEscapeLittleRoundTrip(f *testing.F) {
	for _, s := range []string{"", "(a)", "#tag", "C#", `\`, "@[x](urn:li:person:1)", "{hashtag|#|x}", "a_b*c~d|e<f>g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.Contains(s, "\uFFFD") && strings.ToValidUTF8(s, "") == s {
			if got := UnescapeLittle(EscapeLittle(s)); got != s {
				t.Errorf("round trip of %q gives %q", s, got)
			}
		}
	})
}
