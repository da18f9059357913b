package voice

import (
	"fmt"
	"strings"
)

// RewritePrompt builds the instructions for a language model asked to rewrite text in the
// brand's voice: the system message describes the voice and lists the rules that apply to this
// channel and these labels; the user message is the text. The model's answer goes back through
// Check before anyone sees it, so the prompt asks for the rules but does not have to be obeyed.
func RewritePrompt(p *Profile, in Input) (system, user string) {
	if p == nil {
		p = &Profile{}
	}
	r := p.Resolve(in.Channel, in.Labels)
	var b strings.Builder
	b.WriteString("You rewrite social media posts in a brand's voice. Keep the meaning, the facts, the links, the mentions and the hashtags the brand requires. ")
	b.WriteString("Answer with the rewritten post only: no quotes, no explanations.\n")
	line := func(label, s string) {
		if s = strings.TrimSpace(s); s != "" {
			fmt.Fprintf(&b, "\n%s: %s", label, s)
		}
	}
	line("Voice", p.Description)
	line("Audience", p.Audience)
	lang := in.Language
	if lang == "" {
		lang = r.Language
	}
	if lang == "" {
		lang = DetectLanguage(in.Text).Language
	}
	if lang != "" {
		line("Write in", languageName("en", lang))
	}
	if len(p.Do) > 0 {
		b.WriteString("\n\nThe brand would write, for example:")
		for _, d := range p.Do {
			fmt.Fprintf(&b, "\n- %s", d)
		}
	}
	if len(p.Dont) > 0 {
		b.WriteString("\n\nThe brand would never write:")
		for _, d := range p.Dont {
			fmt.Fprintf(&b, "\n- %s", d)
		}
	}
	var rules []string
	for _, t := range r.Terms {
		switch t.Kind {
		case Preferred:
			rules = append(rules, fmt.Sprintf("Say %q, never %s.", t.Use, quoteList(t.Avoid)))
		case Brand:
			rules = append(rules, fmt.Sprintf("Write the brand's name exactly %q.", t.Use))
		case Banned:
			s := fmt.Sprintf("Never use %s.", quoteList(t.Avoid))
			if t.Use != "" {
				s += fmt.Sprintf(" Say %q instead.", t.Use)
			}
			rules = append(rules, s)
		case Sensitive:
			rules = append(rules, fmt.Sprintf("Avoid %s if you can.", quoteList(t.Avoid)))
		}
	}
	h := r.Hashtags
	if len(h.Required) > 0 {
		rules = append(rules, "Include the hashtags "+strings.Join(h.Required, " ")+".")
	}
	if len(h.Banned) > 0 {
		rules = append(rules, "Never use the hashtags "+strings.Join(h.Banned, " ")+".")
	}
	if n, ok := r.hashtagLimit(in.Network); ok {
		rules = append(rules, fmt.Sprintf("Use at most %d hashtags.", n))
	}
	switch h.Position {
	case PositionEnd:
		rules = append(rules, "Put hashtags at the end.")
	case PositionInline:
		rules = append(rules, "Weave hashtags into the sentences.")
	}
	if h.CamelCase {
		rules = append(rules, "Write hashtags in CamelCase (#LikeThis).")
	}
	switch r.Emoji.Mode {
	case EmojiNone:
		rules = append(rules, "Use no emoji.")
	case EmojiMax:
		rules = append(rules, fmt.Sprintf("Use at most %d emoji.", r.Emoji.Max))
	}
	f := r.Form
	if f.MaxSentenceWords > 0 {
		rules = append(rules, fmt.Sprintf("Keep sentences under %d words.", f.MaxSentenceWords))
	}
	if f.MaxExclamations != nil {
		rules = append(rules, fmt.Sprintf("Use at most %d exclamation marks.", *f.MaxExclamations))
	}
	if f.MaxAllCaps != nil {
		rules = append(rules, "Do not write words in capitals.")
	}
	switch f.Address {
	case AddressTu:
		rules = append(rules, `In French, address the reader as "tu".`)
	case AddressVous:
		rules = append(rules, `In French, address the reader as "vous".`)
	case AddressConsistent:
		rules = append(rules, `In French, use "tu" or "vous" consistently.`)
	}
	for _, d := range r.Disclaimers {
		if len(d.Any) > 0 {
			rules = append(rules, fmt.Sprintf("Include %q.", d.Any[0]))
		}
	}
	if len(rules) > 0 {
		b.WriteString("\n\nRules:")
		for _, s := range rules {
			fmt.Fprintf(&b, "\n- %s", s)
		}
	}
	return b.String(), in.Text
}

func quoteList(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = fmt.Sprintf("%q", w)
	}
	return strings.Join(q, " or ")
}
