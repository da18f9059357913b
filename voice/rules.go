package voice

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tagKey is how hashtags compare: folded, without the "#" (#Café and #cafe are one tag).
func tagKey(tag string) string {
	tag = strings.TrimSpace(tag)
	tag = strings.TrimPrefix(strings.TrimPrefix(tag, "#"), "＃")
	return fold(tag)
}

func (c *checker) hashtags() {
	r := c.rules.Hashtags
	d, loc := c.d, c.locale
	// Each tag of the text is folded once for the three rules that compare tags.
	keys := make([]string, len(d.hashtags))
	present := map[string]bool{}
	for i, h := range d.hashtags {
		keys[i] = tagKey(h.text)
		present[keys[i]] = true
	}
	banned := map[string]bool{}
	for _, b := range r.Banned {
		banned[tagKey(b)] = true
	}
	flagged := map[int]bool{} // hashtags (by start) already reported for removal
	for i, h := range d.hashtags {
		if banned[keys[i]] {
			c.add(RuleHashtagBanned, h.start, h.end, msg(loc, "tag_banned", h.text), c.removal(h.start, h.end))
			flagged[h.start] = true
		}
	}
	seenReq := map[string]bool{}
	for _, req := range r.Required {
		k := tagKey(req)
		if k == "" || present[k] || seenReq[k] {
			continue
		}
		seenReq[k] = true
		tag := "#" + strings.TrimPrefix(strings.TrimSpace(req), "#")
		at, ins := c.endInsertion(tag)
		c.add(RuleHashtagRequired, at, at, msg(loc, "tag_required", tag), c.fix(at, at, ins))
	}
	if limit, ok := c.rules.hashtagLimit(c.in.Network); ok && len(d.hashtags) > limit {
		network := c.in.Network
		if network == "" {
			network = "this channel"
			if loc == "fr" {
				network = "ce canal"
			}
		}
		for _, h := range d.hashtags[limit:] {
			if flagged[h.start] {
				continue
			}
			c.add(RuleHashtagMax, h.start, h.end, msg(loc, "tag_max", network, len(d.hashtags), limit), c.removal(h.start, h.end))
			flagged[h.start] = true
		}
	}
	c.hashtagPosition(r.Position, flagged)
	c.hashtagCase(r, keys, flagged)
}

// hashtagLimit is the limit for network: its own, else "*".
func (r Rules) hashtagLimit(network string) (int, bool) {
	m := r.Hashtags.Max
	if n, ok := m[strings.ToLower(network)]; ok && network != "" {
		return n, true
	}
	n, ok := m["*"]
	return n, ok
}

// endBlock returns the index of the first hashtag of the final run of hashtags, the run that
// nothing but white space and other hashtags follows; len(hashtags) when the text does not end
// with one.
func (c *checker) endBlock() int {
	d := c.d
	first := len(d.hashtags)
	end := len(strings.TrimRightFunc(d.text, func(r rune) bool { return unicode.IsSpace(r) || r == '.' }))
	for i := len(d.hashtags) - 1; i >= 0; i-- {
		h := d.hashtags[i]
		if strings.TrimSpace(d.text[h.end:end]) != "" {
			break
		}
		first, end = i, h.start
	}
	return first
}

func (c *checker) hashtagPosition(pos string, flagged map[int]bool) {
	d, loc := c.d, c.locale
	if len(d.hashtags) == 0 {
		return
	}
	block := c.endBlock()
	switch pos {
	case PositionEnd:
		for _, h := range d.hashtags[:block] {
			if flagged[h.start] {
				continue
			}
			// Keep the word in the sentence and repeat the tag at the end: the fix rewrites from
			// the tag to the end of the text in one replacement.
			rest := d.text[h.end:]
			trimmed := strings.TrimRightFunc(rest, unicode.IsSpace)
			sep := "\n\n"
			if block < len(d.hashtags) {
				sep = " "
			}
			repl := strings.TrimPrefix(strings.TrimPrefix(h.text, "#"), "＃") + trimmed + sep + h.text + rest[len(trimmed):]
			c.add(RuleHashtagPosition, h.start, h.end, msg(loc, "tag_end"), c.fix(h.start, len(d.text), repl))
		}
	case PositionInline:
		if block < len(d.hashtags)-1 && block > 0 || (block == 0 && len(d.hashtags) > 1 && c.hasWordsBefore(d.hashtags[0].start)) {
			c.add(RuleHashtagPosition, d.hashtags[block].start, d.hashtags[len(d.hashtags)-1].end, msg(loc, "tag_inline"), nil)
		}
	}
}

func (c *checker) hasWordsBefore(i int) bool {
	for _, t := range c.d.tokens {
		if t.start >= i {
			return false
		}
		if !t.skip {
			return true
		}
	}
	return false
}

// hashtagCase corrects tags to the brand's known casing and, with CamelCase on, suggests
// capitals between the words of an all-lowercase (or all-capitals) tag when the words can be
// told apart. keys are the tags' tagKey, in order.
func (c *checker) hashtagCase(r HashtagRules, keys []string, flagged map[int]bool) {
	d, loc := c.d, c.locale
	known := map[string]string{}
	addKnown := func(tag string) {
		tag = strings.TrimSpace(tag)
		if k := tagKey(tag); k != "" {
			if _, ok := known[k]; !ok {
				known[k] = "#" + strings.TrimPrefix(tag, "#")
			}
		}
	}
	for _, k := range r.Known {
		addKnown(k)
	}
	if r.CamelCase {
		for _, k := range r.Required {
			addKnown(k)
		}
		for _, t := range c.rules.Terms {
			if t.Kind == Brand && !strings.ContainsFunc(t.Use, unicode.IsSpace) {
				addKnown(t.Use)
			}
		}
	}
	var termWords map[string]bool
	for i, h := range d.hashtags {
		if flagged[h.start] {
			continue
		}
		if k, ok := known[keys[i]]; ok {
			if k != h.text {
				c.add(RuleHashtagCase, h.start, h.end, msg(loc, "tag_known", k), c.fix(h.start, h.end, k))
			}
			continue
		}
		if !r.CamelCase {
			continue
		}
		if termWords == nil {
			termWords = c.termWords()
		}
		known := func(w string) bool { return commonWords[w] || termWords[w] }
		if camel, ok := camelCase(h.text, known); ok && camel != h.text {
			c.add(RuleHashtagCase, h.start, h.end, msg(loc, "tag_case", camel), c.fix(h.start, h.end, camel))
		}
	}
}

// termWords are the words of the brand's terms, which hashtags are split with besides the
// built-in common words of English and French (looked up in both rather than copied into one
// map on every check).
func (c *checker) termWords() map[string]bool {
	m := map[string]bool{}
	add := func(ts []token) {
		for _, tk := range ts {
			if len(tk.fold) > 1 {
				m[tk.fold] = true
			}
		}
	}
	for _, tw := range c.words() {
		add(tw.use)
		for _, a := range tw.avoid {
			add(a)
		}
	}
	return m
}

// camelCase splits an all-lowercase or all-capitals tag into known words and capitalises
// each ("#socialmediatips" → "#SocialMediaTips"). ok is false when the tag already has mixed
// case, is one word, or cannot be split entirely into known words.
func camelCase(tag string, known func(word string) bool) (string, bool) {
	hash, body := tag[:1], tag[1:]
	if strings.HasPrefix(tag, "＃") {
		hash, body = "＃", tag[len("＃"):]
	}
	if body != strings.ToLower(body) && body != strings.ToUpper(body) {
		return "", false
	}
	runes := []rune(body)
	// f is ASCII once checked, so its byte offsets are rune offsets into body and its words can
	// be looked up as substrings, without a conversion per candidate.
	f := fold(body)
	if len(f) != len(runes) || len(f) < 4 {
		return "", false // ligatures or marks changed the length: the split could not map back
	}
	for i := 0; i < len(f); i++ {
		if !(f[i] >= 'a' && f[i] <= 'z') {
			return "", false // digits, underscores and other scripts: leave the tag alone
		}
	}
	// Fewest words wins; among equal counts the first found. best[i] is the fewest words
	// covering f[:i], or -1.
	n := len(f)
	best := make([]int, n+1)
	prev := make([]int, n+1)
	for i := range best {
		best[i] = -1
	}
	best[0] = 0
	for i := 1; i <= n; i++ {
		for j := max(0, i-20); j <= i-2; j++ {
			if best[j] < 0 || !known(f[j:i]) {
				continue
			}
			if best[i] < 0 || best[j]+1 < best[i] {
				best[i], prev[i] = best[j]+1, j
			}
		}
	}
	if best[n] < 2 {
		return "", false
	}
	var cuts []int
	for i := n; i > 0; i = prev[i] {
		cuts = append(cuts, prev[i])
	}
	slices.Reverse(cuts)
	out := make([]rune, len(runes))
	for i, r := range runes {
		out[i] = unicode.ToLower(r)
	}
	for _, cut := range cuts {
		out[cut] = unicode.ToUpper(out[cut])
	}
	return hash + string(out), true
}

func (c *checker) links() {
	lr := c.rules.Links
	d, loc := c.d, c.locale
	allowed := append(slices.Clone(lr.AllowedDomains), lr.BrandDomains...)
	for _, l := range d.links {
		if len(lr.AllowedDomains) > 0 && !domainIn(l.host, allowed) {
			c.add(RuleLinkDomain, l.start, l.end, msg(loc, "link_domain", l.host), nil)
			continue
		}
		if !domainIn(l.host, lr.BrandDomains) {
			continue
		}
		required := lr.RequiredUTM
		if len(required) == 0 {
			required = []string{"utm_source", "utm_medium", "utm_campaign"}
		}
		q := queryOf(l.raw)
		var missing [][2]string
		var names []string
		for _, p := range required {
			if q.Get(p) != "" {
				continue
			}
			names = append(names, p)
			missing = append(missing, [2]string{p, c.utmValue(p)})
		}
		if len(missing) == 0 {
			continue
		}
		c.add(RuleLinkUTM, l.start, l.end, msg(loc, "link_utm", strings.Join(names, ", ")), c.fix(l.start, l.end, withParams(l.raw, missing)))
	}
}

// utmValue is the value a fix gives parameter p.
func (c *checker) utmValue(p string) string {
	v, ok := c.rules.Links.UTMValues[p]
	if !ok {
		switch p {
		case "utm_source":
			v = "{network}"
		case "utm_medium":
			v = "social"
		case "utm_campaign":
			v = "{campaign}"
		default:
			v = "herald"
		}
	}
	if strings.Contains(v, "{") {
		label := ""
		if len(c.in.Labels) > 0 {
			label = slug(c.in.Labels[0])
		}
		campaign := slug(c.in.Campaign)
		if campaign == "" {
			campaign = label
		}
		v = strings.NewReplacer("{network}", strings.ToLower(c.in.Network), "{campaign}", campaign, "{label}", label).Replace(v)
	}
	if strings.TrimSpace(v) == "" {
		v = "social"
	}
	return v
}

// slug lowercases s and joins its words with hyphens, for a query parameter value.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

func (c *checker) mentions() {
	mr := c.rules.Mentions
	if len(mr.Allowed) == 0 && len(mr.Banned) == 0 {
		return
	}
	key := func(m string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(m), "@")) }
	allowed, banned := map[string]bool{}, map[string]bool{}
	for _, a := range mr.Allowed {
		allowed[key(a)] = true
	}
	for _, b := range mr.Banned {
		banned[key(b)] = true
	}
	for _, m := range c.d.mentions {
		k := key(strings.Replace(m.text, "＠", "@", 1))
		switch {
		case banned[k]:
			c.add(RuleMentionBanned, m.start, m.end, msg(c.locale, "mention_banned", m.text), c.removal(m.start, m.end))
		case len(allowed) > 0 && !allowed[k]:
			c.add(RuleMentionAllowed, m.start, m.end, msg(c.locale, "mention_allowed", m.text), nil)
		}
	}
}

func (c *checker) emoji() {
	er := c.rules.Emoji
	if er.Mode == EmojiFree && len(er.Banned) == 0 {
		return
	}
	banned := map[string]bool{}
	for _, b := range er.Banned {
		if k, ok := emojiKey(b); ok {
			banned[k] = true
		}
	}
	loc := c.locale
	counted := 0
	for _, e := range c.d.emojis() {
		if banned[e.key] {
			c.add(RuleEmojiBanned, e.start, e.end, msg(loc, "emoji_banned", c.d.text[e.start:e.end]), c.removal(e.start, e.end))
			continue
		}
		counted++
		switch {
		case er.Mode == EmojiNone:
			c.add(RuleEmojiCount, e.start, e.end, msg(loc, "emoji_none"), c.removal(e.start, e.end))
		case er.Mode == EmojiMax && counted > er.Max:
			c.add(RuleEmojiCount, e.start, e.end, msg(loc, "emoji_max", er.Max), c.removal(e.start, e.end))
		}
	}
}

func (c *checker) form() {
	fr := c.rules.Form
	d, loc := c.d, c.locale
	var ss []sentence
	if fr.MaxSentenceWords > 0 || fr.MinReadingEase > 0 || fr.MaxAllCaps != nil {
		ss = d.sentences()
	}
	if fr.MaxSentenceWords > 0 {
		for _, s := range ss {
			if n := len(s.words); n > fr.MaxSentenceWords {
				c.add(RuleSentenceLength, s.start, s.end, msg(loc, "sentence_length", n, fr.MaxSentenceWords), nil)
			}
		}
	}
	if fr.MinReadingEase > 0 {
		c.readingEase(ss, fr.MinReadingEase)
	}
	if fr.MaxExclamations != nil {
		c.exclamations(*fr.MaxExclamations)
	}
	if fr.MaxAllCaps != nil {
		c.allCaps(ss, *fr.MaxAllCaps, fr.Acronyms)
	}
	if fr.Address != "" && d.lang == "fr" {
		c.address(fr.Address)
	}
}

// minWordsForEase is the shortest text reading ease is judged on: the formulas average over
// sentences, and on a dozen words one long name decides the score.
const minWordsForEase = 20

func (c *checker) readingEase(ss []sentence, target float64) {
	d := c.d
	words := 0
	for _, s := range ss {
		words += len(s.words)
	}
	if words < minWordsForEase {
		return
	}
	score, ok := d.readingEase(ss)
	if !ok || score >= target {
		return
	}
	// Point at the hardest sentence, the one a rewrite should start with.
	hardest, low := -1, 0.0
	for i, s := range ss {
		if len(s.words) < 3 {
			continue
		}
		syl := 0
		for _, w := range s.words {
			syl += syllableCount(d.tokens[w], d.lang)
		}
		e := rawEase(d.lang, len(s.words), 1, syl)
		if hardest < 0 || e < low {
			hardest, low = i, e
		}
	}
	if hardest < 0 {
		return
	}
	c.add(RuleReadingEase, ss[hardest].start, ss[hardest].end, msg(c.locale, "reading_ease", score, target), nil)
}

func isExclamation(r rune) bool { return r == '!' || r == '！' }

func (c *checker) exclamations(limit int) {
	d := c.d
	used := 0
	for i := 0; i < len(d.text); {
		r, w := utf8.DecodeRuneInString(d.text[i:])
		if !isExclamation(r) || d.inLink(i) {
			i += w
			continue
		}
		j := i
		n := 0
		for j < len(d.text) {
			r2, w2 := utf8.DecodeRuneInString(d.text[j:])
			if !isExclamation(r2) {
				break
			}
			j += w2
			n++
		}
		allowed := max(0, limit-used)
		if n > allowed {
			start, repl := i, "."
			if allowed > 0 {
				repl = strings.Repeat("!", allowed)
				if n > 1 && allowed > 1 {
					repl = "!" // a run is one shout: keep one mark
				}
			} else {
				// "Génial !" → "Génial." : the French space before "!" goes with it.
				for start > 0 {
					p, pw := utf8.DecodeLastRuneInString(d.text[:start])
					if p != ' ' && p != '\u00a0' && p != '\u202f' {
						break
					}
					start -= pw
				}
				if next, _ := utf8.DecodeRuneInString(d.text[j:]); j < len(d.text) && !unicode.IsSpace(next) {
					repl = ". "
				}
				if start == 0 || j == len(d.text) && strings.TrimSpace(d.text[:start]) == "" {
					repl = ""
				}
			}
			c.add(RuleExclamations, i, j, msg(c.locale, "exclamations", limit), c.fix(start, j, repl))
		}
		used += n
		i = j
	}
}

func (c *checker) allCaps(ss []sentence, limit int, acronyms []string) {
	d := c.d
	allow := map[string]bool{}
	for _, a := range acronyms {
		allow[fold(strings.TrimSpace(a))] = true
	}
	for i, tw := range c.words() {
		if c.rules.Terms[i].Kind == Brand {
			// Elided articles are not in the phrase; they are never counted as capitals anyway.
			for _, tk := range tw.use {
				allow[tk.fold] = true
			}
		}
	}
	capsAt := func(i int) bool {
		if i < 0 || i >= len(d.tokens) {
			return false
		}
		t := d.tokens[i]
		return !t.skip && !t.elision && allCaps(t.raw) && !allow[t.fold]
	}
	firstWord := map[int]bool{}
	for _, s := range ss {
		if len(s.words) > 0 {
			firstWord[s.words[0]] = true
		}
	}
	var shouting []int
	for i, t := range d.tokens {
		if !capsAt(i) {
			continue
		}
		// Short capitals are usually acronyms (EU, CEO, PDF); they count as shouting only next to
		// other words in capitals ("BUY NOW").
		if utf8.RuneCountInString(t.raw) >= 4 || capsAt(i-1) && d.adjacent(i-1, i) || capsAt(i+1) && d.adjacent(i, i+1) {
			shouting = append(shouting, i)
		}
	}
	if len(shouting) <= limit {
		return
	}
	for _, i := range shouting[limit:] {
		t := d.tokens[i]
		repl := strings.ToLower(t.raw)
		if firstWord[i] {
			repl = upperFirst(repl)
		}
		c.add(RuleAllCaps, t.start, t.end, msg(c.locale, "all_caps", limit), c.fix(t.start, t.end, repl))
	}
}

// French forms of address, folded. "t'" is the elided "te".
var (
	tuForms   = map[string]string{"tu": "", "toi": "vous", "ton": "votre", "ta": "votre", "tes": "vos", "te": "", "t": ""}
	vousForms = map[string]string{"vous": "", "votre": "", "vos": "tes"}
)

func (c *checker) address(mode string) {
	d := c.d
	var tu, vous []int
	for i, t := range d.tokens {
		if t.skip {
			continue
		}
		// "t" is a form only as the elided "t'"; every other form is a whole word.
		if _, ok := tuForms[t.fold]; ok && t.elision == (t.fold == "t") {
			tu = append(tu, i)
		}
		if _, ok := vousForms[t.fold]; ok && !t.elision {
			vous = append(vous, i)
		}
	}
	want := mode
	if mode == AddressConsistent {
		if len(tu) == 0 || len(vous) == 0 {
			return
		}
		want = AddressVous
		if len(tu) > len(vous) {
			want = AddressTu
		}
	}
	wrong, forms, id := tu, tuForms, "address_vous"
	if want == AddressTu {
		wrong, forms, id = vous, vousForms, "address_tu"
	}
	if mode == AddressConsistent {
		id = "address_mixed_" + want
	}
	for _, i := range wrong {
		t := d.tokens[i]
		m := msg(c.locale, id)
		repl := forms[t.fold]
		if repl == "" {
			c.add(RuleAddress, t.start, t.end, m+msg(c.locale, "address_verb"), nil)
			continue
		}
		if isUpperFirst(t.raw) {
			repl = upperFirst(repl)
		}
		c.add(RuleAddress, t.start, t.end, m, c.fix(t.start, t.end, repl))
	}
}

func (c *checker) disclaimers() {
	d := c.d
	if len(c.rules.Disclaimers) == 0 {
		return
	}
	// The text is folded once for every disclaimer. Folding keeps line breaks where they are
	// (a mark never combines across one), so the folded text's first and last lines are the
	// folded first and last lines.
	folded := fold(d.text)
	for _, dc := range c.rules.Disclaimers {
		forms := slices.DeleteFunc(slices.Clone(dc.Any), func(s string) bool { return strings.TrimSpace(s) == "" })
		if len(forms) == 0 {
			continue
		}
		where := folded
		switch dc.Position {
		case DisclaimerStart:
			where = firstLine(folded)
		case DisclaimerEnd:
			where = lastLine(folded)
		}
		if slices.ContainsFunc(forms, func(f string) bool { return containsPhrase(where, f) }) {
			continue
		}
		first := strings.TrimSpace(forms[0])
		id := "disclaimer"
		switch dc.Position {
		case DisclaimerStart:
			offset := len(d.text) - len(strings.TrimLeftFunc(d.text, unicode.IsSpace))
			sep := " "
			if strings.TrimSpace(d.text) == "" {
				sep = ""
			}
			c.add(RuleDisclaimer, offset, offset, msg(c.locale, "disclaimer_start", first), c.fix(offset, offset, first+sep))
			continue
		case DisclaimerEnd:
			id = "disclaimer_end"
		}
		at, ins := c.endInsertion(first)
		c.add(RuleDisclaimer, at, at, msg(c.locale, id, first), c.fix(at, at, ins))
	}
}

// firstLine is the first line of s that holds more than white space, from its first character;
// lastLine the last, up to its last ("" for a blank text).
func firstLine(s string) string {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func lastLine(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// containsPhrase reports whether folded, a text already folded (the caller folds it once for
// every disclaimer), contains phrase, folded, not inside a longer word: "#ad" is not
// found in "#adventure", "Partenariat rémunéré" is found in "partenariat remunere".
func containsPhrase(folded, phrase string) bool {
	t, p := folded, fold(strings.TrimSpace(phrase))
	if p == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(t[i:], p)
		if j < 0 {
			return false
		}
		s, e := i+j, i+j+len(p)
		before, _ := utf8.DecodeLastRuneInString(t[:s])
		after, _ := utf8.DecodeRuneInString(t[e:])
		pFirst, _ := utf8.DecodeRuneInString(p)
		pLast, _ := utf8.DecodeLastRuneInString(p)
		okBefore := s == 0 || !isWordRune(before) || !isWordRune(pFirst)
		okAfter := e == len(t) || !isWordRune(after) || !isWordRune(pLast)
		if okBefore && okAfter {
			return true
		}
		_, w := utf8.DecodeRuneInString(t[s:])
		i = s + w
	}
}

// minConfidence is how sure the detector must be before a post is said to be in the wrong
// language: a false alarm on every bilingual post would teach people to ignore the rule.
const minConfidence = 0.7

func (c *checker) language(det Detection) {
	want := c.rules.Language
	if want == "" || det.Language == "" || det.Language == want || det.Confidence < minConfidence {
		return
	}
	t := c.d.text
	s := len(t) - len(strings.TrimLeftFunc(t, unicode.IsSpace))
	e := len(strings.TrimRightFunc(t, unicode.IsSpace))
	c.add(RuleLanguage, s, max(s, e), msg(c.locale, "language", languageName(c.locale, det.Language), languageName(c.locale, want)), nil)
}
