package voice

import (
	"fmt"
	"strings"
	"testing"
)

// benchPost is a 3,000-character post in French with something for every rule to look at:
// terms, elisions, hashtags, links, mentions, emoji, exclamations and capitals.
var benchPost = func() string {
	para := "Bonjour à toutes et à tous ! L'utilisateur de herald découvre aujourd'hui notre nouvelle " +
		"fonctionnalité : des publications GRATUITES pour les membres, avec un suivi sur herald.app/tarifs. " +
		"Tu peux voir ton compte 🎉 et partager avec @herald ou @rival. Vive la #rentrée #socialmediatips !!! "
	var b strings.Builder
	for b.Len() < 2900 {
		b.WriteString(para)
	}
	s := b.String()
	for len(s) < 3000 {
		s += "x"
	}
	return s[:3000]
}()

// benchProfile is a realistic profile: 120 terms, and every rule on.
var benchProfile = func() *Profile {
	p := *fuzzProfile
	p.Rules.Terms = append([]Term(nil), fuzzProfile.Rules.Terms...)
	for i := 0; i < 115; i++ {
		p.Rules.Terms = append(p.Rules.Terms, Term{Kind: Preferred, Use: "terme" + string(rune('a'+i%26)), Avoid: []string{"mot" + strings.Repeat("x", i%7) + string(rune('a'+i%26)), "autre expression " + string(rune('a'+i%26))}})
	}
	p.Rules.Form.MaxSentenceWords = 25
	p.Rules.Form.MinReadingEase = 40
	return &p
}()

// BenchmarkCheck3000 measures one check of a 3,000-character post: the composer checks as the
// author types, so this must stay well under 20 ms.
func BenchmarkCheck3000(b *testing.B) {
	in := Input{Text: benchPost, Network: "instagram", Labels: []string{"partnership"}, Locale: "fr"}
	b.SetBytes(int64(len(benchPost)))
	b.ReportAllocs()
	for b.Loop() {
		Check(benchProfile, in)
	}
}

func TestBenchPostSize(t *testing.T) {
	if len([]rune(benchPost)) < 2900 || len(benchPost) != 3000 {
		t.Fatalf("bench post has %d characters, %d bytes", len([]rune(benchPost)), len(benchPost))
	}
	if n := len(Check(benchProfile, Input{Text: benchPost, Network: "instagram"})); n < 50 {
		t.Fatalf("the bench post should give many findings, got %d", n)
	}
}

// BenchmarkCheck3000MaxTerms is the same post against the largest profile Validate accepts:
// 500 terms of two phrases each.
func BenchmarkCheck3000MaxTerms(b *testing.B) {
	p := *benchProfile
	p.Rules.Terms = append([]Term(nil), benchProfile.Rules.Terms...)
	for len(p.Rules.Terms) < MaxTerms {
		i := len(p.Rules.Terms)
		p.Rules.Terms = append(p.Rules.Terms, Term{Kind: Banned, Avoid: []string{fmt.Sprintf("mot%d", i), fmt.Sprintf("expression numéro %d", i)}})
	}
	if err := p.Validate(); err != nil {
		b.Fatal(err)
	}
	in := Input{Text: benchPost, Network: "instagram", Labels: []string{"partnership"}, Locale: "fr"}
	b.ReportAllocs()
	for b.Loop() {
		Check(&p, in)
	}
}
