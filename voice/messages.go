package voice

import (
	"fmt"
	"strings"
)

// Locales are the languages findings can be explained in.
var Locales = []string{"en", "fr"}

// messages holds each message in English and French, as fmt formats. The French ones are written
// with plain spaces; msg turns those French typography wants unbreakable (inside « », before : ;
// ! ?) into no-break spaces.
var messages = map[string][2]string{
	"preferred":          {"Say “%s” rather than “%s”.", "Écrivez « %s » plutôt que « %s »."},
	"preferred_article":  {"Say “%s” rather than “%s” (and adjust the article).", "Écrivez « %s » plutôt que « %s » (et accordez l’article)."},
	"brand":              {"Write the brand’s name “%s”.", "Écrivez le nom de la marque « %s »."},
	"banned":             {"“%s” is not in the brand’s vocabulary.", "« %s » ne fait pas partie du vocabulaire de la marque."},
	"banned_use":         {"“%s” is not in the brand’s vocabulary: say “%s”.", "« %s » ne fait pas partie du vocabulaire de la marque : écrivez « %s »."},
	"sensitive":          {"“%s” is a sensitive word: an editor will look at it.", "« %s » est un mot sensible : un éditeur le relira."},
	"reason":             {" Why: %s", " Pourquoi : %s"},
	"tag_required":       {"Add %s: every post on this channel carries it.", "Ajoutez %s : toutes les publications de ce canal le portent."},
	"tag_banned":         {"The brand does not use %s.", "La marque n’utilise pas %s."},
	"tag_max":            {"Too many hashtags for %s: %d, at most %d.", "Trop de hashtags pour %s : %d, au plus %d."},
	"tag_end":            {"Put hashtags at the end of the post.", "Placez les hashtags à la fin de la publication."},
	"tag_inline":         {"Weave hashtags into the sentences instead of piling them at the end.", "Intégrez les hashtags aux phrases au lieu de les accumuler à la fin."},
	"tag_case":           {"Write %s: capitals between words let screen readers read the hashtag.", "Écrivez %s : les majuscules entre les mots permettent aux lecteurs d’écran de lire le hashtag."},
	"tag_known":          {"The brand writes this hashtag %s.", "La marque écrit ce hashtag %s."},
	"link_domain":        {"Links to %s are not on the brand’s list of allowed sites.", "Les liens vers %s ne font pas partie des sites autorisés par la marque."},
	"link_utm":           {"Add tracking to this link (%s is missing).", "Ajoutez le suivi à ce lien (il manque %s)."},
	"mention_allowed":    {"%s is not on the brand’s list of accounts to mention.", "%s ne fait pas partie des comptes que la marque mentionne."},
	"mention_banned":     {"The brand never mentions %s.", "La marque ne mentionne jamais %s."},
	"emoji_none":         {"The brand does not use emoji.", "La marque n’utilise pas d’emoji."},
	"emoji_max":          {"Too many emoji: at most %d.", "Trop d’emoji : au plus %d."},
	"emoji_banned":       {"The brand does not use %s.", "La marque n’utilise pas %s."},
	"sentence_length":    {"This sentence has %d words; keep sentences to %d.", "Cette phrase compte %d mots ; limitez-vous à %d."},
	"reading_ease":       {"Reading ease %.0f, below the brand’s %.0f: shorter sentences and words help (this one is the hardest).", "Lisibilité %.0f, sous l’objectif de %.0f de la marque : des phrases et des mots plus courts aident (celle-ci est la plus difficile)."},
	"exclamations":       {"Too many exclamation marks: at most %d.", "Trop de points d’exclamation : au plus %d."},
	"all_caps":           {"Too many words in capitals: at most %d.", "Trop de mots en majuscules : au plus %d."},
	"address_vous":       {"The brand says “vous”, not “tu”.", "La marque vouvoie : « vous », pas « tu »."},
	"address_tu":         {"The brand says “tu”, not “vous”.", "La marque tutoie : « tu », pas « vous »."},
	"address_verb":       {" Change the verb too.", " Accordez aussi le verbe."},
	"address_mixed_tu":   {"This post mixes “tu” and “vous”; it mostly says “tu”.", "Cette publication mélange « tu » et « vous » ; elle tutoie surtout."},
	"address_mixed_vous": {"This post mixes “tu” and “vous”; it mostly says “vous”.", "Cette publication mélange « tu » et « vous » ; elle vouvoie surtout."},
	"disclaimer":         {"Add “%s”: posts with this label must carry it.", "Ajoutez « %s » : les publications avec ce libellé doivent le porter."},
	"disclaimer_start":   {"Put “%s” at the start: posts with this label must open with it.", "Placez « %s » au début : les publications avec ce libellé doivent commencer par là."},
	"disclaimer_end":     {"Put “%s” at the end: posts with this label must end with it.", "Placez « %s » à la fin : les publications avec ce libellé doivent finir par là."},
	"language":           {"This post reads as %s, but this channel publishes in %s.", "Cette publication semble écrite en %s, mais ce canal publie en %s."},
}

var languageNames = map[string][2]string{
	"en": {"English", "anglais"}, "fr": {"French", "français"}, "es": {"Spanish", "espagnol"},
	"de": {"German", "allemand"}, "it": {"Italian", "italien"}, "pt": {"Portuguese", "portugais"},
}

// frenchSpaces puts the no-break spaces of French typography where the catalogue has plain ones.
var frenchSpaces = strings.NewReplacer("« ", "«\u00a0", " »", "\u00a0»", " :", "\u00a0:", " ;", "\u00a0;", " !", "\u00a0!", " ?", "\u00a0?")

// msg formats message id in locale ("fr" or anything else for English).
func msg(locale, id string, args ...any) string {
	m, ok := messages[id]
	if !ok {
		return id
	}
	if locale == "fr" {
		return frenchSpaces.Replace(fmt.Sprintf(m[1], args...))
	}
	return fmt.Sprintf(m[0], args...)
}

func languageName(locale, code string) string {
	n, ok := languageNames[code]
	if !ok {
		return code
	}
	if locale == "fr" {
		return n[1]
	}
	return n[0]
}

// withReason appends a term's reason to a message.
func withReason(locale, m, reason string) string {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return m
	}
	return m + msg(locale, "reason", reason)
}
