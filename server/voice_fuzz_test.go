package server

// Fuzz tests for the brand voice's free-form inputs: any profile document saved with PUT, and any
// text checked with POST …/voice/check against a profile with every rule on. Whatever arrives,
// the answer is below 500 with the error envelope on failure; a refused profile leaves the stored
// one as it was; every span of an answer lies inside the text it points into.
//
// The seed corpus runs as an ordinary test on every dialect under test; fuzzing runs on SQLite:
// go test -run='^$' -fuzz=FuzzVoiceProfile ./server/ (or FuzzVoiceCheckAPI).

import (
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf16"

	"github.com/heraldhq/herald/server/workflow"
	"github.com/heraldhq/herald/voice"
)

var profileSeeds = []string{
	`{"profile":{},"version":-1}`,
	`{"profile":{"rules":{"terms":[{"kind":"preferred","use":"client","avoid":["utilisateur"],"gender":"m"}]}},"version":-1}`,
	`{"profile":{"rules":{"hashtags":{"required":["#Herald"],"max":{"*":3,"instagram":30},"position":"end","camel_case":true}}},"version":-1}`,
	`{"profile":{"rules":{"emoji":{"mode":"max","max":2,"banned":["👎","👍🏽"]},"form":{"max_exclamations":1,"address":"vous"}}},"version":-1}`,
	`{"profile":{"labels":[{"label":"partnership","disclaimers":[{"any":["#ad"],"position":"end"}]}],"channels":[{"channel_id":$A,"language":"fr"}]},"version":-1}`,
	`{"profile":{"channels":[{"channel_id":$B}]},"version":-1}`,
	`{"profile":{"severities":{"vocabulary.banned":"fatal"}},"version":-1}`,
	`{"profile":{"rules":{"terms":[{"kind":"banned"}]}},"version":-1}`,
	`{"profile":{"rules":{"terms":null,"hashtags":null}},"version":-1}`,
	`{"profile":{"rules":{"form":{"max_all_caps":-5,"min_reading_ease":1e308}}},"version":-1}`,
	`{"profile":{"rules":{"links":{"utm_values":{"utm source":"x","":"y"}}}},"version":-1}`,
	`{"profile":{"rules":{"emoji":{"banned":["not an emoji","\ud800"]}}},"version":-1}`,
	`{"profile":null,"version":0}`,
	`{"profile":{},"version":"1"}`,
	`{"profile":{"x":1},"version":0}`,
	`{"profile":{"rules":{"terms":[{"kind":"brand","use":"\u0000"}]}},"version":-1}`,
	`[]`, `{`, ``,
}

// FuzzVoiceProfile saves arbitrary profile documents.
func FuzzVoiceProfile(f *testing.F) {
	envs := fuzzEnvs(f)
	for _, s := range profileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, e := range envs {
			editor := e.A.user(workflow.Editor)
			before := e.dump(t, e.A, false)
			// A version the store ignores (-1 is refused by the API, so the seed's "-1" becomes
			// whatever the current version is).
			version := 0
			if row, err := e.Store.VoiceProfileOf(testCtx, e.A.WS.ID); err == nil {
				version = row.Version
			}
			body := e.fuzzIDs(raw)
			var m map[string]json.RawMessage
			if json.Unmarshal([]byte(body), &m) == nil && string(m["version"]) == "-1" {
				m["version"], _ = json.Marshal(version)
				b, _ := json.Marshal(m)
				body = string(b)
			}
			r := e.do(t, apiCall{Method: http.MethodPut, Path: wsPath(e.A, "/voice/profile"), As: editor, Body: body})
			switch {
			case r.Status == http.StatusOK:
				var pv profileView
				r.decode(t, &pv)
				if err := pv.Profile.Validate(); err != nil {
					t.Fatalf("saved an invalid profile: %v", err)
				}
			case r.Status >= 500:
				t.Fatalf("5xx: %s", r)
			default:
				if after := e.dump(t, e.A, false); after != before {
					t.Fatalf("a refused profile changed the workspace: %s", r)
				}
			}
		}
	})
}

var checkSeeds = []string{
	"Bonjour à tous les utilisateurs ! L'utilisateur de herald est roi.",
	"🎉 Nos utilisateurs adorent les envois gratuits. #socialmediatips #promo herald.app/prix",
	"e\u0301te\u0301 l’é\u0301té #fe\u0302te @rival 👎🏿 1️⃣ 👩‍👩‍👧 🇫🇷",
	"", "\u0000", "\xff", "#", "@", "l'", "!!!", "https://", "a\u200db",
}

// FuzzVoiceCheckAPI checks arbitrary texts through the API against a profile with every rule on.
func FuzzVoiceCheckAPI(f *testing.F) {
	envs := fuzzEnvs(f)
	for _, e := range envs {
		p := testProfile()
		p.Rules.Hashtags = voice.HashtagRules{Required: []string{"#Herald"}, Banned: []string{"#promo"}, Max: map[string]int{"*": 2}, Position: voice.PositionEnd, CamelCase: true}
		p.Rules.Links = voice.LinkRules{AllowedDomains: []string{"example.org"}, BrandDomains: []string{"herald.app"}}
		p.Rules.Emoji = voice.EmojiRules{Mode: voice.EmojiMax, Max: 1, Banned: []string{"👎"}}
		one := 1
		p.Rules.Form = voice.FormRules{MaxSentenceWords: 5, MinReadingEase: 90, MaxExclamations: &one, MaxAllCaps: &one, Address: voice.AddressVous}
		p.Rules.Disclaimers = []voice.Disclaimer{{Any: []string{"#ad"}}}
		e.setProfile(f, e.A, p)
	}
	for _, s := range checkSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, e := range envs {
			r := e.post(t, e.A.user(workflow.Viewer), wsPath(e.A, "/voice/check"), map[string]any{"text": text, "channel_ids": []int64{e.A.Channel.ID, e.SecondA}})
			if r.Status != http.StatusOK {
				if r.Status >= 500 || r.Err.Code != "validation_failed" {
					t.Fatalf("%s", r)
				}
				continue
			}
			var ck checkResponse
			r.decode(t, &ck)
			// The server saw the text as JSON decoded it (invalid UTF-8 became U+FFFD).
			var sent string
			b, _ := json.Marshal(text)
			_ = json.Unmarshal(b, &sent)
			u := utf16.Encode([]rune(sent))
			for _, fd := range ck.Findings {
				for _, sp := range []spanView{fd.Span} {
					if sp.Start < 0 || sp.End > len(u) || sp.Start > sp.End || sp.ByteEnd > len(sent) ||
						string(utf16.Decode(u[sp.Start:sp.End])) != sent[sp.ByteStart:sp.ByteEnd] {
						t.Fatalf("%s: span %+v does not fit %q", fd.Rule, sp, sent)
					}
				}
			}
		}
	})
}
