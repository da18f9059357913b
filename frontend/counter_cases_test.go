package frontend

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers/content"
)

// counterTexts are texts whose lengths the composer (src/content/count.ts) must count exactly as
// the server's content rules do. Each kind of unit the counters treat specially is here: links
// with and without a scheme, hosts on country-code and internationalised TLDs, emoji sequences,
// decomposed accents, remote mentions, hashtags, and texts over the limits.
var counterTexts = []string{
	"",
	"   ",
	"Hello, world!",
	"Notre café ouvre à 8 h : venez goûter le mélange d'hiver ☕",
	"Decomposed: cafe\u0301 and re\u0301sume\u0301",
	"Family 👨‍👩‍👧‍👦, flag 🇫🇷, keycap 1️⃣, skin 👍🏽, heart ❤️, tag flag 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
	"Lone indicator 🇫 and © ® ©️ ™",
	"日本語のテキストと한국어 텍스트",
	"عربي مع تشكيل: مَرْحَبًا — हिन्दी: नमस्ते",
	"Conjuncts: ক্ষমা বাংলা, ગુજરાતી શ્રી, ଓଡ଼ିଆ କ୍ଷ, తెలుగు క్ష, മലയാളം ക്ഷ, क्‍ष, ਪੰਜਾਬੀ ਕ੍ਸ਼, தமிழ் க்ஷ",
	"Read https://example.com/a/very/long/path/that/goes/on/and/on?with=query&and=more#fragment now",
	"Bare links: example.com and www.example.org/page and example.de and example.de/path and example.co and t.co",
	"t.co link: https://t.co/abcDEF123 and a long slug https://t.co/" + strings.Repeat("a", 45),
	"Wikipedia https://en.wikipedia.org/wiki/Primer_(film). Sentence end https://example.com/path.",
	"Unicode host https://bücher.de/straße and IDN TLD https://example.рф/путь and punycode xn--bcher-kva.de",
	"Not links: example.notatld, foo@example.com, a.b, 3.14, file.txt",
	"Mastodon @alice@example.social and @bob, email me@example.com, and x@",
	"Hashtags #coffee #café #1st #2024 C# a#b &#39; #fail ＃full",
	"Links with ports http://localhost:8080/x and https://example.com:8443/api",
	"gemini://example.org/page dat://example.com ipfs://x.io",
	"Parens (https://example.com/in) and [https://example.com/brackets]",
	strings.Repeat("Launching our winter blend today! ", 10),
	strings.Repeat("é", 301),
	strings.Repeat("😀", 200),
	"Line one\nLine two\n\nLine four with https://example.com",
	"Instagram: " + strings.Repeat("#tag ", 32) + strings.Repeat("@someone ", 22),
	"Mixed 🧑🏽‍💻 at https://herald.example/launch?utm=x #launch @team.lead",
}

// counterCase is one text and its length by every network's rules, as the composer's tests read it.
type counterCase struct {
	Text     string         `json:"text"`
	Lengths  map[string]int `json:"lengths"`
	Hashtags int            `json:"hashtags"`
	Mentions int            `json:"mentions"`
}

// counterFixture is the file: each network's counter (as GET /api/v1/rules names it), the TLDs,
// and the cases.
type counterFixture struct {
	Counters map[string]string `json:"counters"`
	TLDs     []string          `json:"tlds"`
	Cases    []counterCase     `json:"cases"`
}

const counterCasesFile = "test/counter-cases.json"

// TestCounterCasesCurrent keeps test/counter-cases.json equal to what the content package
// computes, so the composer's Vitest suite checks the TypeScript counters against the real rules.
// Run with HERALD_UPDATE_GOLDEN=1 to rewrite the file after changing the rules or the table.
func TestCounterCasesCurrent(t *testing.T) {
	var cases []counterCase
	networks := content.Networks()
	for _, text := range counterTexts {
		res, err := content.CheckAll(networks, content.Content{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		c := counterCase{Text: text, Lengths: map[string]int{}, Hashtags: len(content.Hashtags(text)), Mentions: len(content.Mentions(text))}
		for n, r := range res {
			c.Lengths[n] = r.Length
		}
		cases = append(cases, c)
	}
	fx := counterFixture{Counters: map[string]string{}, TLDs: content.TLDs(), Cases: cases}
	for _, n := range networks {
		r, _ := content.ForNetwork(n)
		fx.Counters[n] = content.CounterName(r.Counter)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(fx); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("HERALD_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(counterCasesFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(counterCasesFile)
	if err != nil {
		t.Fatalf("%v (create it with HERALD_UPDATE_GOLDEN=1 go test ./frontend)", err)
	}
	if !bytes.Equal(have, buf.Bytes()) {
		t.Errorf("%s is out of date with the content rules; regenerate it with HERALD_UPDATE_GOLDEN=1 go test ./frontend -run CounterCases", counterCasesFile)
	}
}
