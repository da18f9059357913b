package voice

import "slices"

// Severity says what a finding means for the post.
type Severity string

// The severities.
const (
	// Error blocks submission until the text is fixed.
	Error Severity = "error"
	// Warning blocks submission until the author acknowledges it with a note, which editors see.
	Warning Severity = "warning"
	// Info is advice; it blocks nothing.
	Info Severity = "info"
)

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s == Error || s == Warning || s == Info }

// The rule ids. They are stored with acknowledgements and appear in the API, so they must never
// be renamed.
const (
	RuleBanned          = "vocabulary.banned"
	RulePreferred       = "vocabulary.preferred"
	RuleBrand           = "vocabulary.brand"
	RuleSensitive       = "vocabulary.sensitive"
	RuleHashtagRequired = "hashtags.required"
	RuleHashtagBanned   = "hashtags.banned"
	RuleHashtagMax      = "hashtags.max"
	RuleHashtagPosition = "hashtags.position"
	RuleHashtagCase     = "hashtags.camel_case"
	RuleLinkDomain      = "links.domain"
	RuleLinkUTM         = "links.utm"
	RuleMentionAllowed  = "mentions.allowed"
	RuleMentionBanned   = "mentions.banned"
	RuleEmojiCount      = "emoji.count"
	RuleEmojiBanned     = "emoji.banned"
	RuleSentenceLength  = "form.sentence_length"
	RuleReadingEase     = "form.reading_ease"
	RuleExclamations    = "form.exclamations"
	RuleAllCaps         = "form.all_caps"
	RuleAddress         = "form.address"
	RuleDisclaimer      = "disclaimer.missing"
	RuleLanguage        = "language.mismatch"
)

// defaultSeverity is each rule's severity unless the profile overrides it. Errors are what the
// brand must never publish; warnings are what an author may publish after saying why.
var defaultSeverity = map[string]Severity{
	RuleBanned:          Error,
	RulePreferred:       Warning,
	RuleBrand:           Warning,
	RuleSensitive:       Warning,
	RuleHashtagRequired: Error,
	RuleHashtagBanned:   Error,
	RuleHashtagMax:      Warning,
	RuleHashtagPosition: Info,
	RuleHashtagCase:     Info,
	RuleLinkDomain:      Warning,
	RuleLinkUTM:         Warning,
	RuleMentionAllowed:  Warning,
	RuleMentionBanned:   Error,
	RuleEmojiCount:      Warning,
	RuleEmojiBanned:     Error,
	RuleSentenceLength:  Info,
	RuleReadingEase:     Info,
	RuleExclamations:    Warning,
	RuleAllCaps:         Warning,
	RuleAddress:         Warning,
	RuleDisclaimer:      Error,
	RuleLanguage:        Warning,
}

// AllRules returns every rule id, sorted.
func AllRules() []string {
	out := make([]string, 0, len(defaultSeverity))
	for r := range defaultSeverity {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// DefaultSeverity is a rule's severity when the profile does not override it.
func DefaultSeverity(rule string) Severity { return defaultSeverity[rule] }

// Span is a range of the text, in bytes and in UTF-16 code units (see the package comment).
// Start == End is an insertion point.
type Span struct {
	Start   int `json:"start"`
	End     int `json:"end"`
	Start16 int `json:"start16"`
	End16   int `json:"end16"`
}

// Fix is a suggested correction: replace Span with Replacement.
type Fix struct {
	Span        Span   `json:"span"`
	Replacement string `json:"replacement"`
}

// Finding is one departure from the brand's voice.
type Finding struct {
	// Rule is one of the Rule constants.
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Span is the text the finding is about; Excerpt is that text.
	Span    Span   `json:"span"`
	Excerpt string `json:"excerpt"`
	// Message says what is wrong and what to do, in the requested locale.
	Message string `json:"message"`
	// Fix is the suggested correction, when there is one.
	Fix *Fix `json:"fix,omitempty"`
}

// Score turns findings into a voice score from 0 to 100: each error costs 25 points, each
// warning 10 and each piece of advice 2. A post with one error cannot score above 75, and one
// with four cannot score at all; a post with nothing to say about it scores 100.
func Score(fs []Finding) int {
	s := 100
	for _, f := range fs {
		switch f.Severity {
		case Error:
			s -= 25
		case Warning:
			s -= 10
		case Info:
			s -= 2
		}
	}
	return max(0, s)
}
