package voice

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"

	"github.com/heraldhq/herald/publishers/content"
)

// doc is a text analysed once for every rule: grapheme boundaries, UTF-16 offsets, words,
// links, hashtags, mentions and sentences.
type doc struct {
	text string
	// bounds are the byte offsets where grapheme clusters start, then len(text).
	bounds []int
	// u16 maps a byte offset at a rune start to its UTF-16 offset; u16[len(text)] is the total.
	u16      []int32
	tokens   []token
	links    []link
	hashtags []entity
	mentions []entity
	// skips are the links, hashtags and mentions, in order: the text the words ignore.
	skips []span
	// lang is the language used for plurals, elision, reading ease and address ("" unknown).
	lang string
}

// entity is a hashtag or mention with byte offsets.
type entity struct {
	start, end int
	text       string // with its "#" or "@"
}

// token is a word of the text.
type token struct {
	start, end int
	raw        string
	// fold is the word lowercased, without accents, with ligatures spelled out.
	fold string
	// en and fr are fold in the singular by English and French rules.
	en, fr string
	// elision marks a French elided article or pronoun ("l'", "qu'"), which is its own token.
	elision bool
	// skip marks words inside links, hashtags and mentions: vocabulary and form rules ignore them.
	skip bool
}

func newDoc(text string) *doc {
	d := &doc{text: text}
	d.bounds = make([]int, 0, len(text)+1)
	rest, state, pos := text, -1, 0
	for len(rest) > 0 {
		var cluster string
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		d.bounds = append(d.bounds, pos)
		pos += len(cluster)
	}
	d.bounds = append(d.bounds, len(text))
	d.u16 = make([]int32, len(text)+1)
	var n int32
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		for j := 0; j < w; j++ {
			d.u16[i+j] = n
		}
		if r >= 0x10000 && r != utf8.RuneError {
			n += 2
		} else {
			n++
		}
		i += w
	}
	d.u16[len(text)] = n
	d.links = findLinks(text)
	d.hashtags = outsideLinks(toBytes(text, content.Hashtags(text)), d.links)
	d.mentions = outsideLinks(toBytes(text, content.Mentions(text)), d.links)
	d.skips = make([]span, 0, len(d.links)+len(d.hashtags)+len(d.mentions))
	for _, l := range d.links {
		d.skips = append(d.skips, span{l.start, l.end})
	}
	for _, es := range [][]entity{d.hashtags, d.mentions} {
		for _, e := range es {
			d.skips = append(d.skips, span{e.start, e.end})
		}
	}
	slices.SortFunc(d.skips, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	d.tokens = tokenize(text, d.skipped)
	return d
}

// span is a half-open range of byte offsets.
type span struct{ start, end int }

// outsideLinks drops the entities that start inside a link. The content package leaves out
// those inside links with a scheme, but not the fragment or path of a link without one:
// "herald.app/#prix" holds no hashtag.
func outsideLinks(es []entity, links []link) []entity {
	if len(links) == 0 {
		return es
	}
	out := es[:0]
	li := 0
	for _, e := range es {
		for li < len(links) && links[li].end <= e.start {
			li++
		}
		if li < len(links) && links[li].start <= e.start {
			continue
		}
		out = append(out, e)
	}
	return out
}

// toBytes turns the content package's rune offsets into byte offsets.
func toBytes(text string, es []content.Entity) []entity {
	if len(es) == 0 {
		return nil
	}
	out := make([]entity, 0, len(es))
	ri, bi := 0, 0
	for _, e := range es {
		for ri < e.Start && bi < len(text) {
			_, w := utf8.DecodeRuneInString(text[bi:])
			bi += w
			ri++
		}
		start := bi
		for ri < e.End && bi < len(text) {
			_, w := utf8.DecodeRuneInString(text[bi:])
			bi += w
			ri++
		}
		out = append(out, entity{start: start, end: bi, text: text[start:bi]})
	}
	return out
}

// skipped reports whether byte offset i is inside a link, hashtag or mention. They never
// overlap (entities inside links are dropped, and a hashtag cannot start right after a
// mention's letters nor a mention after a hashtag's), so only the last one starting at or
// before i can hold it.
func (d *doc) skipped(i int) bool { return inSpans(d.skips, i) }

// inSpans reports whether i is inside one of spans, sorted by start and not overlapping.
func inSpans(spans []span, i int) bool {
	k, _ := slices.BinarySearchFunc(spans, i, func(s span, i int) int { return cmp.Compare(s.start, i+1) })
	return k > 0 && i < spans[k-1].end
}

// floor is the grapheme boundary at or before b; ceil the one at or after b.
func (d *doc) floor(b int) int {
	i := sort.SearchInts(d.bounds, b)
	if i < len(d.bounds) && d.bounds[i] == b {
		return b
	}
	if i == 0 {
		return 0
	}
	return d.bounds[i-1]
}

func (d *doc) ceil(b int) int {
	i := sort.SearchInts(d.bounds, b)
	if i >= len(d.bounds) {
		return len(d.text)
	}
	return d.bounds[i]
}

// span makes a Span from byte offsets, widened to grapheme boundaries.
func (d *doc) span(start, end int) Span {
	start = max(0, min(start, len(d.text)))
	end = max(start, min(end, len(d.text)))
	start, end = d.floor(start), d.ceil(end)
	return Span{Start: start, End: end, Start16: int(d.u16[start]), End16: int(d.u16[end])}
}

// isWordRune reports whether r belongs to a word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// elisions are the French words that lose their vowel before a vowel sound, keyed by their
// folded form without the apostrophe.
var elisions = map[string]string{
	"l": "le", "d": "de", "j": "je", "m": "me", "n": "ne", "s": "se", "t": "te", "c": "ce",
	"qu": "que", "jusqu": "jusque", "lorsqu": "lorsque", "puisqu": "puisque",
}

// tokenize splits text into words. Apostrophes inside a word keep it whole ("don't",
// "aujourd'hui") unless what precedes is a French elided word ("l'", "qu'"), which becomes its own
// token; hyphens split words ("peut-être" is two).
func tokenize(text string, skip func(int) bool) []token {
	// Words and the spaces after them average about six bytes in English and French; sizing the
	// slice for that saves most of the copies growing it would make.
	out := make([]token, 0, len(text)/6+1)
	i := 0
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += w
			continue
		}
		start := i
		j := i + w
		for j < len(text) {
			r2, w2 := utf8.DecodeRuneInString(text[j:])
			if isWordRune(r2) {
				j += w2
				continue
			}
			if isApostrophe(r2) && j+w2 < len(text) {
				next, _ := utf8.DecodeRuneInString(text[j+w2:])
				if unicode.IsLetter(next) {
					if _, ok := elisions[fold(text[start:j])]; ok {
						// "l'" is a token of its own, apostrophe included.
						out = append(out, makeToken(text, start, j+w2, true, skip))
						start = j + w2
						j = start
						continue
					}
					j += w2
					continue
				}
			}
			break
		}
		if j > start {
			out = append(out, makeToken(text, start, j, false, skip))
		}
		i = j
	}
	return out
}

func makeToken(text string, start, end int, elision bool, skip func(int) bool) token {
	raw := text[start:end]
	f := fold(raw)
	t := token{start: start, end: end, raw: raw, fold: f, elision: elision}
	if elision {
		t.fold = strings.TrimRight(f, "'")
	} else {
		t.en, t.fr = singularEN(f), singularFR(f)
	}
	if skip != nil {
		t.skip = skip(start)
	}
	return t
}

// tokenizePhrase splits a term the way texts are split, for matching.
func tokenizePhrase(s string) []token {
	ts := tokenize(s, nil)
	// An elided article written in a term ("l'utilisateur") is not part of what to match: the
	// article belongs to the sentence, not to the word.
	out := ts[:0]
	for _, t := range ts {
		if !t.elision {
			out = append(out, t)
		}
	}
	return out
}

// fold lowercases s, removes accents and spells out ligatures, so that words compare as a
// reader would: "Élève", "eleve" and "ÉLÈVE" fold alike, as do "œuvre" and "oeuvre".
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
		case r == 'ß' || r == 'ẞ':
			b.WriteString("ss")
		case r == '’':
			b.WriteByte('\'')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// singularEN returns an English word's singular by the regular rules (users → user, policies →
// policy, boxes → box); words that only look plural (status, analysis, glass) are kept.
func singularEN(w string) string {
	n := len(w)
	switch {
	case n <= 3:
		return w
	case strings.HasSuffix(w, "ies") && n > 4:
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "ches"),
		strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "zes"):
		return w[:n-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:n-1]
	}
	return w
}

// singularFR returns a French word's singular by the regular rules (utilisateurs →
// utilisateur, journaux → journal, bateaux → bateau, jeux → jeu).
func singularFR(w string) string {
	n := len(w)
	switch {
	case n <= 3:
		return w
	case strings.HasSuffix(w, "eaux"), strings.HasSuffix(w, "eux"), strings.HasSuffix(w, "oux"):
		return w[:n-1]
	case strings.HasSuffix(w, "aux") && n > 4:
		return w[:n-3] + "al"
	case strings.HasSuffix(w, "ss"):
		return w
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"):
		return w[:n-1]
	}
	return w
}

// pluralize puts a word in the plural by the language's regular rules.
func pluralize(w, lang string) string {
	if w == "" {
		return w
	}
	lw := fold(w)
	if lang == "fr" {
		switch {
		case strings.HasSuffix(lw, "s"), strings.HasSuffix(lw, "x"), strings.HasSuffix(lw, "z"):
			return w
		case strings.HasSuffix(lw, "al"):
			return w[:len(w)-2] + matchCase("aux", w[len(w)-2:])
		case strings.HasSuffix(lw, "eau"), strings.HasSuffix(lw, "eu"):
			return w + matchCase("x", w[len(w)-1:])
		}
		return w + matchCase("s", w[len(w)-1:])
	}
	switch {
	case strings.HasSuffix(lw, "y") && len(lw) > 1 && !strings.ContainsRune("aeiou", rune(lw[len(lw)-2])):
		return w[:len(w)-1] + matchCase("ies", w[len(w)-1:])
	case strings.HasSuffix(lw, "s"), strings.HasSuffix(lw, "x"), strings.HasSuffix(lw, "z"),
		strings.HasSuffix(lw, "ch"), strings.HasSuffix(lw, "sh"):
		return w + matchCase("es", w[len(w)-1:])
	}
	return w + matchCase("s", w[len(w)-1:])
}

// singularize undoes pluralize for a word written in the plural.
func singularize(w, lang string) string {
	lw := fold(w)
	var s string
	if lang == "fr" {
		s = singularFR(lw)
	} else {
		s = singularEN(lw)
	}
	if s == lw {
		return w
	}
	// The singular shares a prefix with the plural; keep the writer's spelling of that prefix.
	common := 0
	for common < len(s) && common < len(lw) && s[common] == lw[common] {
		common++
	}
	prefix := prefixOfFolded(w, common)
	return prefix + matchCase(s[common:], w[len(prefix):])
}

// prefixOfFolded returns the prefix of w whose folded form is n bytes long (accents fold to
// nothing, so the byte lengths of w and its folding differ).
func prefixOfFolded(w string, n int) string {
	i := 0
	for i < len(w) && len(fold(w[:i])) < n {
		_, sz := utf8.DecodeRuneInString(w[i:])
		i += sz
	}
	return w[:i]
}

// matchCase writes s in capitals when like is all capitals.
func matchCase(s, like string) string {
	if like != "" && strings.ToUpper(like) == like && strings.ToLower(like) != like {
		return strings.ToUpper(s)
	}
	return s
}

// isPlural reports whether a folded word is a plural by the language's rules.
func isPlural(t token, lang string) bool {
	if lang == "fr" {
		return t.fr != t.fold
	}
	return t.en != t.fold
}

// sentence is a run of text ended by . ! ? … or a line break, with the indexes of its words.
type sentence struct {
	start, end int
	words      []int // indexes into doc.tokens of the words (not elisions, not skipped)
}

// sentences splits the text. Dots inside links and numbers (3.5) do not end a sentence.
func (d *doc) sentences() []sentence {
	var out []sentence
	start := 0
	flush := func(end int) {
		seg := strings.TrimSpace(d.text[start:end])
		if seg != "" {
			lead := start + strings.Index(d.text[start:end], seg)
			out = append(out, sentence{start: lead, end: lead + len(seg)})
		}
		start = end
	}
	for i := 0; i < len(d.text); {
		r, w := utf8.DecodeRuneInString(d.text[i:])
		switch {
		case r == '\n':
			flush(i)
		case r == '.' || r == '!' || r == '?' || r == '…':
			if d.inLink(i) {
				break
			}
			j := i + w
			for j < len(d.text) {
				r2, w2 := utf8.DecodeRuneInString(d.text[j:])
				if r2 != '.' && r2 != '!' && r2 != '?' && r2 != '…' && r2 != '"' && r2 != '»' && r2 != ')' && r2 != '”' {
					break
				}
				j += w2
			}
			if next, _ := utf8.DecodeRuneInString(d.text[j:]); j == len(d.text) || unicode.IsSpace(next) {
				flush(j)
				w = j - i
			}
		}
		i += w
	}
	flush(len(d.text))
	ti := 0
	for si := range out {
		for ti < len(d.tokens) && d.tokens[ti].start < out[si].start {
			ti++
		}
		for k := ti; k < len(d.tokens) && d.tokens[k].start < out[si].end; k++ {
			if !d.tokens[k].elision && !d.tokens[k].skip {
				out[si].words = append(out[si].words, k)
			}
		}
	}
	return out
}

func (d *doc) inLink(i int) bool {
	k, _ := slices.BinarySearchFunc(d.links, i, func(l link, i int) int { return cmp.Compare(l.start, i+1) })
	return k > 0 && i < d.links[k-1].end
}
