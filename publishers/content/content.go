package content

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// MediaKind is the kind of an attachment, as networks distinguish them: a GIF is neither an
// image (X gives it its own size limit and lets it stand only alone) nor a video.
type MediaKind string

// The media kinds.
const (
	KindImage MediaKind = "image"
	KindGIF   MediaKind = "gif"
	KindVideo MediaKind = "video"
)

// Media describes one attachment. Zero values mean "not known" and skip the checks that need
// them: a size of 0 is not checked against a size limit, an empty MIME type not against the
// accepted types. Check works on descriptions so the UI can validate before uploading.
type Media struct {
	// Kind is KindImage, KindGIF or KindVideo; anything else is reported as media_type.
	Kind MediaKind `json:"kind"`
	// MIME is the file's type, e.g. "image/jpeg"; parameters and case are ignored.
	MIME string `json:"mime,omitempty"`
	// SizeBytes is the file's size.
	SizeBytes int64 `json:"size_bytes,omitempty"`
	// Width and Height are in pixels; they are used for aspect-ratio limits.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// DurationSec is a video's duration in seconds.
	DurationSec float64 `json:"duration_sec,omitempty"`
	// AltText is the description read to people who cannot see the attachment.
	AltText string `json:"alt_text,omitempty"`
}

// Content is what one post says on one network: its text, its attachments, and the comment to
// post right after it (Instagram users put hashtags there to keep the caption clean).
type Content struct {
	// Text is the body of the post (a caption when there are attachments).
	Text string `json:"text"`
	// Media describes the attachments, in the order they will be posted.
	Media []Media `json:"media,omitempty"`
	// FirstComment is posted as a reply right after the post, where the network allows it.
	FirstComment string `json:"first_comment,omitempty"`
	// Thread holds the parts published after the first, each as a reply to the one before, on
	// networks that take threads (Rules.Threads).
	Thread []Part `json:"thread,omitempty"`
}

// Part is one later part of a thread: it follows the same rules as the post itself.
type Part struct {
	Text  string  `json:"text"`
	Media []Media `json:"media,omitempty"`
}

// Problem codes. They are stable identifiers for the API and the UI; messages may change.
const (
	CodeEmpty                   = "empty"
	CodeTooLong                 = "too_long"
	CodeTooManyHashtags         = "too_many_hashtags"
	CodeTooManyMentions         = "too_many_mentions"
	CodeMediaRequired           = "media_required"
	CodeTooManyMedia            = "too_many_media"
	CodeMediaType               = "media_type"
	CodeMediaTooLarge           = "media_too_large"
	CodeVideoTooLong            = "video_too_long"
	CodeMixedMedia              = "mixed_media"
	CodeAspectRatio             = "aspect_ratio"
	CodeAltTextMissing          = "alt_text_missing"
	CodeFirstCommentUnsupported = "first_comment_unsupported"
	CodeFirstCommentTooLong     = "first_comment_too_long"
	CodeThreadUnsupported       = "thread_unsupported"
	CodeThreadTooLong           = "thread_too_long"
)

// Severities. An error means the network would reject the post (or Herald could not deliver a
// part of it); a warning is advice and does not make a result not OK.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Problem is one reason a post does not fit a network, or advice about it.
type Problem struct {
	// Code is one of the Code constants.
	Code string `json:"code"`
	// Severity is SeverityError or SeverityWarning.
	Severity string `json:"severity"`
	// Message is plain English for the user, with the numbers involved.
	Message string `json:"message"`
	// Start and End bound the span of Field the problem is about, in runes of the text as
	// given (see the package documentation); both are -1 when it is not about a span. For
	// too_long, the span runs from the first rune past the limit to the end of the text, which
	// is what has to go; for too_many_hashtags and too_many_mentions, from the first one over
	// the limit to the end of the last one.
	Start int `json:"start"`
	End   int `json:"end"`
	// Field names what the problem is about: "text", "first_comment", "media" (the set of
	// attachments) or "media[i]" (one attachment, i counting from 0 in the order given); for a
	// later part of a thread, the same prefixed with "thread[i]." ("thread[0].text"), or
	// "thread" for the thread as a whole.
	Field string `json:"field"`
}

// Result is the verdict of one network's rules on one post.
type Result struct {
	// Network is the name of the rule set, e.g. "x".
	Network string `json:"network"`
	// Length is the length of the text as the network counts it.
	Length int `json:"length"`
	// Limit is the length limit that applies to this post, which can depend on it (Telegram
	// allows less text when media is attached); 0 means no limit.
	Limit int `json:"limit"`
	// OK reports that there is no problem of severity error.
	OK bool `json:"ok"`
	// Problems lists errors and warnings: text first, then attachments, then the first comment.
	Problems []Problem `json:"problems"`
}

// UnknownNetworkError reports network names that have no built-in rule set.
type UnknownNetworkError struct {
	// Names are the unknown names as given, sorted.
	Names []string
}

// Error implements error.
func (e *UnknownNetworkError) Error() string {
	return "unknown network: " + strings.Join(e.Names, ", ")
}

// CheckAll checks c against the built-in rules of each named network and returns the results
// keyed by network name. Names are matched without regard to case or surrounding space and the
// results are keyed by the canonical (lower-case) name. If any name is unknown it returns nil
// and an *UnknownNetworkError naming all of them, so a typo is never silently skipped.
func CheckAll(networks []string, c Content) (map[string]Result, error) {
	rules := make([]*Rules, 0, len(networks))
	var unknown []string
	for _, name := range networks {
		r, ok := builtin[canonical(name)]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		rules = append(rules, r)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, &UnknownNetworkError{Names: unknown}
	}
	out := make(map[string]Result, len(rules))
	var memo lengths
	for _, r := range rules {
		if _, done := out[r.Network]; !done {
			out[r.Network] = check(*r, c, &memo)
		}
	}
	return out, nil
}

// lengths remembers how one text measures by each built-in counter, because most networks share
// a counter and CheckAll would otherwise normalise and count the same long text many times. The
// memo is for one text only.
type lengths struct {
	slots [4]measured // one per built-in counter; custom counters are not memoised
}

// measured is what is known of the text by one counter.
type measured struct {
	counter *unitCounter
	known   bool
	length  int
	// units holds, once an overflow point was asked for, each unit's first rune and the count
	// up to and including it, so any limit is answered by a binary search.
	units []countedUnit
}

// countedUnit is one counting unit: where it starts and the running count at its end.
type countedUnit struct{ start, total int }

// slot returns the memo for counter, or nil when it is not one of this package's counters.
func (m *lengths) slot(counter Counter) *measured {
	uc, ok := counter.(*unitCounter)
	if !ok {
		return nil
	}
	for i := range m.slots {
		switch m.slots[i].counter {
		case uc:
			return &m.slots[i]
		case nil:
			m.slots[i].counter = uc
			return &m.slots[i]
		}
	}
	return nil
}

// count returns counter.Count(text), reusing an earlier count by the same counter.
func (m *lengths) count(counter Counter, text string) int {
	s := m.slot(counter)
	if s == nil {
		return counter.Count(text)
	}
	if !s.known {
		s.length, s.known = counter.Count(text), true
	}
	return s.length
}

// overflow returns counter.Overflow(text, limit), walking the text at most once per counter.
func (m *lengths) overflow(counter Counter, text string, limit int) int {
	s := m.slot(counter)
	if s == nil {
		return counter.Overflow(text, limit)
	}
	if s.units == nil {
		s.units = make([]countedUnit, 0, len(text))
		total := 0
		s.counter.walk(text, true, func(start, _, w int) bool {
			total += w
			s.units = append(s.units, countedUnit{start, total})
			return true
		})
	}
	k := sort.Search(len(s.units), func(k int) bool { return s.units[k].total > limit })
	if k == len(s.units) {
		return -1
	}
	return s.units[k].start
}

// Check applies one network's rules to a post. It never fails: whatever is wrong with the post
// is reported as problems, and a zero Rules value (no limits) accepts anything but an empty post.
func Check(r Rules, c Content) Result {
	return check(r, c, &lengths{})
}

// check is Check with a memo of the text's lengths, shared by CheckAll across networks.
func check(r Rules, c Content, memo *lengths) Result {
	counter := r.Counter
	if counter == nil {
		counter = Chars
	}
	name := r.displayName()
	hasMedia := len(c.Media) > 0

	limit := r.MaxLength
	if hasMedia && r.MaxCaption > 0 {
		limit = r.MaxCaption
	}
	res := Result{Network: r.Network, Limit: limit, Problems: []Problem{}}
	add := func(p Problem) { res.Problems = append(res.Problems, p) }

	// Text.
	res.Length = memo.count(counter, c.Text)
	if strings.TrimSpace(c.Text) == "" && !hasMedia {
		add(Problem{Code: CodeEmpty, Severity: SeverityError, Field: "text", Start: -1, End: -1,
			Message: fmt.Sprintf("Nothing to post on %s: add some text or an attachment", name)})
	}
	if limit > 0 && res.Length > limit {
		what := "characters"
		if hasMedia && r.MaxCaption > 0 {
			what = "characters for a caption"
		}
		add(tooLong(CodeTooLong, "text", c.Text, memo.overflow(counter, c.Text, limit),
			fmt.Sprintf("Too long for %s: %s of %s %s", name, number(res.Length), number(limit), what)))
	}
	if r.MaxBytes > 0 && len(c.Text) > r.MaxBytes {
		add(Problem{Code: CodeTooLong, Severity: SeverityError, Field: "text",
			Start: byteOverflow(c.Text, r.MaxBytes), End: utf8.RuneCountInString(c.Text),
			Message: fmt.Sprintf("Too long for %s: %s of %s bytes (emoji and non-Latin scripts take several bytes each)",
				name, number(len(c.Text)), number(r.MaxBytes))})
	}
	checkEntities(&res, r, c.Text, "text")

	// Attachments.
	checkMedia(&res, r, c.Media)

	// First comment.
	if strings.TrimSpace(c.FirstComment) != "" {
		switch {
		case !r.FirstComment:
			add(Problem{Code: CodeFirstCommentUnsupported, Severity: SeverityError, Field: "first_comment", Start: -1, End: -1,
				Message: fmt.Sprintf("%s does not support a first comment", name)})
		default:
			if n := counter.Count(c.FirstComment); r.MaxFirstComment > 0 && n > r.MaxFirstComment {
				add(tooLong(CodeFirstCommentTooLong, "first_comment", c.FirstComment, counter.Overflow(c.FirstComment, r.MaxFirstComment),
					fmt.Sprintf("First comment too long for %s: %s of %s characters", name, number(n), number(r.MaxFirstComment))))
			}
			checkEntities(&res, r, c.FirstComment, "first_comment")
		}
	}

	// Later parts of a thread.
	if len(c.Thread) > 0 {
		switch {
		case !r.Threads:
			add(Problem{Code: CodeThreadUnsupported, Severity: SeverityError, Field: "thread", Start: -1, End: -1,
				Message: fmt.Sprintf("%s does not publish threads: publish the later parts as separate posts, or leave %s out of this one", name, name)})
		case r.MaxThreadParts > 0 && len(c.Thread)+1 > r.MaxThreadParts:
			add(Problem{Code: CodeThreadTooLong, Severity: SeverityError, Field: "thread", Start: -1, End: -1,
				Message: fmt.Sprintf("Too many parts for a thread on %s: %d of %d", name, len(c.Thread)+1, r.MaxThreadParts)})
		default:
			for i, part := range c.Thread {
				sub := check(r, Content{Text: part.Text, Media: part.Media}, &lengths{})
				for _, p := range sub.Problems {
					p.Field = fmt.Sprintf("thread[%d].%s", i, p.Field)
					add(p)
				}
			}
		}
	}

	res.OK = true
	for _, p := range res.Problems {
		if p.Severity == SeverityError {
			res.OK = false
			break
		}
	}
	return res
}

// tooLong builds a length problem whose span runs from start, the first rune past the limit,
// to the end of the text.
func tooLong(code, field, text string, start int, msg string) Problem {
	runes := utf8.RuneCountInString(text)
	if start < 0 || start > runes {
		// A custom Counter that disagrees with itself; point at the end rather than nowhere.
		start = runes
	}
	return Problem{Code: code, Severity: SeverityError, Field: field, Start: start, End: runes, Message: msg}
}

// byteOverflow returns the rune offset of the first rune that does not fit in max bytes.
func byteOverflow(text string, max int) int {
	ri := 0
	for b := range text {
		_, w := utf8.DecodeRuneInString(text[b:])
		if b+w > max {
			return ri
		}
		ri++
	}
	return ri
}

// checkEntities applies the hashtag and mention limits to one field.
func checkEntities(res *Result, r Rules, text, field string) {
	if r.MaxHashtags > 0 {
		if tags := Hashtags(text); len(tags) > r.MaxHashtags {
			res.Problems = append(res.Problems, Problem{Code: CodeTooManyHashtags, Severity: SeverityError, Field: field,
				Start: tags[r.MaxHashtags].Start, End: tags[len(tags)-1].End,
				Message: fmt.Sprintf("Too many hashtags for %s: %d of %d", r.displayName(), len(tags), r.MaxHashtags)})
		}
	}
	if r.MaxMentions > 0 {
		if ms := Mentions(text); len(ms) > r.MaxMentions {
			res.Problems = append(res.Problems, Problem{Code: CodeTooManyMentions, Severity: SeverityError, Field: field,
				Start: ms[r.MaxMentions].Start, End: ms[len(ms)-1].End,
				Message: fmt.Sprintf("Too many mentions for %s: %d of %d", r.displayName(), len(ms), r.MaxMentions)})
		}
	}
}

// number formats n with thousands separators, as the messages show limits like 63,206.
func number(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// canonical is the form network names are looked up in.
func canonical(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
