package voice

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Input is what Check looks at: one text, as it will go to one channel.
type Input struct {
	// Text is the post's text for this channel.
	Text string
	// Channel is the channel's id, for its patch (0: no channel).
	Channel int64
	// Network is the channel's network name ("instagram"), for hashtag limits and UTM values.
	Network string
	// Labels are the post's labels, for label patches.
	Labels []string
	// Campaign fills "{campaign}" in suggested UTM values.
	Campaign string
	// Language is the text's language when the author said it; empty means detect it.
	Language string
	// Locale is the language of the messages: "fr" or "en" (the default).
	Locale string
}

// Result is Check's answer with what it worked out along the way.
type Result struct {
	Findings []Finding
	// Score is Score(Findings).
	Score int
	// Language is the language the rules were applied in ("" when unknown), and Detected what
	// the text reads as, with Confidence.
	Language   string
	Detected   string
	Confidence float64
}

// Check returns the findings of the text against the profile's rules for in's channel and
// labels, ordered by position. A nil profile finds nothing.
func Check(p *Profile, in Input) []Finding { return Analyze(p, in).Findings }

// Analyze is Check with the score and the languages it found.
func Analyze(p *Profile, in Input) Result {
	if p == nil {
		p = &Profile{}
	}
	rules := p.Resolve(in.Channel, in.Labels)
	d := newDoc(in.Text)
	det := d.detect()
	d.lang = in.Language
	if d.lang == "" {
		d.lang = det.Language
	}
	if d.lang == "" {
		d.lang = rules.Language
	}
	c := &checker{d: d, rules: rules, in: in, severities: p.Severities, locale: in.Locale}
	if c.locale != "fr" {
		c.locale = "en"
	}
	c.vocabulary()
	c.hashtags()
	c.links()
	c.mentions()
	c.emoji()
	c.form()
	c.disclaimers()
	c.language(det)
	slices.SortStableFunc(c.out, func(a, b Finding) int {
		if n := cmp.Compare(a.Span.Start, b.Span.Start); n != 0 {
			return n
		}
		if n := cmp.Compare(a.Span.End, b.Span.End); n != 0 {
			return n
		}
		return cmp.Compare(a.Rule, b.Rule)
	})
	return Result{Findings: c.out, Score: Score(c.out), Language: d.lang, Detected: det.Language, Confidence: det.Confidence}
}

type checker struct {
	d          *doc
	rules      Rules
	in         Input
	severities map[string]Severity
	locale     string
	out        []Finding
	// terms are rules.Terms split into words, made by words() when a rule first needs them.
	terms []termTokens
}

func (c *checker) severity(rule string) Severity {
	if s, ok := c.severities[rule]; ok && s.Valid() {
		return s
	}
	return defaultSeverity[rule]
}

// add records a finding on [start, end) with an optional fix of [fs, fe) by repl.
func (c *checker) add(rule string, start, end int, message string, fix *Fix) {
	sp := c.d.span(start, end)
	f := Finding{Rule: rule, Severity: c.severity(rule), Span: sp, Excerpt: c.d.text[sp.Start:sp.End], Message: message, Fix: fix}
	c.out = append(c.out, f)
}

// fix makes a Fix replacing [start, end) with repl. The span is widened to grapheme boundaries
// (it never needs to be: every caller passes word, entity or cluster bounds).
func (c *checker) fix(start, end int, repl string) *Fix {
	return &Fix{Span: c.d.span(start, end), Replacement: repl}
}

// removal is a Fix deleting [start, end) and the space before it when the removal would leave
// two spaces (or a space before punctuation or the end).
func (c *checker) removal(start, end int) *Fix {
	t := c.d.text
	s := start
	if s > 0 && (t[s-1] == ' ' || t[s-1] == '\t') {
		next, _ := utf8.DecodeRuneInString(t[end:])
		if end == len(t) || unicode.IsSpace(next) || unicode.IsPunct(next) {
			s--
		}
	} else if end < len(t) && t[end] == ' ' && (s == 0 || t[s-1] == '\n') {
		end++
	}
	return c.fix(s, end, "")
}

// apostrophe is the apostrophe the author types: typographic when the text has one.
func (c *checker) apostrophe() string {
	if strings.ContainsRune(c.d.text, '’') {
		return "’"
	}
	return "'"
}

// endInsertion is where text added at the end goes, and the separator it needs: a hashtag joins
// the hashtags the text ends with; anything else starts a new paragraph.
func (c *checker) endInsertion(addition string) (int, string) {
	t := strings.TrimRightFunc(c.d.text, unicode.IsSpace)
	if t == "" {
		return 0, addition
	}
	if strings.HasPrefix(addition, "#") && c.endBlock() < len(c.d.hashtags) {
		return len(t), " " + addition
	}
	return len(t), "\n\n" + addition
}

func upperFirst(s string) string {
	r, w := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[w:]
}

func isUpperFirst(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// allCaps reports whether s has at least two letters and no lowercase letter.
func allCaps(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}
