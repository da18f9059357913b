package content

import (
	"reflect"
	"testing"
)

func TestLinks(t *testing.T) {
	tests := []struct {
		network, text string
		want          []string
	}{
		{"x", "see https://example.com/a. and example.org/b, or ftp://x.example", []string{"https://example.com/a", "example.org/b"}},
		{"x", "no links here", nil},
		{"x", "short links: https://t.co/abcDEF1234 end, and t.co alone", []string{"https://t.co/abcDEF1234", "t.co"}},
		{"mastodon", "bare example.org is not a link, https://example.org is", []string{"https://example.org"}},
		{"bluesky", "https://example.org", nil},
	}
	for _, tc := range tests {
		got := Links(tc.network, tc.text)
		if !reflect.DeepEqual(entityTexts(got), tc.want) {
			t.Errorf("Links(%q, %q) = %q, want %q", tc.network, tc.text, entityTexts(got), tc.want)
		}
		runes := []rune(tc.text)
		for _, e := range got {
			if string(runes[e.Start:e.End]) != e.Text {
				t.Errorf("Links(%q): entity %+v does not match the text at its offsets", tc.text, e)
			}
		}
	}
	// Rune offsets, not byte offsets, after non-ASCII text.
	got := Links("x", "日本 https://example.com 語 https://example.org")
	if len(got) != 2 || got[0].Start != 3 || got[1].Start != 25 {
		t.Errorf("offsets %+v", got)
	}
}
