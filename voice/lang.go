package voice

import (
	"strings"
)

// Language detection for short posts in English, French, Spanish, German, Italian and
// Portuguese. Social posts are too short for character n-gram statistics to settle between
// neighbouring Romance languages, but almost every sentence carries function words ("the",
// "les", "los", "der", "gli", "os"), and each language has letters and endings the others do not
// (ñ, ß, ã, œ, -ção, -zione, -ung). The model scores both: each function word counts for the
// languages that use it (shared ones split their point), letters and endings add evidence, and
// the best language wins only when it is clearly ahead.

// stopWords are frequent function words, folded (lowercase, no accents).
var stopWords = map[string][]string{
	"en": strings.Fields(`the and of to in is it that for you with on are this be was have we our your not at as but by
		from they will can all more what about new just get how an or out up so do if my me he she his her their there been
		has had would who which one when than them these its into some now only also us very why today here our don't it's
		we're you're let's i`),
	"fr": strings.Fields(`le la les des du de un une et est en que qui dans pour pas sur au aux avec ce cette ces il elle ils
		elles nous vous on je tu son sa ses leur leurs mais ou plus par ne se sont etre avoir fait tout tous toute toutes
		comme aussi tres bien notre nos votre vos mon ma mes chez donc car y a ete sera merci aujourd'hui decouvrez rien
		encore deja quand sans sous entre apres avant lui ton ta tes toi`),
	"es": strings.Fields(`el la los las de del y en que un una es por para con no se su sus al lo como mas pero este esta
		estos estas nuestro nuestra nuestros muy ya hoy todo todos son hay sin sobre tambien cuando donde porque gracias
		nuevo nueva le les te mi tu ha han fue ser estamos puedes tienes aqui`),
	"de": strings.Fields(`der die das und ist nicht ein eine einen einem dem den des mit von zu auf fur sich im es ich wir
		sie ihr uns unser unsere auch als an bei nach aus wie wird werden sind hat haben noch nur oder aber mehr jetzt heute
		diese dieser dieses kann konnen zum zur uber alle hier`),
	"it": strings.Fields(`il lo la i gli le di del della dei delle degli e che un una uno per con non in su sono al alla
		alle nel nella nei da dal dalla come piu ma anche questo questa nostro nostra ci si ha oggi molto tutto tutti grazie
		ogni gia siamo sei hai qui tuo tua`),
	"pt": strings.Fields(`o a os as de do da dos das e que um uma em no na nos nas para por com nao se mais como ao aos seu
		sua muito ja hoje voce voces nosso nossa tambem sao esta isso este essa pelo pela obrigado obrigada novo nova sua
		aqui ate foi ser estamos`),
}

// stopIndex maps a function word to the languages that use it.
var stopIndex = func() map[string][]string {
	m := map[string][]string{}
	for lang, ws := range stopWords {
		for _, w := range ws {
			m[w] = append(m[w], lang)
		}
	}
	return m
}()

// letterHints are letters that only some of the languages write, with their weight per
// occurrence, looked up in the lowercased text (before accents are folded away).
var letterHints = map[rune]map[string]float64{
	'ñ': {"es": 2}, '¿': {"es": 2}, '¡': {"es": 2},
	'ß': {"de": 2}, 'ä': {"de": 1.5}, 'ö': {"de": 1.5}, 'ü': {"de": 1.5},
	'ã': {"pt": 2}, 'õ': {"pt": 2},
	'œ': {"fr": 2}, 'ê': {"fr": 0.7, "pt": 0.5}, 'è': {"fr": 0.7, "it": 0.7}, 'à': {"fr": 0.7, "it": 0.5, "pt": 0.3},
	'ù': {"fr": 0.7, "it": 0.5}, 'î': {"fr": 1}, 'û': {"fr": 1}, 'ë': {"fr": 1}, 'ï': {"fr": 1}, 'â': {"fr": 0.7, "pt": 0.5},
	'ô': {"fr": 0.7, "pt": 0.5}, 'ç': {"fr": 0.7, "pt": 0.7},
	'ò': {"it": 1.5}, 'ì': {"it": 1.5},
	'á': {"es": 0.7, "pt": 0.7}, 'í': {"es": 0.7, "pt": 0.5}, 'ó': {"es": 0.7, "pt": 0.5}, 'ú': {"es": 0.7, "pt": 0.5},
}

// suffixHints are word endings (folded) that point to a language.
var suffixHints = []struct {
	suffix string
	lang   string
	weight float64
}{
	{"cion", "es", 1.5}, {"ciones", "es", 1.5}, {"zione", "it", 1.5}, {"zioni", "it", 1.5},
	{"cao", "pt", 1.5}, {"coes", "pt", 1.5}, {"ung", "de", 1}, {"keit", "de", 1.5}, {"heit", "de", 1.5},
	{"lich", "de", 1}, {"isch", "de", 1}, {"eau", "fr", 1}, {"eaux", "fr", 1.5}, {"ight", "en", 1},
	{"ing", "en", 0.6}, {"ness", "en", 1}, {"ment", "fr", 0.4}, {"tion", "en", 0.3}, {"tion", "fr", 0.3},
}

// elisionHints: French elides many words; Italian only a few articles.
var elisionHints = map[string]map[string]float64{
	"l": {"fr": 0.8, "it": 0.4}, "d": {"fr": 0.8, "it": 0.3}, "qu": {"fr": 1}, "j": {"fr": 1}, "n": {"fr": 1},
	"s": {"fr": 1}, "c": {"fr": 1}, "m": {"fr": 1}, "t": {"fr": 1}, "jusqu": {"fr": 1}, "lorsqu": {"fr": 1}, "puisqu": {"fr": 1},
}

// Detection is the result of DetectLanguage.
type Detection struct {
	// Language is an ISO 639-1 code, or "" when the text is too short or too mixed to tell.
	Language string
	// Confidence is between 0 and 1: the winner's share of the evidence for the top two.
	Confidence float64
}

// DetectLanguage guesses the language of a post. It ignores links, hashtags and mentions, and
// answers "" rather than guess from fewer than three words or when two languages are close.
func DetectLanguage(text string) Detection { return newDoc(text).detect() }

func (d *doc) detect() Detection {
	scores := map[string]float64{}
	words := 0
	for _, t := range d.tokens {
		if t.skip {
			continue
		}
		if t.elision {
			for l, w := range elisionHints[t.fold] {
				scores[l] += w
			}
			continue
		}
		words++
		if langs := stopIndex[t.fold]; len(langs) > 0 {
			for _, l := range langs {
				scores[l] += 1 / float64(len(langs))
			}
		}
		for _, h := range suffixHints {
			if len(t.fold) > len(h.suffix)+2 && strings.HasSuffix(t.fold, h.suffix) {
				scores[h.lang] += h.weight
			}
		}
		for _, r := range strings.ToLower(t.raw) {
			for l, w := range letterHints[r] {
				scores[l] += w
			}
		}
	}
	if words < 3 {
		return Detection{}
	}
	best, second := "", ""
	for _, l := range Languages {
		switch {
		case best == "" || scores[l] > scores[best]:
			best, second = l, best
		case second == "" || scores[l] > scores[second]:
			second = l
		}
	}
	b, s := scores[best], scores[second]
	if b < 1.5 || b < 1.3*s {
		return Detection{}
	}
	return Detection{Language: best, Confidence: b / (b + s)}
}
