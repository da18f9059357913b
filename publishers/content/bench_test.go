package content

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// mixedText builds a text of n runes mixing what posts hold: Latin with accents (some
// decomposed), CJK, emoji sequences, links with and without a scheme, hashtags and mentions.
func mixedText(n int) string {
	parts := []string{
		"Launch day! ", "Read more at https://example.com/blog/2024/launch-notes?utm_source=herald. ",
		"Café crème et ", cafeNFD, " ", "日本語のテキストも。", familyEmoji, flagFR, thumbTone, " ",
		"#launch #café @alice @bob@example.social ", "see example.org/path, ", "Привет, мир! ",
	}
	var b strings.Builder
	for i := 0; utf8.RuneCountInString(b.String()) < n; i++ {
		b.WriteString(parts[i%len(parts)])
	}
	runes := []rune(b.String())
	return string(runes[:n])
}

func BenchmarkCheckAll(b *testing.B) {
	c := Content{
		Text:         mixedText(3000),
		Media:        []Media{{Kind: KindImage, MIME: "image/jpeg", SizeBytes: 800_000, Width: 1080, Height: 1080}},
		FirstComment: "#more #tags @carol",
	}
	networks := Networks()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CheckAll(networks, c); err != nil {
			b.Fatal(err)
		}
	}
}
