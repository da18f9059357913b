package voice

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Profile is a workspace's brand voice. The description fields are shown to people beside the
// composer and sent to the rewrite model; Rules, Labels and Channels drive the checker.
type Profile struct {
	// Description says how the brand speaks: tone, personality, what it never does.
	Description string `json:"description"`
	// Audience says who the posts are for.
	Audience string `json:"audience"`
	// Do and Dont are example sentences the brand would and would not write.
	Do   []string `json:"do"`
	Dont []string `json:"dont"`
	// Rules apply to every post.
	Rules Rules `json:"rules"`
	// Labels adjust the rules for posts carrying a label (e.g. "partnership" requires "#ad"),
	// applied in this order.
	Labels []LabelPatch `json:"labels"`
	// Channels adjust the rules for one channel (e.g. its expected language), applied after the
	// labels so the most specific setting wins.
	Channels []ChannelPatch `json:"channels"`
	// Severities overrides the default severity of a rule, by rule id (e.g. make
	// "vocabulary.preferred" an error).
	Severities map[string]Severity `json:"severities"`
}

// Rules are what the checker enforces. Zero values switch a rule off.
type Rules struct {
	// Language is the expected language of posts, as an ISO 639-1 code ("fr"); empty accepts any.
	Language string `json:"language"`
	// Terms are the brand's vocabulary: preferred words, the brand's own spellings, banned and
	// sensitive words.
	Terms    []Term       `json:"terms"`
	Hashtags HashtagRules `json:"hashtags"`
	Links    LinkRules    `json:"links"`
	Mentions MentionRules `json:"mentions"`
	Emoji    EmojiRules   `json:"emoji"`
	Form     FormRules    `json:"form"`
	// Disclaimers must appear in the post (usually set per label: "#ad" on partnership posts).
	Disclaimers []Disclaimer `json:"disclaimers"`
}

// TermKind says what a Term asks of the text.
type TermKind string

// The kinds of term.
const (
	// Preferred: say Use instead of any of Avoid ("customers", not "users").
	Preferred TermKind = "preferred"
	// Brand: the brand's name (Use) is spelled and capitalised exactly one way; other
	// capitalisations, and the misspellings listed in Avoid, are flagged.
	Brand TermKind = "brand"
	// Banned: the words or phrases in Avoid must not appear (Reason says why); Use, when set,
	// is the replacement to suggest.
	Banned TermKind = "banned"
	// Sensitive: the words in Avoid are allowed but need an editor's eye.
	Sensitive TermKind = "sensitive"
)

// Term is one vocabulary rule.
type Term struct {
	Kind TermKind `json:"kind"`
	// Use is the form to write: the replacement of a preferred or banned term, the brand's name.
	Use string `json:"use,omitempty"`
	// Avoid lists the words or phrases to flag. Write them in the singular: plurals match too.
	Avoid []string `json:"avoid,omitempty"`
	// Reason is shown with the finding ("legal asked us not to promise results").
	Reason string `json:"reason,omitempty"`
	// Gender ("m" or "f") of Use, for French: it lets a fix turn "l'" into "le" or "la" when Use
	// starts with a consonant.
	Gender string `json:"gender,omitempty"`
}

// Hashtag positions.
const (
	PositionEnd    = "end"    // hashtags go in a block at the end of the post
	PositionInline = "inline" // hashtags are woven into sentences, not piled at the end
)

// HashtagRules are the brand's hashtag habits.
type HashtagRules struct {
	// Required hashtags must appear (e.g. the brand's own), with their "#".
	Required []string `json:"required"`
	// Banned hashtags must not appear.
	Banned []string `json:"banned"`
	// Max is the most hashtags a post may carry, per network name ("instagram": 5), with "*"
	// for every other network. A missing network is not limited.
	Max map[string]int `json:"max"`
	// Position is "end", "inline" or empty (anywhere).
	Position string `json:"position"`
	// CamelCase asks for #EachWordCapitalised, which screen readers read as words.
	CamelCase bool `json:"camel_case"`
	// Known lists hashtags in the brand's casing ("#HeraldTips"); a different casing is
	// corrected to it when CamelCase is on.
	Known []string `json:"known"`
}

// LinkRules are about the links in a post.
type LinkRules struct {
	// AllowedDomains, when not empty, are the only domains (and their subdomains) links may point
	// to; BrandDomains are always allowed.
	AllowedDomains []string `json:"allowed_domains"`
	// BrandDomains are the brand's own sites, whose links must carry UTM parameters.
	BrandDomains []string `json:"brand_domains"`
	// RequiredUTM are the parameters a brand link needs (default utm_source, utm_medium,
	// utm_campaign when BrandDomains is set).
	RequiredUTM []string `json:"required_utm"`
	// UTMValues are the values a suggested fix fills in, by parameter; "{network}", "{campaign}"
	// and "{label}" are replaced by the post's. Defaults: utm_source={network}, utm_medium=social,
	// utm_campaign={campaign}.
	UTMValues map[string]string `json:"utm_values"`
}

// MentionRules are about the accounts a post mentions.
type MentionRules struct {
	// Allowed, when not empty, lists the only accounts a post may mention ("@herald",
	// "@herald@mastodon.social"); others are flagged for a second look.
	Allowed []string `json:"allowed"`
	// Banned accounts must never be mentioned.
	Banned []string `json:"banned"`
}

// Emoji modes.
const (
	EmojiFree = ""     // no limit
	EmojiNone = "none" // no emoji at all
	EmojiMax  = "max"  // at most Max
)

// EmojiRules limit emoji. Counting is by grapheme cluster: a flag, a family or a thumbs-up with
// a skin tone is one emoji.
type EmojiRules struct {
	Mode string `json:"mode"`
	Max  int    `json:"max"`
	// Banned emoji, whatever their skin tone.
	Banned []string `json:"banned"`
}

// Forms of address in French.
const (
	AddressTu         = "tu"
	AddressVous       = "vous"
	AddressConsistent = "consistent" // either, but never both in one post
)

// FormRules are about how sentences are written. Nil and zero values switch a rule off.
type FormRules struct {
	// MaxSentenceWords flags sentences longer than this many words.
	MaxSentenceWords int `json:"max_sentence_words"`
	// MinReadingEase is the lowest acceptable reading ease: Flesch for English, Kandel–Moles
	// for French, both on a 0–100 scale where higher is easier (60 is plain language).
	MinReadingEase float64 `json:"min_reading_ease"`
	// MaxExclamations is the most "!" a post may carry.
	MaxExclamations *int `json:"max_exclamations"`
	// MaxAllCaps is the most words in capitals (shouting) a post may carry. Acronyms listed in
	// Acronyms and the brand's names are never counted.
	MaxAllCaps *int     `json:"max_all_caps"`
	Acronyms   []string `json:"acronyms"`
	// Address is the French form of address: "tu", "vous", "consistent" or empty.
	Address string `json:"address"`
}

// Disclaimer positions.
const (
	DisclaimerAnywhere = ""
	DisclaimerStart    = "start" // on the first line
	DisclaimerEnd      = "end"   // on the last line
)

// Disclaimer is a mention the post must carry, such as "#ad" on a paid partnership.
type Disclaimer struct {
	// Any lists accepted forms ("#ad", "#sponsorisé", "Partenariat rémunéré"); the first is the one
	// a fix inserts.
	Any []string `json:"any"`
	// Position is "start", "end" or empty (anywhere).
	Position string `json:"position"`
}

// Patch changes Rules for posts with a label or on a channel. Lists add to the rules they patch;
// set scalars replace.
type Patch struct {
	Language         *string      `json:"language,omitempty"`
	Terms            []Term       `json:"terms,omitempty"`
	RequiredHashtags []string     `json:"required_hashtags,omitempty"`
	BannedHashtags   []string     `json:"banned_hashtags,omitempty"`
	MaxHashtags      *int         `json:"max_hashtags,omitempty"`
	HashtagPosition  *string      `json:"hashtag_position,omitempty"`
	AllowedDomains   []string     `json:"allowed_domains,omitempty"`
	Emoji            *EmojiRules  `json:"emoji,omitempty"`
	Form             *FormRules   `json:"form,omitempty"`
	Disclaimers      []Disclaimer `json:"disclaimers,omitempty"`
}

// LabelPatch is a Patch for posts carrying Label (compared without regard to case).
type LabelPatch struct {
	Label string `json:"label"`
	Patch
}

// ChannelPatch is a Patch for posts going to one channel.
type ChannelPatch struct {
	ChannelID int64 `json:"channel_id"`
	Patch
}

// Resolve returns the rules for a post on channel (0 for none) carrying labels: the profile's
// rules, then each matching label patch in profile order, then the channel's patch. When no
// network limit applies, a MaxHashtags patch becomes the "*" limit.
func (p *Profile) Resolve(channel int64, labels []string) Rules {
	r := p.Rules.clone()
	for _, lp := range p.Labels {
		if slices.ContainsFunc(labels, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), strings.TrimSpace(lp.Label)) }) {
			r.apply(lp.Patch)
		}
	}
	if channel != 0 {
		for _, cp := range p.Channels {
			if cp.ChannelID == channel {
				r.apply(cp.Patch)
			}
		}
	}
	return r
}

func (r Rules) clone() Rules {
	c := r
	c.Terms = slices.Clone(r.Terms)
	c.Hashtags.Required = slices.Clone(r.Hashtags.Required)
	c.Hashtags.Banned = slices.Clone(r.Hashtags.Banned)
	c.Hashtags.Known = slices.Clone(r.Hashtags.Known)
	if r.Hashtags.Max != nil {
		c.Hashtags.Max = make(map[string]int, len(r.Hashtags.Max))
		for k, v := range r.Hashtags.Max {
			c.Hashtags.Max[k] = v
		}
	}
	c.Links.AllowedDomains = slices.Clone(r.Links.AllowedDomains)
	c.Disclaimers = slices.Clone(r.Disclaimers)
	return c
}

func (r *Rules) apply(p Patch) {
	if p.Language != nil {
		r.Language = *p.Language
	}
	r.Terms = append(r.Terms, p.Terms...)
	r.Hashtags.Required = append(r.Hashtags.Required, p.RequiredHashtags...)
	r.Hashtags.Banned = append(r.Hashtags.Banned, p.BannedHashtags...)
	if p.MaxHashtags != nil {
		// A patch's limit is the strictest word: it replaces every network's limit, since a
		// channel has one network and a label means the same on all of them.
		r.Hashtags.Max = map[string]int{"*": *p.MaxHashtags}
	}
	if p.HashtagPosition != nil {
		r.Hashtags.Position = *p.HashtagPosition
	}
	r.Links.AllowedDomains = append(r.Links.AllowedDomains, p.AllowedDomains...)
	if p.Emoji != nil {
		r.Emoji = *p.Emoji
	}
	if p.Form != nil {
		r.Form = *p.Form
	}
	r.Disclaimers = append(r.Disclaimers, p.Disclaimers...)
}

// Limits on a profile's size: it is stored as one document and compiled on every check.
const (
	MaxTerms        = 500
	MaxListItems    = 100
	MaxPhrase       = 100
	MaxDescription  = 4000
	MaxPatches      = 200
	maxUTMParameter = 64
)

// Languages lists the languages the checker and the language detector know.
var Languages = []string{"en", "fr", "es", "de", "it", "pt"}

// ValidationError lists what is wrong with a profile, by JSON path ("rules.terms[2].use").
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid voice profile: " + strings.Join(parts, "; ")
}

// validator collects problems by JSON path.
type validator map[string]string

func (v validator) add(path, msg string) {
	if _, ok := v[path]; !ok {
		v[path] = msg
	}
}

func (v validator) text(path, s string, max int) {
	if !utf8.ValidString(s) {
		v.add(path, "must be valid text")
	} else if utf8.RuneCountInString(s) > max {
		v.add(path, fmt.Sprintf("must be at most %d characters", max))
	}
}

// list checks a list of non-empty strings of at most max characters each, then each item.
func (v validator) list(path string, items []string, max int, each func(path, item string)) {
	if len(items) > MaxListItems {
		v.add(path, fmt.Sprintf("at most %d items", MaxListItems))
		return
	}
	for i, it := range items {
		ip := fmt.Sprintf("%s[%d]", path, i)
		if strings.TrimSpace(it) == "" {
			v.add(ip, "must not be empty")
			continue
		}
		v.text(ip, it, max)
		if each != nil {
			each(ip, it)
		}
	}
}

// Validate reports what a person must fix before the profile can be saved, as a
// *ValidationError; nil when it is fine.
func (p *Profile) Validate() error {
	v := validator{}
	v.text("description", p.Description, MaxDescription)
	v.text("audience", p.Audience, MaxDescription)
	v.list("do", p.Do, 1000, nil)
	v.list("dont", p.Dont, 1000, nil)
	v.rules("rules", &p.Rules)
	if len(p.Labels) > MaxPatches {
		v.add("labels", fmt.Sprintf("at most %d label patches", MaxPatches))
	}
	for i, lp := range p.Labels {
		path := fmt.Sprintf("labels[%d]", i)
		if strings.TrimSpace(lp.Label) == "" {
			v.add(path+".label", "is required")
		}
		v.text(path+".label", lp.Label, 64)
		v.patch(path, &lp.Patch)
	}
	if len(p.Channels) > MaxPatches {
		v.add("channels", fmt.Sprintf("at most %d channel patches", MaxPatches))
	}
	seen := map[int64]bool{}
	for i, cp := range p.Channels {
		path := fmt.Sprintf("channels[%d]", i)
		if cp.ChannelID <= 0 {
			v.add(path+".channel_id", "is required")
		} else if seen[cp.ChannelID] {
			v.add(path+".channel_id", "this channel has two patches; merge them")
		}
		seen[cp.ChannelID] = true
		v.patch(path, &cp.Patch)
	}
	for rule, sev := range p.Severities {
		if _, ok := defaultSeverity[rule]; !ok {
			v.add("severities."+rule, "is not a rule")
		} else if !sev.Valid() {
			v.add("severities."+rule, "must be error, warning or info")
		}
	}
	total := len(p.Rules.Terms)
	for _, lp := range p.Labels {
		total += len(lp.Terms)
	}
	for _, cp := range p.Channels {
		total += len(cp.Terms)
	}
	if total > MaxTerms {
		v.add("rules.terms", fmt.Sprintf("at most %d terms in the whole profile", MaxTerms))
	}
	if len(v) > 0 {
		return &ValidationError{Fields: v}
	}
	return nil
}

func (v validator) rules(path string, r *Rules) {
	v.language(path+".language", r.Language)
	v.terms(path+".terms", r.Terms)
	v.tags(path+".hashtags.required", r.Hashtags.Required)
	v.tags(path+".hashtags.banned", r.Hashtags.Banned)
	v.tags(path+".hashtags.known", r.Hashtags.Known)
	for nw, n := range r.Hashtags.Max {
		if n < 0 || n > 100 {
			v.add(path+".hashtags.max."+nw, "must be between 0 and 100")
		}
	}
	v.position(path+".hashtags.position", r.Hashtags.Position)
	v.domains(path+".links.allowed_domains", r.Links.AllowedDomains)
	v.domains(path+".links.brand_domains", r.Links.BrandDomains)
	v.list(path+".links.required_utm", r.Links.RequiredUTM, maxUTMParameter, func(ip, s string) {
		if !validParamName(s) {
			v.add(ip, "must be a query parameter name such as utm_source")
		}
	})
	for k, val := range r.Links.UTMValues {
		if !validParamName(k) {
			v.add(path+".links.utm_values", "keys must be query parameter names such as utm_source")
		}
		v.text(path+".links.utm_values."+k, val, 200)
	}
	v.mentions(path+".mentions.allowed", r.Mentions.Allowed)
	v.mentions(path+".mentions.banned", r.Mentions.Banned)
	v.emoji(path+".emoji", &r.Emoji)
	v.form(path+".form", &r.Form)
	v.disclaimers(path+".disclaimers", r.Disclaimers)
}

func (v validator) patch(path string, p *Patch) {
	if p.Language != nil {
		v.language(path+".language", *p.Language)
	}
	v.terms(path+".terms", p.Terms)
	v.tags(path+".required_hashtags", p.RequiredHashtags)
	v.tags(path+".banned_hashtags", p.BannedHashtags)
	if p.MaxHashtags != nil && (*p.MaxHashtags < 0 || *p.MaxHashtags > 100) {
		v.add(path+".max_hashtags", "must be between 0 and 100")
	}
	if p.HashtagPosition != nil {
		v.position(path+".hashtag_position", *p.HashtagPosition)
	}
	v.domains(path+".allowed_domains", p.AllowedDomains)
	if p.Emoji != nil {
		v.emoji(path+".emoji", p.Emoji)
	}
	if p.Form != nil {
		v.form(path+".form", p.Form)
	}
	v.disclaimers(path+".disclaimers", p.Disclaimers)
}

func (v validator) language(path, l string) {
	if l != "" && !slices.Contains(Languages, l) {
		v.add(path, "must be one of "+strings.Join(Languages, ", ")+" or empty")
	}
}

func (v validator) position(path, pos string) {
	if pos != "" && pos != PositionEnd && pos != PositionInline {
		v.add(path, `must be "end", "inline" or empty`)
	}
}

func (v validator) terms(path string, terms []Term) {
	if len(terms) > MaxTerms {
		v.add(path, fmt.Sprintf("at most %d terms", MaxTerms))
		return
	}
	for i, t := range terms {
		tp := fmt.Sprintf("%s[%d]", path, i)
		switch t.Kind {
		case Preferred, Brand, Banned, Sensitive:
		default:
			v.add(tp+".kind", "must be preferred, brand, banned or sensitive")
			continue
		}
		v.text(tp+".use", t.Use, MaxPhrase)
		v.text(tp+".reason", t.Reason, 500)
		v.list(tp+".avoid", t.Avoid, MaxPhrase, func(ip, s string) {
			if len(tokenizePhrase(s)) == 0 {
				v.add(ip, "must contain a word")
			}
		})
		if t.Gender != "" && t.Gender != "m" && t.Gender != "f" {
			v.add(tp+".gender", `must be "m", "f" or empty`)
		}
		switch t.Kind {
		case Preferred:
			if len(tokenizePhrase(t.Use)) == 0 {
				v.add(tp+".use", "say which word to use instead")
			}
			if len(t.Avoid) == 0 {
				v.add(tp+".avoid", "list the words to avoid")
			}
		case Brand:
			if len(tokenizePhrase(t.Use)) == 0 {
				v.add(tp+".use", "write the brand's name as it must be spelled")
			}
		case Banned, Sensitive:
			if len(t.Avoid) == 0 {
				v.add(tp+".avoid", "list the words to flag")
			}
		}
	}
}

func (v validator) tags(path string, tags []string) {
	v.list(path, tags, 100, func(ip, s string) {
		tag := strings.TrimSpace(s)
		if !strings.HasPrefix(tag, "#") || len(tag) < 2 || strings.ContainsAny(tag[1:], " #\t\n") {
			v.add(ip, "must be one hashtag such as #Herald")
		}
	})
}

func (v validator) domains(path string, ds []string) {
	v.list(path, ds, 253, func(ip, s string) {
		d := normalizeDomain(s)
		if d == "" || strings.ContainsAny(d, "/ :@?#") || !strings.Contains(d, ".") {
			v.add(ip, "must be a domain such as example.com")
		}
	})
}

func (v validator) mentions(path string, ms []string) {
	v.list(path, ms, 320, func(ip, s string) {
		m := strings.TrimSpace(s)
		if !strings.HasPrefix(m, "@") || len(m) < 2 || strings.ContainsAny(m, " \t\n") {
			v.add(ip, "must be an account such as @herald or @herald@mastodon.social")
		}
	})
}

func (v validator) emoji(path string, e *EmojiRules) {
	switch e.Mode {
	case EmojiFree, EmojiNone:
	case EmojiMax:
		if e.Max < 0 || e.Max > 100 {
			v.add(path+".max", "must be between 0 and 100")
		}
	default:
		v.add(path+".mode", `must be "none", "max" or empty (free)`)
	}
	v.list(path+".banned", e.Banned, 64, func(ip, s string) {
		if _, ok := emojiKey(s); !ok {
			v.add(ip, "must be one emoji")
		}
	})
}

func (v validator) form(path string, f *FormRules) {
	if f.MaxSentenceWords < 0 || f.MaxSentenceWords > 200 {
		v.add(path+".max_sentence_words", "must be between 0 (off) and 200")
	}
	if f.MinReadingEase < 0 || f.MinReadingEase > 100 {
		v.add(path+".min_reading_ease", "must be between 0 (off) and 100")
	}
	if f.MaxExclamations != nil && (*f.MaxExclamations < 0 || *f.MaxExclamations > 100) {
		v.add(path+".max_exclamations", "must be between 0 and 100")
	}
	if f.MaxAllCaps != nil && (*f.MaxAllCaps < 0 || *f.MaxAllCaps > 100) {
		v.add(path+".max_all_caps", "must be between 0 and 100")
	}
	v.list(path+".acronyms", f.Acronyms, 40, nil)
	switch f.Address {
	case "", AddressTu, AddressVous, AddressConsistent:
	default:
		v.add(path+".address", `must be "tu", "vous", "consistent" or empty`)
	}
}

func (v validator) disclaimers(path string, ds []Disclaimer) {
	if len(ds) > MaxListItems {
		v.add(path, fmt.Sprintf("at most %d disclaimers", MaxListItems))
		return
	}
	for i, d := range ds {
		dp := fmt.Sprintf("%s[%d]", path, i)
		if len(d.Any) == 0 {
			v.add(dp+".any", "list at least one accepted form, such as #ad")
		}
		v.list(dp+".any", d.Any, 200, func(ip, s string) {
			if len(tokenizePhrase(s)) == 0 && !strings.ContainsFunc(s, func(r rune) bool { return r > ' ' }) {
				v.add(ip, "must contain a word")
			}
		})
		switch d.Position {
		case DisclaimerAnywhere, DisclaimerStart, DisclaimerEnd:
		default:
			v.add(dp+".position", `must be "start", "end" or empty (anywhere)`)
		}
	}
}

func validParamName(s string) bool {
	if s == "" || len(s) > maxUTMParameter {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// normalizeDomain lowercases a domain and drops a scheme, "www." and a trailing dot or path.
func normalizeDomain(s string) string {
	d := strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(d, "://"); i >= 0 {
		d = d[i+3:]
	}
	if i := strings.IndexAny(d, "/?#"); i >= 0 {
		d = d[:i]
	}
	d = strings.TrimSuffix(d, ".")
	return strings.TrimPrefix(d, "www.")
}

// Normalize replaces the profile's nil lists and maps with empty ones, so that its JSON has [] and
// {} where a client expects them, never null. Max exclamations and capitals stay nil: there null
// means "no limit".
func (p *Profile) Normalize() {
	ss := func(s *[]string) {
		if *s == nil {
			*s = []string{}
		}
	}
	ss(&p.Do)
	ss(&p.Dont)
	p.Rules.normalize()
	if p.Labels == nil {
		p.Labels = []LabelPatch{}
	}
	for i := range p.Labels {
		p.Labels[i].Patch.normalize()
	}
	if p.Channels == nil {
		p.Channels = []ChannelPatch{}
	}
	for i := range p.Channels {
		p.Channels[i].Patch.normalize()
	}
	if p.Severities == nil {
		p.Severities = map[string]Severity{}
	}
}

func (r *Rules) normalize() {
	ss := func(s *[]string) {
		if *s == nil {
			*s = []string{}
		}
	}
	if r.Terms == nil {
		r.Terms = []Term{}
	}
	for i := range r.Terms {
		ss(&r.Terms[i].Avoid)
	}
	ss(&r.Hashtags.Required)
	ss(&r.Hashtags.Banned)
	ss(&r.Hashtags.Known)
	if r.Hashtags.Max == nil {
		r.Hashtags.Max = map[string]int{}
	}
	ss(&r.Links.AllowedDomains)
	ss(&r.Links.BrandDomains)
	ss(&r.Links.RequiredUTM)
	if r.Links.UTMValues == nil {
		r.Links.UTMValues = map[string]string{}
	}
	ss(&r.Mentions.Allowed)
	ss(&r.Mentions.Banned)
	ss(&r.Emoji.Banned)
	ss(&r.Form.Acronyms)
	if r.Disclaimers == nil {
		r.Disclaimers = []Disclaimer{}
	}
	for i := range r.Disclaimers {
		ss(&r.Disclaimers[i].Any)
	}
}

// normalize fills the lists a patch always writes; the omitted ones stay omitted.
func (p *Patch) normalize() {
	for i := range p.Terms {
		if p.Terms[i].Avoid == nil {
			p.Terms[i].Avoid = []string{}
		}
	}
	if p.Emoji != nil && p.Emoji.Banned == nil {
		p.Emoji.Banned = []string{}
	}
	if p.Form != nil && p.Form.Acronyms == nil {
		p.Form.Acronyms = []string{}
	}
	for i := range p.Disclaimers {
		if p.Disclaimers[i].Any == nil {
			p.Disclaimers[i].Any = []string{}
		}
	}
}
