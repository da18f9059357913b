package voice

import (
	"fmt"
	"strings"
	"testing"
)

// want is one expected finding: its rule, the text it underlines, and the whole text after its
// fix is applied ("" when it has no fix).
type want struct {
	rule    string
	excerpt string
	fixed   string
}

type ruleCase struct {
	name  string
	rules Rules
	in    Input
	want  []want
	// msg, when set, must appear in the first finding's message.
	msg string
}

func ptr[T any](v T) *T { return &v }

// applyFix returns text with f applied.
func applyFix(text string, f *Fix) string {
	return text[:f.Span.Start] + f.Replacement + text[f.Span.End:]
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &Profile{Rules: tc.rules}
			if err := p.Validate(); err != nil {
				t.Fatalf("the case's profile is invalid: %v", err)
			}
			got := Check(p, tc.in)
			var desc []string
			for _, f := range got {
				fixed := ""
				if f.Fix != nil {
					fixed = applyFix(tc.in.Text, f.Fix)
				}
				desc = append(desc, fmt.Sprintf("%s %q → %q (%s)", f.Rule, f.Excerpt, fixed, f.Message))
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tc.want), strings.Join(desc, "\n"))
			}
			for i, w := range tc.want {
				f := got[i]
				if f.Rule != w.rule || f.Excerpt != w.excerpt {
					t.Errorf("finding %d: %s %q, want %s %q", i, f.Rule, f.Excerpt, w.rule, w.excerpt)
				}
				if f.Excerpt != tc.in.Text[f.Span.Start:f.Span.End] {
					t.Errorf("finding %d: excerpt %q is not the span's text %q", i, f.Excerpt, tc.in.Text[f.Span.Start:f.Span.End])
				}
				if f.Severity != DefaultSeverity(w.rule) {
					t.Errorf("finding %d: severity %s, want the rule's default %s", i, f.Severity, DefaultSeverity(w.rule))
				}
				switch {
				case w.fixed == "" && f.Fix != nil:
					t.Errorf("finding %d: unexpected fix to %q", i, applyFix(tc.in.Text, f.Fix))
				case w.fixed != "" && f.Fix == nil:
					t.Errorf("finding %d: no fix, want %q", i, w.fixed)
				case w.fixed != "" && applyFix(tc.in.Text, f.Fix) != w.fixed:
					t.Errorf("finding %d: fixed text\n  %q\nwant\n  %q", i, applyFix(tc.in.Text, f.Fix), w.fixed)
				}
				if f.Message == "" {
					t.Errorf("finding %d has no message", i)
				}
			}
			if tc.msg != "" && len(got) > 0 && !strings.Contains(got[0].Message, tc.msg) {
				t.Errorf("message %q does not contain %q", got[0].Message, tc.msg)
			}
		})
	}
}

func en(text string) Input { return Input{Text: text, Language: "en"} }
func fr(text string) Input { return Input{Text: text, Language: "fr", Locale: "fr"} }

func vocabularyCases() []ruleCase {
	customers := Rules{Terms: []Term{{Kind: Preferred, Use: "customer", Avoid: []string{"user", "end user"}}}}
	clients := Rules{Terms: []Term{{Kind: Preferred, Use: "client", Avoid: []string{"utilisateur"}, Gender: "m"}}}
	abonnes := Rules{Terms: []Term{{Kind: Preferred, Use: "abonné", Avoid: []string{"client"}}}}
	brand := Rules{Terms: []Term{{Kind: Brand, Use: "Herald", Avoid: []string{"Heraldapp"}}}}
	return []ruleCase{
		// Preferred terms: plural, capitals and phrases in English.
		{name: "en preferred singular", rules: customers, in: en("Ask any user."),
			want: []want{{RulePreferred, "user", "Ask any customer."}}, msg: "“customer”"},
		{name: "en preferred plural", rules: customers, in: en("Our users love it."),
			want: []want{{RulePreferred, "users", "Our customers love it."}}},
		{name: "en preferred capitalised", rules: customers, in: en("Users first."),
			want: []want{{RulePreferred, "Users", "Customers first."}}},
		{name: "en preferred all caps", rules: customers, in: en("ATTENTION USERS"),
			want: []want{{RulePreferred, "USERS", "ATTENTION CUSTOMERS"}}},
		{name: "en preferred phrase wins over its word", rules: customers, in: en("Every end user counts."),
			want: []want{{RulePreferred, "end user", "Every customer counts."}}},
		{name: "en preferred not inside a longer word", rules: customers, in: en("The username is shown."), want: nil},
		{name: "en preferred not in links or tags", rules: customers, in: en("See https://example.com/user #user @user"), want: nil},
		{name: "en preferred plural -ies", rules: Rules{Terms: []Term{{Kind: Preferred, Use: "guideline", Avoid: []string{"policy"}}}},
			in: en("Read our policies."), want: []want{{RulePreferred, "policies", "Read our guidelines."}}},
		// French: accents, plurals, elision both ways.
		{name: "fr preferred plural", rules: clients, in: fr("Merci à nos utilisateurs."),
			want: []want{{RulePreferred, "utilisateurs", "Merci à nos clients."}}, msg: "«\u00a0clients\u00a0»"},
		{name: "fr preferred elision to a consonant", rules: clients, in: fr("Pensé pour l'utilisateur."),
			want: []want{{RulePreferred, "utilisateur", "Pensé pour le client."}}},
		{name: "fr preferred elision capitalised, typographic apostrophe", rules: clients, in: fr("L’utilisateur d’abord."),
			want: []want{{RulePreferred, "utilisateur", "Le client d’abord."}}},
		{name: "fr preferred de elided", rules: clients, in: fr("La voix d'utilisateurs fidèles."),
			want: []want{{RulePreferred, "utilisateurs", "La voix de clients fidèles."}}},
		{name: "fr preferred contraction before a vowel", rules: abonnes, in: fr("Le client a toujours raison."),
			want: []want{{RulePreferred, "client", "L'abonné a toujours raison."}}},
		{name: "fr preferred contraction keeps the typographic apostrophe", rules: abonnes, in: fr("Aujourd’hui, le client décide."),
			want: []want{{RulePreferred, "client", "Aujourd’hui, l’abonné décide."}}},
		{name: "fr preferred l' without gender: no automatic fix", rules: Rules{Terms: []Term{{Kind: Preferred, Use: "client", Avoid: []string{"usager"}}}},
			in: fr("Pour l'usager."), want: []want{{RulePreferred, "usager", ""}}, msg: "article"},
		{name: "fr preferred accents and capitals folded", rules: Rules{Terms: []Term{{Kind: Preferred, Use: "apprenant", Avoid: []string{"élève"}}}},
			in: fr("Chaque ELEVE compte."), want: []want{{RulePreferred, "ELEVE", "Chaque APPRENANT compte."}}},
		{name: "fr preferred -aux plural", rules: Rules{Terms: []Term{{Kind: Preferred, Use: "média", Avoid: []string{"journal"}}}},
			in: fr("Les journaux en parlent."), want: []want{{RulePreferred, "journaux", "Les médias en parlent."}}},
		{name: "fr preferred ligature", rules: Rules{Terms: []Term{{Kind: Preferred, Use: "travail", Avoid: []string{"oeuvre"}}}},
			in: fr("Une œuvre collective."), want: []want{{RulePreferred, "œuvre", "Une travail collective."}}},
		// Brand names: one spelling, one set of capitals.
		{name: "en brand lowercase", rules: brand, in: en("Try herald today."),
			want: []want{{RuleBrand, "herald", "Try Herald today."}}},
		{name: "en brand written right", rules: brand, in: en("Try Herald today."), want: nil},
		{name: "en brand misspelling", rules: brand, in: en("Download Heraldapp."),
			want: []want{{RuleBrand, "Heraldapp", "Download Herald."}}},
		{name: "fr brand capitals", rules: brand, in: fr("Découvrez HERALD."),
			want: []want{{RuleBrand, "HERALD", "Découvrez Herald."}}, msg: "«\u00a0Herald\u00a0»"},
		{name: "fr brand after elision", rules: brand, in: fr("L'équipe d'herald."),
			want: []want{{RuleBrand, "herald", "L'équipe d'Herald."}}},
		// Banned and sensitive words.
		{name: "en banned with reason", rules: Rules{Terms: []Term{{Kind: Banned, Avoid: []string{"guarantee"}, Reason: "legal forbids promises"}}},
			in: en("We guarantee results."), want: []want{{RuleBanned, "guarantee", ""}}, msg: "legal forbids promises"},
		{name: "en banned phrase with replacement", rules: Rules{Terms: []Term{{Kind: Banned, Use: "see the details", Avoid: []string{"click here"}}}},
			in: en("Click here to join."), want: []want{{RuleBanned, "Click here", "See the details to join."}}},
		{name: "fr banned plural and capitals", rules: Rules{Terms: []Term{{Kind: Banned, Avoid: []string{"gratuit"}, Reason: "interdit par le juridique"}}},
			in: fr("Des cadeaux GRATUITS !"), want: []want{{RuleBanned, "GRATUITS", ""}}, msg: "Pourquoi"},
		{name: "en sensitive", rules: Rules{Terms: []Term{{Kind: Sensitive, Avoid: []string{"layoff"}}}},
			in: en("No layoffs this year."), want: []want{{RuleSensitive, "layoffs", ""}}, msg: "editor"},
		{name: "fr sensitive", rules: Rules{Terms: []Term{{Kind: Sensitive, Avoid: []string{"licenciement"}}}},
			in: fr("Pas de licenciements."), want: []want{{RuleSensitive, "licenciements", ""}}, msg: "éditeur"},
		{name: "banned beats preferred on the same words", rules: Rules{Terms: []Term{
			{Kind: Preferred, Use: "customer", Avoid: []string{"user"}}, {Kind: Banned, Avoid: []string{"user"}}}},
			in: en("A user."), want: []want{{RuleBanned, "user", ""}}},
	}
}

func TestVocabulary(t *testing.T) { runRuleCases(t, vocabularyCases()) }

func hashtagRulesCases() []ruleCase {
	return []ruleCase{
		{name: "en required appended to the tag block", rules: Rules{Hashtags: HashtagRules{Required: []string{"#Herald"}}},
			in: en("New release. #launch"), want: []want{{RuleHashtagRequired, "", "New release. #launch #Herald"}}},
		{name: "en required on a new paragraph", rules: Rules{Hashtags: HashtagRules{Required: []string{"#Herald"}}},
			in: en("New release.\n"), want: []want{{RuleHashtagRequired, "", "New release.\n\n#Herald\n"}}},
		{name: "required present in other capitals", rules: Rules{Hashtags: HashtagRules{Required: []string{"#Herald"}}},
			in: en("Hi #herald"), want: nil},
		{name: "fr required accent-insensitive", rules: Rules{Hashtags: HashtagRules{Required: []string{"#Rentrée"}}},
			in: fr("C'est la #rentree"), want: nil},
		{name: "fr required", rules: Rules{Hashtags: HashtagRules{Required: []string{"#Rentrée"}}},
			in: fr("C'est la rentrée !"), want: []want{{RuleHashtagRequired, "", "C'est la rentrée !\n\n#Rentrée"}}, msg: "Ajoutez #Rentrée"},
		{name: "en banned", rules: Rules{Hashtags: HashtagRules{Banned: []string{"#followback"}}},
			in: en("Hello #FollowBack friends"), want: []want{{RuleHashtagBanned, "#FollowBack", "Hello friends"}}},
		{name: "fr banned at the end", rules: Rules{Hashtags: HashtagRules{Banned: []string{"#promo"}}},
			in: fr("Soldes d'été #promo"), want: []want{{RuleHashtagBanned, "#promo", "Soldes d'été"}}},
		{name: "en max per network", rules: Rules{Hashtags: HashtagRules{Max: map[string]int{"linkedin": 2, "*": 5}}},
			in: Input{Text: "#a1 #b2 #c3", Network: "linkedin", Language: "en"}, want: []want{{RuleHashtagMax, "#c3", "#a1 #b2"}}, msg: "linkedin: 3, at most 2"},
		{name: "en max other networks use *", rules: Rules{Hashtags: HashtagRules{Max: map[string]int{"linkedin": 2, "*": 5}}},
			in: Input{Text: "#a1 #b2 #c3", Network: "mastodon", Language: "en"}, want: nil},
		{name: "fr max", rules: Rules{Hashtags: HashtagRules{Max: map[string]int{"*": 1}}},
			in: fr("Bonjour #un #deux"), want: []want{{RuleHashtagMax, "#deux", "Bonjour #un"}}, msg: "au plus 1"},
		{name: "en position end", rules: Rules{Hashtags: HashtagRules{Position: PositionEnd}},
			in: en("Join #Herald today. #launch"), want: []want{{RuleHashtagPosition, "#Herald", "Join Herald today. #launch #Herald"}}},
		{name: "fr position end without a block", rules: Rules{Hashtags: HashtagRules{Position: PositionEnd}},
			in: fr("Vive la #rentrée !"), want: []want{{RuleHashtagPosition, "#rentrée", "Vive la rentrée !\n\n#rentrée"}}},
		{name: "en position end satisfied", rules: Rules{Hashtags: HashtagRules{Position: PositionEnd}},
			in: en("Join us today.\n\n#launch #Herald"), want: nil},
		{name: "en position inline", rules: Rules{Hashtags: HashtagRules{Position: PositionInline}},
			in: en("Join us today. #launch #Herald #news"), want: []want{{RuleHashtagPosition, "#launch #Herald #news", ""}}},
		{name: "fr position inline satisfied", rules: Rules{Hashtags: HashtagRules{Position: PositionInline}},
			in: fr("Vive la #rentrée avec #Herald"), want: nil},
		{name: "en camel case", rules: Rules{Hashtags: HashtagRules{CamelCase: true}},
			in: en("Tips: #socialmediatips"), want: []want{{RuleHashtagCase, "#socialmediatips", "Tips: #SocialMediaTips"}}},
		{name: "en camel case all caps", rules: Rules{Hashtags: HashtagRules{CamelCase: true}},
			in: en("#BLACKFRIDAY deals"), want: []want{{RuleHashtagCase, "#BLACKFRIDAY", "#BlackFriday deals"}}},
		{name: "en camel case unknown words left alone", rules: Rules{Hashtags: HashtagRules{CamelCase: true}},
			in: en("#xyzzyplugh and #launch"), want: nil},
		{name: "fr camel case keeps accents", rules: Rules{Hashtags: HashtagRules{CamelCase: true}},
			in: fr("Bonne #fêtedesmères"), want: []want{{RuleHashtagCase, "#fêtedesmères", "Bonne #FêteDesMères"}}, msg: "#FêteDesMères"},
		{name: "fr camel case already mixed", rules: Rules{Hashtags: HashtagRules{CamelCase: true}},
			in: fr("#BonneSemaine à tous"), want: nil},
		{name: "known casing", rules: Rules{Hashtags: HashtagRules{Known: []string{"#HeraldTips"}}},
			in: en("#heraldtips for you"), want: []want{{RuleHashtagCase, "#heraldtips", "#HeraldTips for you"}}},
	}
}

func TestHashtagRules(t *testing.T) { runRuleCases(t, hashtagRulesCases()) }

func linkAndMentionRulesCases() []ruleCase {
	brandLinks := Rules{Links: LinkRules{BrandDomains: []string{"herald.app"}}}
	return []ruleCase{
		{name: "en domain not allowed", rules: Rules{Links: LinkRules{AllowedDomains: []string{"example.org"}}},
			in: en("Read https://competitor.com/post today"), want: []want{{RuleLinkDomain, "https://competitor.com/post", ""}}},
		{name: "en subdomain allowed", rules: Rules{Links: LinkRules{AllowedDomains: []string{"example.org"}}},
			in: en("Read https://blog.example.org/post."), want: nil},
		{name: "fr domain not allowed, bare host", rules: Rules{Links: LinkRules{AllowedDomains: []string{"herald.app"}}},
			in: fr("Lisez concurrent.fr/article aujourd'hui"), want: []want{{RuleLinkDomain, "concurrent.fr/article", ""}}, msg: "concurrent.fr"},
		{name: "brand domains are allowed", rules: Rules{Links: LinkRules{AllowedDomains: []string{"example.org"}, BrandDomains: []string{"herald.app"}, RequiredUTM: []string{"ref"}}},
			in: en("https://herald.app/?ref=x"), want: nil},
		{name: "en utm added", rules: brandLinks,
			in: Input{Text: "See https://herald.app/pricing.", Network: "mastodon", Campaign: "Spring Sale", Language: "en"},
			want: []want{{RuleLinkUTM, "https://herald.app/pricing",
				"See https://herald.app/pricing?utm_source=mastodon&utm_medium=social&utm_campaign=spring-sale."}}},
		{name: "en utm completes a query and keeps the fragment", rules: brandLinks,
			in:   Input{Text: "https://www.herald.app/a?utm_source=x#top", Labels: []string{"Product News"}, Language: "en"},
			want: []want{{RuleLinkUTM, "https://www.herald.app/a?utm_source=x#top", "https://www.herald.app/a?utm_source=x&utm_medium=social&utm_campaign=product-news#top"}}},
		{name: "fr utm on a bare link", rules: brandLinks,
			in:   Input{Text: "Tarifs sur herald.app/tarifs !", Network: "bluesky", Language: "fr", Locale: "fr"},
			want: []want{{RuleLinkUTM, "herald.app/tarifs", "Tarifs sur herald.app/tarifs?utm_source=bluesky&utm_medium=social&utm_campaign=social !"}}, msg: "il manque"},
		{name: "utm present", rules: brandLinks,
			in: en("https://herald.app/?utm_source=a&utm_medium=b&utm_campaign=c"), want: nil},
		{name: "custom utm values", rules: Rules{Links: LinkRules{BrandDomains: []string{"herald.app"}, RequiredUTM: []string{"utm_source"}, UTMValues: map[string]string{"utm_source": "herald-{network}"}}},
			in: Input{Text: "herald.app", Network: "x"}, want: []want{{RuleLinkUTM, "herald.app", "herald.app?utm_source=herald-x"}}},
		{name: "en mention not allowed", rules: Rules{Mentions: MentionRules{Allowed: []string{"@herald"}}},
			in: en("Thanks @herald and @someone!"), want: []want{{RuleMentionAllowed, "@someone", ""}}},
		{name: "fr mention not allowed", rules: Rules{Mentions: MentionRules{Allowed: []string{"@herald@mastodon.social"}}},
			in: fr("Merci @herald@mastodon.social et @inconnu"), want: []want{{RuleMentionAllowed, "@inconnu", ""}}, msg: "comptes"},
		{name: "en mention banned", rules: Rules{Mentions: MentionRules{Banned: []string{"@rival"}}},
			in: en("@rival said hi"), want: []want{{RuleMentionBanned, "@rival", "said hi"}}},
		{name: "fr mention banned", rules: Rules{Mentions: MentionRules{Banned: []string{"@concurrent"}}},
			in: fr("Merci @Concurrent pour tout"), want: []want{{RuleMentionBanned, "@Concurrent", "Merci pour tout"}}, msg: "ne mentionne jamais"},
	}
}

func TestLinkAndMentionRules(t *testing.T) { runRuleCases(t, linkAndMentionRulesCases()) }

func emojiRulesCases() []ruleCase {
	return []ruleCase{
		{name: "en none", rules: Rules{Emoji: EmojiRules{Mode: EmojiNone}},
			in: en("Great news 🎉 today"), want: []want{{RuleEmojiCount, "🎉", "Great news today"}}},
		{name: "fr none counts a flag and a skin tone as one each", rules: Rules{Emoji: EmojiRules{Mode: EmojiNone}},
			in: fr("Bravo 👍🏽🇫🇷"), want: []want{{RuleEmojiCount, "👍🏽", "Bravo 🇫🇷"}, {RuleEmojiCount, "🇫🇷", "Bravo 👍🏽"}}, msg: "emoji"},
		{name: "en max", rules: Rules{Emoji: EmojiRules{Mode: EmojiMax, Max: 1}},
			in: en("Yes 🎉 yes 👩‍👩‍👧 yes"), want: []want{{RuleEmojiCount, "👩‍👩‍👧", "Yes 🎉 yes yes"}}},
		{name: "fr max respected", rules: Rules{Emoji: EmojiRules{Mode: EmojiMax, Max: 2}},
			in: fr("Oui 🎉 oui 1️⃣"), want: nil},
		{name: "text symbols are not emoji", rules: Rules{Emoji: EmojiRules{Mode: EmojiNone}},
			in: en("Herald™ © 2026 → next"), want: nil},
		{name: "en banned whatever the skin tone", rules: Rules{Emoji: EmojiRules{Banned: []string{"👎"}}},
			in: en("Not this 👎🏿"), want: []want{{RuleEmojiBanned, "👎🏿", "Not this"}}},
		{name: "fr banned with presentation selector", rules: Rules{Emoji: EmojiRules{Banned: []string{"❤️"}}},
			in: fr("On ❤ et ❤️"), want: []want{{RuleEmojiBanned, "❤️", "On ❤ et"}}, msg: "n’utilise pas"},
	}
}

func TestEmojiRules(t *testing.T) { runRuleCases(t, emojiRulesCases()) }

func formRulesCases() []ruleCase {
	long := Rules{Form: FormRules{MaxSentenceWords: 8}}
	return []ruleCase{
		{name: "en sentence too long", rules: long,
			in:   en("Short one. This sentence is far too long for the brand to accept today. Ok."),
			want: []want{{RuleSentenceLength, "This sentence is far too long for the brand to accept today.", ""}}, msg: "12 words"},
		{name: "fr sentence too long", rules: long,
			in:   fr("Bonjour. Cette phrase est beaucoup trop longue pour la marque qui préfère la concision."),
			want: []want{{RuleSentenceLength, "Cette phrase est beaucoup trop longue pour la marque qui préfère la concision.", ""}}, msg: "13 mots"},
		{name: "links and tags do not count as words", rules: long,
			in: en("Read it at https://example.com/a.b.c #one #two #three #four #five now."), want: nil},
		{name: "en reading ease too low", rules: Rules{Form: FormRules{MinReadingEase: 60}},
			in: en("Notwithstanding considerable organisational complexities, implementation methodologies necessitate comprehensive interdepartmental collaboration. " +
				"Consequently, stakeholders anticipate substantially accelerated operational optimisation across geographically distributed organisations. We ship."),
			want: []want{{RuleReadingEase, "Notwithstanding considerable organisational complexities, implementation methodologies necessitate comprehensive interdepartmental collaboration.", ""}}, msg: "Reading ease 0, below the brand’s 60"},
		{name: "en reading ease fine", rules: Rules{Form: FormRules{MinReadingEase: 60}},
			in: en("We made a new app. It is fast. You can try it now. It is free for a month. Tell us what you think of it. We read every note you send.")},
		{name: "fr reading ease too low", rules: Rules{Form: FormRules{MinReadingEase: 50}},
			in: fr("L'optimisation organisationnelle nécessite indubitablement une réorganisation méthodologique considérablement approfondie. " +
				"Parallèlement, l'internationalisation institutionnelle complexifie considérablement l'opérationnalisation des responsabilités gouvernementales interministérielles. Merci."),
			want: []want{{RuleReadingEase, "Parallèlement, l'internationalisation institutionnelle complexifie considérablement l'opérationnalisation des responsabilités gouvernementales interministérielles.", ""}}, msg: "Lisibilité 0, sous l’objectif de 50"},
		{name: "fr reading ease fine", rules: Rules{Form: FormRules{MinReadingEase: 50}},
			in: fr("On a fait une appli. Elle est simple. Tu peux la voir ici. Elle est gratuite un mois. Dis-nous ce que tu en penses. On lit tout.")},
		{name: "short texts are not judged", rules: Rules{Form: FormRules{MinReadingEase: 90}},
			in: en("Notwithstanding considerable organisational complexities.")},
		{name: "en exclamations run", rules: Rules{Form: FormRules{MaxExclamations: ptr(1)}},
			in: en("Wow!!! So good!"), want: []want{{RuleExclamations, "!!!", "Wow! So good!"}, {RuleExclamations, "!", "Wow!!! So good."}}},
		{name: "fr exclamation with its space", rules: Rules{Form: FormRules{MaxExclamations: ptr(0)}},
			in: fr("Génial ! On y va"), want: []want{{RuleExclamations, "!", "Génial. On y va"}}, msg: "au plus 0"},
		{name: "fr exclamations within limit", rules: Rules{Form: FormRules{MaxExclamations: ptr(2)}},
			in: fr("Génial ! Bravo !")},
		{name: "en all caps", rules: Rules{Form: FormRules{MaxAllCaps: ptr(0), Acronyms: []string{"NASA"}}},
			in:   en("FREE shipping from NASA and the EU. BUY NOW"),
			want: []want{{RuleAllCaps, "FREE", "Free shipping from NASA and the EU. BUY NOW"}, {RuleAllCaps, "BUY", "FREE shipping from NASA and the EU. Buy NOW"}, {RuleAllCaps, "NOW", "FREE shipping from NASA and the EU. BUY now"}}},
		{name: "fr all caps above the limit", rules: Rules{Form: FormRules{MaxAllCaps: ptr(1)}, Terms: []Term{{Kind: Brand, Use: "HERALD"}}},
			in: fr("HERALD dit : PROFITEZ vite, OFFRE limitée"), want: []want{{RuleAllCaps, "OFFRE", "HERALD dit : PROFITEZ vite, offre limitée"}}, msg: "majuscules"},
		{name: "fr vous wanted", rules: Rules{Form: FormRules{Address: AddressVous}},
			in:   fr("Tu peux voir ton compte et tes factures. À toi !"),
			want: []want{{RuleAddress, "Tu", ""}, {RuleAddress, "ton", "Tu peux voir votre compte et tes factures. À toi !"}, {RuleAddress, "tes", "Tu peux voir ton compte et vos factures. À toi !"}, {RuleAddress, "toi", "Tu peux voir ton compte et tes factures. À vous !"}}, msg: "vouvoie"},
		{name: "fr tu wanted", rules: Rules{Form: FormRules{Address: AddressTu}},
			in: fr("Voici vos cadeaux, on vous aime"), want: []want{{RuleAddress, "vos", "Voici tes cadeaux, on vous aime"}, {RuleAddress, "vous", ""}}},
		{name: "fr elided te counts as tu", rules: Rules{Form: FormRules{Address: AddressVous}},
			in: fr("On t'attend"), want: []want{{RuleAddress, "t'", ""}}},
		{name: "fr consistent flags the minority", rules: Rules{Form: FormRules{Address: AddressConsistent}},
			in: fr("Vous allez adorer votre cadeau, tu verras."), want: []want{{RuleAddress, "tu", ""}}, msg: "mélange"},
		{name: "address is French only", rules: Rules{Form: FormRules{Address: AddressVous}},
			in: en("Tu is a word; so is ton."), want: nil},
	}
}

func TestFormRules(t *testing.T) { runRuleCases(t, formRulesCases()) }

func disclaimerAndLanguageRulesCases() []ruleCase {
	ad := Rules{Disclaimers: []Disclaimer{{Any: []string{"#ad", "#sponsored"}}}}
	pub := Rules{Disclaimers: []Disclaimer{{Any: []string{"#sponsorisé", "Partenariat rémunéré"}, Position: DisclaimerEnd}}}
	return []ruleCase{
		{name: "en disclaimer missing", rules: ad, in: en("Loving this jacket from @brand."),
			want: []want{{RuleDisclaimer, "", "Loving this jacket from @brand.\n\n#ad"}}, msg: "“#ad”"},
		{name: "en disclaimer present in another form", rules: ad, in: en("Loving it #Sponsored"), want: nil},
		{name: "disclaimer is not found inside a longer tag", rules: ad, in: en("An #adventure awaits #travel"),
			want: []want{{RuleDisclaimer, "", "An #adventure awaits #travel #ad"}}},
		{name: "fr disclaimer at the end", rules: pub, in: fr("Partenariat rémunéré avec la marque.\nMerci à eux !"),
			want: []want{{RuleDisclaimer, "", "Partenariat rémunéré avec la marque.\nMerci à eux !\n\n#sponsorisé"}}, msg: "à la fin"},
		{name: "fr disclaimer at the end, accents folded", rules: pub, in: fr("Merci à eux !\npartenariat remunere"), want: nil},
		{name: "en disclaimer at the start", rules: Rules{Disclaimers: []Disclaimer{{Any: []string{"[Ad]"}, Position: DisclaimerStart}}},
			in: en("Great shoes.\nSo comfy. [Ad]"), want: []want{{RuleDisclaimer, "", "[Ad] Great shoes.\nSo comfy. [Ad]"}}},
		// Label patches are tested in TestLabelAndChannelPatches; without a disclaimer, nothing is asked.
		{name: "no disclaimer configured", rules: Rules{}, in: en("Nice."), want: nil},
		{name: "fr disclaimer at the start after blank lines, accents folded", rules: Rules{Disclaimers: []Disclaimer{{Any: []string{"Publicité"}, Position: DisclaimerStart}}},
			in: fr("\n\n  PUBLICITE : nos soldes\nVenez !"), want: nil},
		{name: "fr disclaimer on a later line is not at the start", rules: Rules{Disclaimers: []Disclaimer{{Any: []string{"Publicité"}, Position: DisclaimerStart}}},
			in: fr("Nos soldes\nPublicité"), want: []want{{RuleDisclaimer, "", "Publicité Nos soldes\nPublicité"}}, msg: "au début"},
		{name: "en disclaimer on the last line before blank ones", rules: Rules{Disclaimers: []Disclaimer{{Any: []string{"#ad"}, Position: DisclaimerEnd}}},
			in: en("#ad first\nGreat shoes #AD\n\n"), want: nil},
		{name: "en text on a French channel", rules: Rules{Language: "fr"},
			in:   Input{Text: "We are so happy to share our new app with all of you today."},
			want: []want{{RuleLanguage, "We are so happy to share our new app with all of you today.", ""}}, msg: "English"},
		{name: "fr text on an English channel", rules: Rules{Language: "en"},
			in:   Input{Text: "Nous sommes ravis de vous présenter notre nouvelle application.", Locale: "fr"},
			want: []want{{RuleLanguage, "Nous sommes ravis de vous présenter notre nouvelle application.", ""}}, msg: "français"},
		{name: "right language", rules: Rules{Language: "fr"}, in: Input{Text: "Nous sommes ravis de vous présenter notre application."}, want: nil},
		{name: "too short to tell", rules: Rules{Language: "fr"}, in: Input{Text: "Hello!"}, want: nil},
	}
}

func TestDisclaimerAndLanguageRules(t *testing.T) { runRuleCases(t, disclaimerAndLanguageRulesCases()) }

func TestLabelAndChannelPatches(t *testing.T) {
	p := &Profile{
		Rules: Rules{Hashtags: HashtagRules{Required: []string{"#Herald"}, Max: map[string]int{"*": 5}}, Language: "en"},
		Labels: []LabelPatch{{Label: "Partnership", Patch: Patch{Disclaimers: []Disclaimer{{Any: []string{"#ad"}}}}},
			{Label: "quiet", Patch: Patch{MaxHashtags: ptr(1)}}},
		Channels: []ChannelPatch{{ChannelID: 7, Patch: Patch{Language: ptr("fr"), RequiredHashtags: []string{"#HeraldFR"}}}},
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	r := p.Resolve(7, []string{"partnership", "quiet"})
	if r.Language != "fr" || len(r.Hashtags.Required) != 2 || len(r.Disclaimers) != 1 || r.Hashtags.Max["*"] != 1 {
		t.Fatalf("resolved rules: %+v", r)
	}
	if r := p.Resolve(8, nil); r.Language != "en" || len(r.Hashtags.Required) != 1 || len(r.Disclaimers) != 0 || r.Hashtags.Max["*"] != 5 {
		t.Fatalf("rules without patches: %+v", r)
	}
	// Resolving never changes the profile.
	if len(p.Rules.Hashtags.Required) != 1 || p.Rules.Hashtags.Max["*"] != 5 {
		t.Fatalf("Resolve changed the profile: %+v", p.Rules)
	}
	fs := Check(p, Input{Text: "Hello #Herald", Channel: 7, Labels: []string{"PARTNERSHIP"}})
	var rules []string
	for _, f := range fs {
		rules = append(rules, f.Rule)
	}
	if strings.Join(rules, ",") != "disclaimer.missing,hashtags.required" {
		t.Fatalf("findings %v", rules)
	}
}

func TestSeverityOverrides(t *testing.T) {
	p := &Profile{Rules: Rules{Terms: []Term{{Kind: Preferred, Use: "customer", Avoid: []string{"user"}}}},
		Severities: map[string]Severity{RulePreferred: Error}}
	fs := Check(p, en("A user."))
	if len(fs) != 1 || fs[0].Severity != Error {
		t.Fatalf("%+v", fs)
	}
	if Score(fs) != 75 {
		t.Errorf("score %d, want 75", Score(fs))
	}
}

func TestScore(t *testing.T) {
	for _, tc := range []struct {
		sev  []Severity
		want int
	}{
		{nil, 100}, {[]Severity{Info}, 98}, {[]Severity{Warning, Info}, 88}, {[]Severity{Error}, 75},
		{[]Severity{Error, Error, Error, Error}, 0}, {[]Severity{Error, Error, Error, Error, Error}, 0},
	} {
		var fs []Finding
		for _, s := range tc.sev {
			fs = append(fs, Finding{Severity: s})
		}
		if got := Score(fs); got != tc.want {
			t.Errorf("Score(%v) = %d, want %d", tc.sev, got, tc.want)
		}
	}
}

func TestLocales(t *testing.T) {
	p := &Profile{Rules: Rules{Terms: []Term{{Kind: Banned, Avoid: []string{"cheap"}}}}}
	enMsg := Check(p, Input{Text: "So cheap", Locale: "en"})[0].Message
	frMsg := Check(p, Input{Text: "So cheap", Locale: "fr"})[0].Message
	other := Check(p, Input{Text: "So cheap", Locale: "de"})[0].Message
	if !strings.Contains(enMsg, "is not in the brand") || !strings.Contains(frMsg, "ne fait pas partie") || other != enMsg {
		t.Fatalf("en %q, fr %q, de %q", enMsg, frMsg, other)
	}
	if !strings.Contains(frMsg, "«\u00a0cheap\u00a0»") {
		t.Errorf("French quotes need no-break spaces: %q", frMsg)
	}
	for id, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %s lacks a translation", id)
		}
		if strings.Count(m[0], "%") != strings.Count(m[1], "%") {
			t.Errorf("message %s: the English and French take different arguments", id)
		}
	}
}

func TestEveryRuleHasACase(t *testing.T) {
	// The tables above specify each rule; every rule needs a case that fires it on an English
	// text and one on a French text (tu and vous exist only in French).
	fired := map[string]map[string]bool{}
	for _, cases := range [][]ruleCase{vocabularyCases(), hashtagRulesCases(), linkAndMentionRulesCases(), emojiRulesCases(), formRulesCases(), disclaimerAndLanguageRulesCases()} {
		for _, c := range cases {
			lang, _, _ := strings.Cut(c.name, " ")
			for _, w := range c.want {
				if fired[w.rule] == nil {
					fired[w.rule] = map[string]bool{}
				}
				fired[w.rule][lang] = true
			}
		}
	}
	for _, r := range AllRules() {
		if DefaultSeverity(r) == "" {
			t.Errorf("rule %s has no default severity", r)
		}
		if !fired[r]["fr"] {
			t.Errorf("rule %s has no French case", r)
		}
		if !fired[r]["en"] && r != RuleAddress {
			t.Errorf("rule %s has no English case", r)
		}
	}
}
