package voice

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Élève": "eleve", "ÉLÈVE": "eleve", "œuvre": "oeuvre", "Æsop": "aesop", "Straße": "strasse",
		"e\u0301te\u0301": "ete", "aujourd’hui": "aujourd'hui", "USERS": "users", "ça": "ca",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSingularAndPlural(t *testing.T) {
	for in, want := range map[string]string{
		"users": "user", "policies": "policy", "boxes": "box", "glasses": "glass", "status": "status",
		"analysis": "analysis", "bus": "bus", "news": "new", "cat": "cat", "matches": "match",
	} {
		if got := singularEN(in); got != want {
			t.Errorf("singularEN(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"utilisateurs": "utilisateur", "journaux": "journal", "bateaux": "bateau", "jeux": "jeu",
		"bijoux": "bijou", "prix": "pri", "client": "client", "stress": "stress",
	} {
		if got := singularFR(in); got != want {
			t.Errorf("singularFR(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tc := range []struct{ in, lang, want string }{
		{"customer", "en", "customers"}, {"policy", "en", "policies"}, {"day", "en", "days"}, {"box", "en", "boxes"},
		{"Match", "en", "Matches"}, {"CUSTOMER", "en", "CUSTOMERS"},
		{"client", "fr", "clients"}, {"journal", "fr", "journaux"}, {"bateau", "fr", "bateaux"}, {"prix", "fr", "prix"},
		{"abonné", "fr", "abonnés"},
	} {
		if got := pluralize(tc.in, tc.lang); got != tc.want {
			t.Errorf("pluralize(%q, %s) = %q, want %q", tc.in, tc.lang, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, lang, want string }{
		{"customers", "en", "customer"}, {"policies", "en", "policy"}, {"Clients", "fr", "Client"},
		{"journaux", "fr", "journal"}, {"abonnés", "fr", "abonné"}, {"CLIENTS", "fr", "CLIENT"},
	} {
		if got := singularize(tc.in, tc.lang); got != tc.want {
			t.Errorf("singularize(%q, %s) = %q, want %q", tc.in, tc.lang, got, tc.want)
		}
	}
}

func TestTokenize(t *testing.T) {
	for in, want := range map[string][]string{
		"l'utilisateur":      {"l'|", "utilisateur"},
		"L’ÉQUIPE qu’il":     {"L’|", "ÉQUIPE", "qu’|", "il"},
		"aujourd'hui":        {"aujourd'hui"},
		"don't stop":         {"don't", "stop"},
		"peut-être":          {"peut", "être"},
		"jusqu'à demain":     {"jusqu'|", "à", "demain"},
		"rock'n'roll 3.5":    {"rock'n'roll", "3", "5"},
		"e\u0301te\u0301!":   {"e\u0301te\u0301"},
		"l'":                 {"l"},
		"'quoted' word":      {"quoted", "word"},
		"c'est l'été, non ?": {"c'|", "est", "l'|", "été", "non"},
	} {
		var got []string
		for _, tk := range tokenize(in, nil) {
			s := tk.raw
			if tk.elision {
				s += "|"
			}
			got = append(got, s)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("tokenize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpansInUTF16(t *testing.T) {
	text := "é👍🏽 x 🇫🇷y"
	d := newDoc(text)
	u := utf16.Encode([]rune(text))
	for _, tc := range []struct{ start, end int }{{0, 2}, {2, 10}, {11, 12}, {13, 21}, {21, 22}} {
		sp := d.span(tc.start, tc.end)
		if string(utf16.Decode(u[sp.Start16:sp.End16])) != text[sp.Start:sp.End] {
			t.Errorf("span %+v: UTF-16 %q, bytes %q", sp, string(utf16.Decode(u[sp.Start16:sp.End16])), text[sp.Start:sp.End])
		}
	}
	// A span inside a cluster widens to the whole cluster.
	if sp := d.span(3, 4); text[sp.Start:sp.End] != "👍🏽" {
		t.Errorf("span inside an emoji widened to %q", text[sp.Start:sp.End])
	}
	if sp := d.span(14, 14); sp.Start != 13 {
		t.Errorf("insertion inside a flag moved to %d, want 13", sp.Start)
	}
}

func TestLinks(t *testing.T) {
	for in, want := range map[string][]string{
		"See https://a.com/x).":                 {"https://a.com/x"},
		"(see https://en.wiki.org/A_(b)) now":   {"https://en.wiki.org/A_(b)"},
		"Go to www.example.org, then rest":      {"www.example.org"},
		"Visit herald.app.":                     {"herald.app"},
		"Prices at herald.app/prix?x=1!":        {"herald.app/prix?x=1"},
		"Mail me@example.com or e.g. this":      nil,
		"Version 2.0 and file.txt":              nil,
		"«https://exemple.fr/a» et http://x.fr": {"https://exemple.fr/a", "http://x.fr"},
		"HTTPS://EXAMPLE.COM/Path":              {"HTTPS://EXAMPLE.COM/Path"},
		// Bare hosts on a country's domain, which X's extractor (content.Links) leaves out.
		"Rendez-vous sur herald.fr ou concurrent.de": {"herald.fr", "concurrent.de"},
		"Try herald.io.": {"herald.io"},
	} {
		var got []string
		for _, l := range findLinks(in) {
			got = append(got, l.raw)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("findLinks(%q) = %q, want %q", in, got, want)
		}
	}
	if h := hostOf("https://User@WWW.Example.COM:8443/x"); h != "example.com" {
		t.Errorf("hostOf = %q", h)
	}
	if !domainIn("blog.herald.app", []string{"https://herald.app/"}) || domainIn("notherald.app", []string{"herald.app"}) {
		t.Error("domainIn must accept subdomains and nothing else")
	}
}

func TestEmojiClusters(t *testing.T) {
	for in, want := range map[string]bool{
		"🎉": true, "👍🏽": true, "🇫🇷": true, "👩‍👩‍👧": true, "1️⃣": true, "#️⃣": true, "❤️": true, "⌚": true,
		"🏴󠁧󠁢󠁳󠁣󠁴󠁿": true, "🏻": true,
		"❤": false, "©": false, "™": false, "→": false, "a": false, "1": false, "#": false, "⌚︎": false, "é": false,
	} {
		if got := isEmoji(in); got != want {
			t.Errorf("isEmoji(%q) = %v, want %v", in, got, want)
		}
	}
	if k, ok := emojiKey("👎🏿"); !ok || k != "👎" {
		t.Errorf("emojiKey(👎🏿) = %q, %v", k, ok)
	}
	if _, ok := emojiKey("👎👎"); ok {
		t.Error("two emoji are not one")
	}
	d := newDoc("a 🎉b 🇫🇷🇫🇷 ©️")
	var got []string
	for _, e := range d.emojis() {
		got = append(got, d.text[e.start:e.end])
	}
	if strings.Join(got, ",") != "🎉,🇫🇷,🇫🇷,©️" {
		t.Errorf("emojis = %q", got)
	}
}

func TestSentences(t *testing.T) {
	d := newDoc("First one. Second at https://a.com/x.y now!\nThird line 3.5 ok… Last")
	var got []string
	for _, s := range d.sentences() {
		got = append(got, d.text[s.start:s.end])
	}
	want := []string{"First one.", "Second at https://a.com/x.y now!", "Third line 3.5 ok…", "Last"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sentences = %q, want %q", got, want)
	}
}

func TestSimilarity(t *testing.T) {
	for _, tc := range []struct {
		a, b     string
		min, max float64
	}{
		{"Hello world, this is Herald!", "hello WORLD this is herald", 1, 1},
		{"Nouvelle fonctionnalité disponible dès aujourd'hui 🎉", "Nouvelle fonctionnalite disponible des aujourd’hui", 1, 1},
		{"Our new app is out today, try it now", "Our new app is out today, try it", 0.8, 0.95},
		{"Our new app is out today", "Join us at the meetup on Friday", 0, 0},
		{"a b c d", "d c b a", 0, 0},
		{"", "", 1, 1},
		{"word", "Word!", 1, 1},
	} {
		if got := Similarity(tc.a, tc.b); got < tc.min || got > tc.max {
			t.Errorf("Similarity(%q, %q) = %v, want %v–%v", tc.a, tc.b, got, tc.min, tc.max)
		}
	}
}

// TestEntitiesInsideLinks: the fragment or path of a link without a scheme is part of the link,
// not a hashtag or a mention (the content package only knows links with a scheme here).
func TestEntitiesInsideLinks(t *testing.T) {
	d := newDoc("Tarifs sur herald.app/#prix et herald.app/@equipe, puis #Herald @herald")
	var tags, mentions []string
	for _, h := range d.hashtags {
		tags = append(tags, h.text)
	}
	for _, m := range d.mentions {
		mentions = append(mentions, m.text)
	}
	if !reflect.DeepEqual(tags, []string{"#Herald"}) || !reflect.DeepEqual(mentions, []string{"@herald"}) {
		t.Errorf("hashtags %q, mentions %q; want only those outside the links", tags, mentions)
	}
	p := &Profile{Rules: Rules{Hashtags: HashtagRules{Max: map[string]int{"*": 1}}}}
	if fs := Check(p, en("See herald.app/#pricing today #Herald")); len(fs) != 0 {
		t.Errorf("a link's fragment counted as a hashtag: %+v", fs)
	}
}
