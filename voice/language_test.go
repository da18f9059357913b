package voice

import (
	"math"
	"testing"
)

func TestSyllablesEnglish(t *testing.T) {
	for w, want := range map[string]int{
		"cat": 1, "the": 1, "table": 2, "simple": 2, "make": 1, "makes": 1, "asked": 1, "wanted": 2,
		"boxes": 2, "radio": 3, "nation": 2, "region": 2, "beautiful": 3, "syllable": 3, "readability": 5,
		"community": 4, "customers": 3, "yes": 1, "happy": 2, "social": 2, "people": 2, "today": 2,
		"little": 2, "time": 1, "released": 2, "pages": 2, "trial": 2,
	} {
		if got := syllableCount(token{fold: w, raw: w}, "en"); got != want {
			t.Errorf("English %q: %d syllables, want %d", w, got, want)
		}
	}
}

func TestSyllablesFrench(t *testing.T) {
	for w, want := range map[string]int{
		"table": 1, "tables": 1, "moment": 2, "bonjour": 2, "oiseau": 2, "communauté": 4, "réseau": 2,
		"créer": 2, "réel": 2, "idée": 2, "journée": 2, "aujourd'hui": 3, "les": 1, "une": 1, "chocolat": 3,
		"été": 2, "application": 4, "lisibilité": 5, "marque": 1, "équipe": 2, "langue": 1, "guide": 1, "quatre": 1, "aiguille": 2,
	} {
		if got := syllableCount(token{fold: fold(w), raw: w}, "fr"); got != want {
			t.Errorf("French %q: %d syllables, want %d", w, got, want)
		}
	}
}

func TestReadingEaseFormulas(t *testing.T) {
	// 100 words in 5 sentences with 150 syllables.
	if got := rawEase("en", 100, 5, 150); math.Abs(got-59.635) > 1e-9 {
		t.Errorf("Flesch = %v, want 59.635", got)
	}
	if got := rawEase("fr", 100, 5, 150); math.Abs(got-76.3) > 1e-9 {
		t.Errorf("Kandel–Moles = %v, want 76.3", got)
	}
	if got := readingEase("en", 10, 1, 40); got != 0 {
		t.Errorf("scores are kept at 0 and above, got %v", got)
	}
	// "The cat sat on the mat." has six one-syllable words: as easy as it gets.
	if s, ok := ReadingEase("The cat sat on the mat.", "en"); !ok || s != 100 {
		t.Errorf("ReadingEase = %v, %v", s, ok)
	}
	plain, _ := ReadingEase("We made a new app. It is fast and free. Try it now and tell us what you think.", "en")
	hard, _ := ReadingEase("Organisational methodologies necessitate comprehensive interdepartmental collaboration.", "en")
	if plain < 80 || hard > 10 {
		t.Errorf("plain %v should read easily, hard %v should not", plain, hard)
	}
	simple, _ := ReadingEase("On a fait une appli. Elle est simple et rapide. Dis-nous ce que tu en penses.", "fr")
	dense, _ := ReadingEase("L'internationalisation institutionnelle complexifie considérablement l'opérationnalisation.", "fr")
	if simple < 80 || dense > 10 {
		t.Errorf("French: simple %v, dense %v", simple, dense)
	}
	if _, ok := ReadingEase("Hola a todos", "es"); ok {
		t.Error("reading ease is only defined for English and French")
	}
}

func TestDetectLanguage(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"We are thrilled to announce our new app for teams", "en"},
		{"Thanks to all of you for your support this year!", "en"},
		{"Check out the new release, it's here at last", "en"},
		{"Nous sommes ravis d'annoncer notre nouvelle application pour les équipes", "fr"},
		{"Merci à tous pour votre soutien cette année !", "fr"},
		{"C'est l'heure de la rentrée : découvrez nos nouveautés", "fr"},
		{"Estamos muy contentos de presentar nuestra nueva aplicación para los equipos", "es"},
		{"¡Gracias a todos por su apoyo este año!", "es"},
		{"Wir freuen uns, unsere neue App für Teams vorzustellen", "de"},
		{"Danke an alle für eure Unterstützung in diesem Jahr!", "de"},
		{"Siamo felici di presentare la nostra nuova applicazione per i team", "it"},
		{"Grazie a tutti per il vostro supporto quest'anno!", "it"},
		{"Estamos muito felizes em apresentar o nosso novo aplicativo para as equipes", "pt"},
		{"Obrigado a todos pelo apoio neste ano, vocês são demais!", "pt"},
		{"Hello!", ""},
		{"#launch #herald https://herald.app @someone", ""},
	} {
		got := DetectLanguage(tc.text)
		if got.Language != tc.want {
			t.Errorf("DetectLanguage(%q) = %+v, want %q", tc.text, got, tc.want)
		}
		if got.Language != "" && (got.Confidence <= 0.5 || got.Confidence > 1) {
			t.Errorf("DetectLanguage(%q): confidence %v", tc.text, got.Confidence)
		}
	}
}
