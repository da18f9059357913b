package voice

import (
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// fuzzProfile switches every rule on, so the fuzzer reaches all of them.
var fuzzProfile = &Profile{
	Rules: Rules{
		Language: "fr",
		Terms: []Term{
			{Kind: Preferred, Use: "client", Avoid: []string{"utilisateur", "user"}, Gender: "m"},
			{Kind: Preferred, Use: "abonné", Avoid: []string{"membre"}},
			{Kind: Brand, Use: "Herald", Avoid: []string{"Heraldapp"}},
			{Kind: Banned, Use: "offert", Avoid: []string{"gratuit", "click here"}},
			{Kind: Sensitive, Avoid: []string{"licenciement"}},
		},
		Hashtags: HashtagRules{Required: []string{"#Herald"}, Banned: []string{"#promo"}, Max: map[string]int{"*": 2},
			Position: PositionEnd, CamelCase: true, Known: []string{"#HeraldTips"}},
		Links:    LinkRules{AllowedDomains: []string{"example.org"}, BrandDomains: []string{"herald.app"}},
		Mentions: MentionRules{Allowed: []string{"@herald"}, Banned: []string{"@rival"}},
		Emoji:    EmojiRules{Mode: EmojiMax, Max: 1, Banned: []string{"👎"}},
		Form: FormRules{MaxSentenceWords: 5, MinReadingEase: 90, MaxExclamations: ptr(0), MaxAllCaps: ptr(0),
			Address: AddressConsistent},
		Disclaimers: []Disclaimer{{Any: []string{"#ad"}, Position: DisclaimerEnd}, {Any: []string{"[Pub]"}, Position: DisclaimerStart}},
	},
}

// FuzzCheck checks the invariants every finding keeps, whatever the text: Check never panics;
// spans and fix spans lie inside the text, on grapheme cluster boundaries, with UTF-16 offsets
// that point at the same text; excerpts are the spans' text; applying a fix to valid UTF-8 gives
// valid UTF-8.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"", " ", "Bonjour à tous les utilisateurs ! L'utilisateur de herald est roi.",
		"Tu peux voir ton compte sur herald.app/prix !!! 🎉🎉 #socialmediatips #a #b #promo",
		"Our USERS love HERALD. Check https://herald.app/x?utm_source=x now!! FREE SHIPPING 👍🏽🇫🇷",
		"e\u0301te\u0301 l’é\u0301té #fe\u0302te @rival @herald@mastodon.social 👎🏿 1️⃣ 👩‍👩‍👧",
		"#", "@", "http://", "l'", "qu'", "!!!", "\xff\xfe invalid", "a\u200db", "🇫", "#️⃣", "((https://a.com/x))",
		"Click here. click HERE. Gratuits, GRATUIT!", "www.", "a.com.", "#ad", "\n\n\n", "\u0301\u0301x",
	} {
		f.Add(s, "fr")
		f.Add(s, "en")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		res := Analyze(fuzzProfile, Input{Text: text, Language: lang, Network: "instagram", Labels: []string{"x"}, Campaign: "c"})
		if res.Score < 0 || res.Score > 100 {
			t.Fatalf("score %d", res.Score)
		}
		bounds := map[int]bool{len(text): true}
		for rest, pos, state := text, 0, -1; len(rest) > 0; {
			var c string
			c, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
			bounds[pos] = true
			pos += len(c)
		}
		u16 := utf16.Encode([]rune(text))
		valid := utf8.ValidString(text)
		checkSpan := func(what string, sp Span) {
			if sp.Start < 0 || sp.End > len(text) || sp.Start > sp.End {
				t.Fatalf("%s span %+v outside the text (%d bytes)", what, sp, len(text))
			}
			if !bounds[sp.Start] || !bounds[sp.End] {
				t.Fatalf("%s span %+v is not on grapheme boundaries of %q", what, sp, text)
			}
			if sp.Start16 < 0 || sp.End16 > len(u16) || sp.Start16 > sp.End16 {
				t.Fatalf("%s UTF-16 span %+v outside the text (%d units)", what, sp, len(u16))
			}
			if valid && string(utf16.Decode(u16[sp.Start16:sp.End16])) != text[sp.Start:sp.End] {
				t.Fatalf("%s span %+v: UTF-16 and byte offsets disagree", what, sp)
			}
		}
		for _, fd := range res.Findings {
			checkSpan(fd.Rule, fd.Span)
			if fd.Excerpt != text[fd.Span.Start:fd.Span.End] {
				t.Fatalf("%s excerpt %q is not its span's text", fd.Rule, fd.Excerpt)
			}
			if !fd.Severity.Valid() || fd.Message == "" {
				t.Fatalf("%s: severity %q, message %q", fd.Rule, fd.Severity, fd.Message)
			}
			if fd.Fix != nil {
				checkSpan(fd.Rule+" fix", fd.Fix.Span)
				fixed := text[:fd.Fix.Span.Start] + fd.Fix.Replacement + text[fd.Fix.Span.End:]
				if valid && !utf8.ValidString(fixed) {
					t.Fatalf("%s fix makes invalid UTF-8", fd.Rule)
				}
			}
		}
	})
}
