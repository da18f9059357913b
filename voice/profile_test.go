package voice

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := &Profile{
		Description: "Warm, direct, never pushy.", Audience: "Small community teams", Do: []string{"We ship on Tuesdays."},
		Rules: Rules{Language: "fr", Terms: []Term{{Kind: Preferred, Use: "client", Avoid: []string{"utilisateur"}, Gender: "m"}},
			Hashtags: HashtagRules{Required: []string{"#Herald"}, Max: map[string]int{"*": 3}, Position: PositionEnd},
			Links:    LinkRules{BrandDomains: []string{"herald.app"}, RequiredUTM: []string{"utm_source"}},
			Emoji:    EmojiRules{Mode: EmojiMax, Max: 2, Banned: []string{"💩"}},
			Form:     FormRules{MaxSentenceWords: 25, MinReadingEase: 50, MaxExclamations: ptr(1), Address: AddressVous}},
		Labels:     []LabelPatch{{Label: "partnership", Patch: Patch{Disclaimers: []Disclaimer{{Any: []string{"#ad"}}}}}},
		Channels:   []ChannelPatch{{ChannelID: 3, Patch: Patch{Language: ptr("en")}}},
		Severities: map[string]Severity{RulePreferred: Error},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid profile refused: %v", err)
	}
	bad := &Profile{
		Rules: Rules{Language: "xx", Terms: []Term{{Kind: "weird"}, {Kind: Preferred, Avoid: []string{"user"}}, {Kind: Banned}, {Kind: Brand, Use: "!!"}},
			Hashtags: HashtagRules{Required: []string{"Herald"}, Max: map[string]int{"x": -1}, Position: "middle"},
			Links:    LinkRules{AllowedDomains: []string{"not a domain"}, RequiredUTM: []string{"utm source"}},
			Emoji:    EmojiRules{Mode: "lots", Banned: []string{"ab"}},
			Form:     FormRules{MaxSentenceWords: -1, MinReadingEase: 120, Address: "toi"}},
		Labels:     []LabelPatch{{Label: " ", Patch: Patch{MaxHashtags: ptr(500), Disclaimers: []Disclaimer{{Position: "middle"}}}}},
		Channels:   []ChannelPatch{{ChannelID: 0}, {ChannelID: 4}, {ChannelID: 4}},
		Severities: map[string]Severity{"nope": Error, RuleBanned: "fatal"},
	}
	err := bad.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	for _, path := range []string{
		"rules.language", "rules.terms[0].kind", "rules.terms[1].use", "rules.terms[2].avoid", "rules.terms[3].use",
		"rules.hashtags.required[0]", "rules.hashtags.max.x", "rules.hashtags.position", "rules.links.allowed_domains[0]",
		"rules.links.required_utm[0]", "rules.emoji.mode", "rules.emoji.banned[0]", "rules.form.max_sentence_words",
		"rules.form.min_reading_ease", "rules.form.address", "labels[0].label", "labels[0].max_hashtags",
		"labels[0].disclaimers[0].any", "labels[0].disclaimers[0].position", "channels[0].channel_id", "channels[2].channel_id",
		"severities.nope", "severities.vocabulary.banned",
	} {
		if ve.Fields[path] == "" {
			t.Errorf("no message for %s (got %v)", path, ve.Fields)
		}
	}
	if !strings.Contains(err.Error(), "rules.language") {
		t.Errorf("Error() = %q", err)
	}
}

func TestProfileJSON(t *testing.T) {
	// The profile is stored and served as JSON: the field names are part of the API.
	src := `{"description":"d","audience":"a","do":["x"],"dont":["y"],
	  "rules":{"language":"fr","terms":[{"kind":"preferred","use":"client","avoid":["utilisateur"],"gender":"m"}],
	    "hashtags":{"required":["#Herald"],"banned":[],"max":{"*":3},"position":"end","camel_case":true,"known":[]},
	    "links":{"allowed_domains":[],"brand_domains":["herald.app"],"required_utm":[],"utm_values":{}},
	    "mentions":{"allowed":[],"banned":[]},
	    "emoji":{"mode":"max","max":2,"banned":[]},
	    "form":{"max_sentence_words":25,"min_reading_ease":50,"max_exclamations":1,"max_all_caps":null,"acronyms":[],"address":"vous"},
	    "disclaimers":[]},
	  "labels":[{"label":"partnership","disclaimers":[{"any":["#ad"],"position":"end"}]}],
	  "channels":[{"channel_id":3,"language":"en","max_hashtags":2}],
	  "severities":{"vocabulary.preferred":"error"}}`
	dec := json.NewDecoder(strings.NewReader(src))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Labels[0].Disclaimers[0].Any[0] != "#ad" || *p.Channels[0].MaxHashtags != 2 || *p.Rules.Form.MaxExclamations != 1 {
		t.Fatalf("decoded %+v", p)
	}
}

func TestNormalize(t *testing.T) {
	p := &Profile{Rules: Rules{Terms: []Term{{Kind: Brand, Use: "Herald"}}, Disclaimers: []Disclaimer{{}}},
		Labels: []LabelPatch{{Label: "x", Patch: Patch{Form: &FormRules{}}}}}
	p.Normalize()
	b, _ := json.Marshal(p)
	// Only the two limits where null means "no limit" may stay null.
	rest := strings.NewReplacer(`"max_exclamations":null`, "", `"max_all_caps":null`, "").Replace(string(b))
	if strings.Contains(rest, "null") {
		t.Fatalf("a normalized profile still has null: %s", b)
	}
	if err := p.Validate(); err == nil {
		t.Fatal("normalizing must not make an invalid profile (a disclaimer with no form) valid")
	}
}
