package content

import (
	"reflect"
	"testing"
)

func entityTexts(es []Entity) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Text)
	}
	return out
}

func TestHashtags(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"a #hashtag here", []string{"#hashtag"}},
		{"#1hashtag is this", []string{"#1hashtag"}},
		{"On the #16 bus", nil},
		{"#0", nil},
		{"(#hashtag1 )#hashtag2 [#hashtag3 ]#hashtag4 ’#hashtag5’#hashtag6", []string{"#hashtag1", "#hashtag2", "#hashtag3", "#hashtag4", "#hashtag5", "#hashtag6"}},
		{"Working remotely #café", []string{"#café"}},
		{"this is not valid: # 会議中 ハッシュ", nil},
		{"What is #트위터 anyway?", []string{"#트위터"}},
		{"日本語ハッシュテスト。#日本語ハッシュタグ。", []string{"#日本語ハッシュタグ"}},
		{"全角英数字ハッシュタグ ＃ｈａｓｈｔａｇ１２３", []string{"＃ｈａｓｈｔａｇ１２３"}},
		{"日本語ハッシュタグ#日本語ハッシュタグ", nil},
		{"#メ～テレ ハッシュタグ", []string{"#メ～テレ"}},
		{"#hashtag: #hashtag; #hashtag, #hashtag. #hashtag! #hashtag?", []string{"#hashtag", "#hashtag", "#hashtag", "#hashtag", "#hashtag", "#hashtag"}},
		{"#http://twitter.com #https://twitter.com", nil},
		{"http://twitter.com/#hashtag https://example.com/#top", nil},
		{"#ශ්රීලංකා", []string{"#ශ්රීලංකා"}},
		{"#महात्मा #महात्मा_१२३४ #१२३४ गांधी", []string{"#महात्मा", "#महात्मा_१२३४"}},
		{"#עַל־יְדֵי #וכו׳", []string{"#עַל־יְדֵי", "#וכו׳"}},
		{"C# and F#, &#39; a#b", nil},
		{"##double", []string{"#double"}},
	}
	for _, tt := range tests {
		if got := entityTexts(Hashtags(tt.text)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Hashtags(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestHashtagPositions(t *testing.T) {
	text := "日本 #tag é #b"
	got := Hashtags(text)
	want := []Entity{{"#tag", 3, 7}, {"#b", 10, 12}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Hashtags(%q) = %+v, want %+v", text, got, want)
	}
	runes := []rune(text)
	for _, e := range got {
		if string(runes[e.Start:e.End]) != e.Text {
			t.Errorf("span %d:%d is %q, want %q", e.Start, e.End, string(runes[e.Start:e.End]), e.Text)
		}
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"@username reply", []string{"@username"}},
		{"mention @username1 @username2", []string{"@username1", "@username2"}},
		{"の@usernameに到着を待っている", nil}, // a letter before "@" (unlike X, which allows CJK)
		{"Current Status: @_@ (cc: @username)", []string{"@_", "@username"}},
		{"email me at test@example.com", nil},
		{"@http://twitter.com", nil},
		{"f!@kn f#@kn f$@kn f%@kn f&@kn f*@kn f@@kn", nil},
		{"thanks @jane.doe.", []string{"@jane.doe"}},
		{"cc @alice@example.social and @bob", []string{"@alice@example.social", "@bob"}},
		{"https://mastodon.social/@alice", nil},
		{"＠fullwidth", []string{"＠fullwidth"}},
	}
	for _, tt := range tests {
		if got := entityTexts(Mentions(tt.text)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Mentions(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
