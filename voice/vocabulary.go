package voice

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// phrase is one word or phrase to look for, compiled from a Term.
type phrase struct {
	term   *Term
	tokens []token
	// exact compares folded words without the plural rules (brand names).
	exact bool
	// brandCase flags the brand's own name written with other capitals.
	brandCase bool
}

// match is a phrase found in the text: tokens [first, last].
type match struct {
	p           *phrase
	first, last int
	start, end  int
}

// Which form of a word a wordKey holds.
const (
	formFold = iota // folded as written
	formEN          // singular by English rules
	formFR          // singular by French rules
)

// wordKey indexes phrases by one form of their first word. It is a struct rather than a
// prefixed string so that looking up every word of the text builds no string.
type wordKey struct {
	form int
	word string
}

// keys returns the keys token t can match under: its folded form and, unless it is an elision or
// only exact matches count, its singular forms.
func (t token) keys(exact bool) []wordKey {
	if exact || t.elision {
		return []wordKey{{formFold, t.fold}}
	}
	return []wordKey{{formFold, t.fold}, {formEN, t.en}, {formFR, t.fr}}
}

// termTokens are a Term's phrases split into words.
type termTokens struct {
	use   []token   // of Use
	avoid [][]token // of each of Avoid
}

// words splits the rules' terms into words, once per check: the vocabulary rule matches them,
// and the hashtag and capitals rules take the brand's words from them.
func (c *checker) words() []termTokens {
	if c.terms == nil && len(c.rules.Terms) > 0 {
		c.terms = make([]termTokens, len(c.rules.Terms))
		for i, t := range c.rules.Terms {
			tw := &c.terms[i]
			tw.use = tokenizePhrase(t.Use)
			tw.avoid = make([][]token, len(t.Avoid))
			for j, a := range t.Avoid {
				tw.avoid[j] = tokenizePhrase(a)
			}
		}
	}
	return c.terms
}

// compileTerms turns terms, split into words, into phrases indexed by the keys their first word
// can match under.
func compileTerms(terms []Term, words []termTokens) (map[wordKey][]*phrase, int) {
	idx := map[wordKey][]*phrase{}
	n := 0
	add := func(p *phrase) {
		if len(p.tokens) == 0 {
			return
		}
		n++
		for _, k := range p.tokens[0].keys(p.exact) {
			if !slices.Contains(idx[k], p) {
				idx[k] = append(idx[k], p)
			}
		}
	}
	for i := range terms {
		t, w := &terms[i], words[i]
		switch t.Kind {
		case Brand:
			add(&phrase{term: t, tokens: w.use, exact: true, brandCase: true})
			for _, a := range w.avoid {
				add(&phrase{term: t, tokens: a, exact: true})
			}
		case Preferred, Banned, Sensitive:
			for _, a := range w.avoid {
				add(&phrase{term: t, tokens: a})
			}
		}
	}
	return idx, n
}

// sameWord reports whether text token t matches phrase token p in language lang.
func sameWord(t, p token, exact bool, lang string) bool {
	if t.elision != p.elision {
		return false
	}
	if t.fold == p.fold {
		return true
	}
	if exact || t.elision {
		return false
	}
	switch lang {
	case "en":
		return t.en == p.en
	case "fr":
		return t.fr == p.fr
	}
	return t.en == p.en || t.fr == p.fr
}

// adjacent reports whether tokens a and b are next to each other, separated by nothing but
// spaces or hyphens (an elision is followed directly by its word).
func (d *doc) adjacent(a, b int) bool {
	gap := d.text[d.tokens[a].end:d.tokens[b].start]
	return strings.TrimFunc(gap, func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == '‑' }) == ""
}

func (c *checker) vocabulary() {
	idx, n := compileTerms(c.rules.Terms, c.words())
	if n == 0 {
		return
	}
	d := c.d
	var found []match
	for i, t := range d.tokens {
		if t.skip {
			continue
		}
		var tried []*phrase
		for _, k := range t.keys(false) {
			for _, p := range idx[k] {
				if slices.Contains(tried, p) {
					continue
				}
				tried = append(tried, p)
				if last, ok := c.matchAt(p, i); ok {
					found = append(found, match{p: p, first: i, last: last, start: t.start, end: d.tokens[last].end})
				}
			}
		}
	}
	// Longest match first at each position, then the most severe term; overlapping matches
	// after the first are dropped, so "click here" and "here" never both fire on one "here".
	rank := map[TermKind]int{Banned: 0, Brand: 1, Preferred: 2, Sensitive: 3}
	slices.SortStableFunc(found, func(a, b match) int {
		if n := cmp.Compare(a.start, b.start); n != 0 {
			return n
		}
		if n := cmp.Compare(b.end, a.end); n != 0 {
			return n
		}
		return cmp.Compare(rank[a.p.term.Kind], rank[b.p.term.Kind])
	})
	lastEnd := -1
	for _, m := range found {
		if m.start < lastEnd {
			continue
		}
		if c.report(m) {
			lastEnd = m.end
		}
	}
}

// matchAt reports whether p matches the text from token i, and its last token.
func (c *checker) matchAt(p *phrase, i int) (int, bool) {
	d := c.d
	j := i
	for k, pt := range p.tokens {
		if j >= len(d.tokens) || d.tokens[j].skip || !sameWord(d.tokens[j], pt, p.exact, d.lang) {
			return 0, false
		}
		if k > 0 && !d.adjacent(j-1, j) {
			return 0, false
		}
		j++
	}
	return j - 1, true
}

// report turns a match into a finding; it returns false when the match is not a departure (the
// brand's name written exactly right).
func (c *checker) report(m match) bool {
	d, t := c.d, m.p.term
	raw := d.text[m.start:m.end]
	loc := c.locale
	switch {
	case m.p.brandCase:
		if raw == t.Use {
			return false
		}
		c.add(RuleBrand, m.start, m.end, withReason(loc, msg(loc, "brand", t.Use), t.Reason), c.fix(m.start, m.end, t.Use))
	case t.Kind == Brand:
		c.add(RuleBrand, m.start, m.end, withReason(loc, msg(loc, "brand", t.Use), t.Reason), c.fix(m.start, m.end, t.Use))
	case t.Kind == Sensitive:
		c.add(RuleSensitive, m.start, m.end, withReason(loc, msg(loc, "sensitive", raw), t.Reason), nil)
	case t.Kind == Banned && strings.TrimSpace(t.Use) == "":
		c.add(RuleBanned, m.start, m.end, withReason(loc, msg(loc, "banned", raw), t.Reason), nil)
	default:
		repl := c.replacement(m, t.Use)
		fx, article := c.elisionFix(m, repl, t.Gender)
		rule, id := RulePreferred, "preferred"
		args := []any{repl, raw}
		if t.Kind == Banned {
			rule, id = RuleBanned, "banned_use"
			args = []any{raw, repl}
		} else if article && fx == nil {
			id = "preferred_article"
		}
		c.add(rule, m.start, m.end, withReason(loc, msg(loc, id, args...), t.Reason), fx)
	}
	return true
}

// replacement adapts use to what it replaces: the same number (users → customers, user →
// customer) and the same capitals (Users → Customers, USERS → CUSTOMERS).
func (c *checker) replacement(m match, use string) string {
	d := c.d
	lang := d.lang
	if lang != "fr" {
		lang = "en"
	}
	use = strings.TrimSpace(use)
	last := d.tokens[m.last]
	// The number of the replacement follows the text: a term matched through its plural
	// ("user" found as "users") gives a plural replacement, and the reverse. Only the last word
	// of the replacement changes, and only when the text and the term differ in number.
	pt := m.p.tokens[len(m.p.tokens)-1]
	ut := tokenize(use, nil)
	if len(ut) > 0 && last.fold != pt.fold {
		lt := ut[len(ut)-1]
		switch {
		case isPlural(last, lang) && !isPlural(pt, lang) && !isPlural(lt, lang):
			use = use[:lt.start] + pluralize(lt.raw, lang) + use[lt.end:]
		case !isPlural(last, lang) && isPlural(pt, lang) && isPlural(lt, lang):
			use = use[:lt.start] + singularize(lt.raw, lang) + use[lt.end:]
		}
	}
	raw := d.text[m.start:m.end]
	switch {
	case allCaps(raw) && utf8.RuneCountInString(raw) > 1:
		return strings.ToUpper(use)
	case isUpperFirst(raw) && !isUpperFirst(use):
		return upperFirst(use)
	}
	return use
}

// frenchShort are the French words that elide before a vowel, by their full form.
var frenchShort = map[string]string{
	"le": "l", "la": "l", "de": "d", "je": "j", "me": "m", "ne": "n", "se": "s", "te": "t", "ce": "c",
	"que": "qu", "jusque": "jusqu", "lorsque": "lorsqu", "puisque": "puisqu",
}

// startsWithVowelSound reports whether a French word starts with a vowel. A leading "h" is left
// alone: whether it elides (l'homme) or not (le héros) depends on the word.
func startsWithVowelSound(w string) bool {
	f := fold(w)
	return f != "" && strings.IndexByte("aeiouy", f[0]) >= 0
}

func startsWithConsonant(w string) bool {
	f := fold(w)
	return f != "" && f[0] >= 'a' && f[0] <= 'z' && strings.IndexByte("aeiouyh", f[0]) < 0
}

// elisionFix is the fix replacing m by repl, rewriting the French article or pronoun before it
// when the replacement changes the first sound: "l'utilisateur" → "le client", "le client" →
// "l'utilisateur". article is true when the article must change but the fix cannot say how
// (l' before a consonant, with no gender given); then fx is nil.
func (c *checker) elisionFix(m match, repl, gender string) (fx *Fix, article bool) {
	d := c.d
	plain := c.fix(m.start, m.end, repl)
	if d.lang != "fr" || m.first == 0 {
		return plain, false
	}
	prev := d.tokens[m.first-1]
	switch {
	case prev.elision && prev.end == m.start && startsWithConsonant(repl):
		full := elisions[prev.fold]
		if prev.fold == "l" {
			switch gender {
			case "m":
				full = "le"
			case "f":
				full = "la"
			default:
				return nil, true
			}
		}
		if isUpperFirst(prev.raw) {
			full = upperFirst(full)
		}
		return c.fix(prev.start, m.end, full+" "+repl), true
	case !prev.elision && startsWithVowelSound(repl) && frenchShort[prev.fold] != "" && d.text[prev.end:m.start] == " ":
		short := frenchShort[prev.fold]
		if isUpperFirst(prev.raw) {
			short = upperFirst(short)
		}
		return c.fix(prev.start, m.end, short+c.apostrophe()+repl), true
	}
	return plain, false
}
