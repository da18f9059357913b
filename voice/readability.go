package voice

import (
	"strings"
)

// Reading ease, on the scale where 100 is very easy and 0 very hard:
//
//	Flesch (English):        206.835 − 1.015 × words/sentences − 84.6 × syllables/words
//	Kandel–Moles (French):   207     − 1.015 × words/sentences − 73.6 × syllables/words
//
// Kandel and Moles (1958) adapted Flesch's formula to French, whose words have more syllables.
// Both need a syllable count, which written English and French do not give exactly: the counters
// below follow the spoken syllables for regular words and are tested on a list of words whose
// count is known; an error of one syllable on an irregular word moves a 20-word post's score by a
// few points at most.

// ReadingEase returns the score of the text for lang ("en" or "fr"), between 0 and 100, and ok
// false for other languages or a text without words.
func ReadingEase(text, lang string) (score float64, ok bool) {
	d := newDoc(text)
	d.lang = lang
	return d.readingEase(d.sentences())
}

func (d *doc) readingEase(ss []sentence) (float64, bool) {
	if d.lang != "en" && d.lang != "fr" {
		return 0, false
	}
	words, syllables, sentences := 0, 0, 0
	for _, s := range ss {
		if len(s.words) == 0 {
			continue
		}
		sentences++
		for _, i := range s.words {
			words++
			syllables += syllableCount(d.tokens[i], d.lang)
		}
	}
	if words == 0 {
		return 0, false
	}
	return readingEase(d.lang, words, sentences, syllables), true
}

// readingEase applies the formula and keeps the result on the 0–100 scale people read it on:
// the formulas themselves go below 0 for very long words and above 100 for one-syllable ones.
func readingEase(lang string, words, sentences, syllables int) float64 {
	return max(0, min(100, rawEase(lang, words, sentences, syllables)))
}

// rawEase is the formula without bounds, for ranking sentences that are all below 0.
func rawEase(lang string, words, sentences, syllables int) float64 {
	wps := float64(words) / float64(sentences)
	spw := float64(syllables) / float64(words)
	s := 206.835 - 1.015*wps - 84.6*spw
	if lang == "fr" {
		s = 207 - 1.015*wps - 73.6*spw
	}
	return s
}

// syllableCount counts a word's syllables by the language's rules. French is counted on the
// word with its accents, since a final "é" is spoken and a final "e" is not; digits count as one
// syllable (a number is read as a word or two).
func syllableCount(t token, lang string) int {
	if lang == "fr" {
		return syllablesFR(strings.ToLower(t.raw))
	}
	letters := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, t.fold)
	if letters == "" {
		return 1
	}
	return syllablesEN(letters)
}

func isVowelEN(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

// syllablesEN counts the vowel groups of a lowercase ASCII word after dropping what is not
// spoken: a silent final "e" (make; but "table" keeps its "le"), an "-ed" that is not a syllable
// (asked; but wanted, ended), an "-es" that is not one (makes; but boxes, pages), and a leading
// "y" (a consonant in "yes"). An "ia" or "io" is two syllables (radio, trial) except in the
// endings -cial, -tial, -sion, -tion, -gion, where it is one.
func syllablesEN(w string) int {
	if len(w) <= 3 {
		return 1
	}
	l := len(w)
	switch {
	case strings.HasSuffix(w, "ed") && !strings.ContainsRune("tdaeiouy", rune(w[l-3])):
		w = w[:l-2]
	case strings.HasSuffix(w, "es") && !strings.ContainsRune("sxzgcaeiouy", rune(w[l-3])) && !strings.HasSuffix(w, "les"):
		w = w[:l-2]
	case strings.HasSuffix(w, "e") && !isVowelEN(w[l-2]) && !(strings.HasSuffix(w, "le") && !isVowelEN(w[l-3])):
		w = w[:l-1]
	}
	w = strings.TrimPrefix(w, "y")
	n := 0
	prev := false
	for i := 0; i < len(w); i++ {
		v := isVowelEN(w[i])
		if v && !prev {
			n++
		}
		prev = v
	}
	for i := 1; i+1 < len(w); i++ {
		if w[i] == 'i' && (w[i+1] == 'a' || w[i+1] == 'o') && !strings.ContainsRune("ctsgaeiouy", rune(w[i-1])) {
			n++
		}
	}
	return max(1, n)
}

// frVowels are the letters that carry French vowel sounds.
const frVowels = "aeiouyàâäéèêëîïôöùûüÿœæ"

func isVowelFR(r rune) bool { return strings.ContainsRune(frVowels, r) }

// syllablesFR counts the spoken syllables of a lowercase French word: its vowel groups ("eau",
// "oi", "ou" are one sound), plus one where "é" meets another vowel (cré-er, ré-el), less a final
// mute "e" or "es" after a consonant (table and tables have one). The "-ent" of a verb in the
// plural is silent (ils parlent) but the same letters are spoken in souvent, parent or client;
// without knowing which words are verbs, it is counted, so verbs in the plural count one too many.
func syllablesFR(w string) int {
	rs := []rune(w)
	l := len(rs)
	// vowel reports whether rs[i] is spoken as a vowel: the "u" of "qu" (marque) and of "gu"
	// before e or i (guide, langue) is not.
	vowel := func(i int) bool {
		r := rs[i]
		if r == 'u' && i > 0 && (rs[i-1] == 'q' || rs[i-1] == 'g' && i+1 < l && strings.ContainsRune("eéèêiî", rs[i+1])) {
			return false
		}
		return isVowelFR(r)
	}
	n := 0
	prev := false
	for i, r := range rs {
		v := vowel(i)
		// "é" before another vowel is a syllable of its own (cré-er), except before the mute
		// final "e" or "es" (idée, journées).
		hiatus := i > 0 && rs[i-1] == 'é' && !(r == 'e' && (i == l-1 || i == l-2 && rs[l-1] == 's'))
		if v && (!prev || hiatus) {
			n++
		}
		prev = v
	}
	if n > 1 {
		switch {
		case strings.HasSuffix(w, "es") && l > 3 && !vowel(l-3):
			n--
		case strings.HasSuffix(w, "e") && l > 2 && !vowel(l-2):
			n--
		}
	}
	return max(1, n)
}
