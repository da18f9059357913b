package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

// The lean calendar has the same posts as the full one, in the same order, with what a grid
// shows: text cut to LeanTextRunes runes (never inside a character), labels, targets' channels,
// statuses and published URLs.
func TestCalendarLean(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *testEnv) {
		author := e.A.user(workflow.Author)
		long := strings.Repeat("é", 150) + strings.Repeat("😀", 30) // 180 runes, multi-byte
		at := e.Clock.Now().Add(48 * 3600e9)
		p, err := e.Store.CreatePost(testCtx, e.A.WS.ID, author.actor(), store.PostInput{Body: long, Labels: []string{"x", "a"},
			Targets: []store.TargetInput{{ChannelID: e.A.Channel.ID, Media: []store.Media{{URL: "https://cdn.example/a.png", Kind: "image"}}}}}, &at, "Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		q := "/calendar?from=2026-03-01&to=2026-04-01"
		var full calendarResponse
		var lean leanCalendarResponse
		e.get(t, author, wsPath(e.A, q)).want(t, http.StatusOK).decode(t, &full)
		r := e.get(t, author, wsPath(e.A, q+"&fields=lean")).want(t, http.StatusOK)
		r.decode(t, &lean)
		if len(full.Posts) != len(lean.Posts) || len(lean.Posts) < 2 {
			t.Fatalf("full has %d posts, lean %d", len(full.Posts), len(lean.Posts))
		}
		for i := range full.Posts {
			f, l := full.Posts[i], lean.Posts[i]
			if f.Title != "" && l.Text != "" {
				t.Errorf("post %d has a title, so its lean text should be empty: %q", f.ID, l.Text)
			}
			if f.ID != l.ID || f.Status != l.Status || f.Title != l.Title || !f.ScheduledAt.Equal(*l.ScheduledAt) || fmt.Sprint(f.Labels) != fmt.Sprint(l.Labels) {
				t.Errorf("post %d differs: full %+v, lean %+v", i, f, l)
			}
			if len(f.Targets) != len(l.Targets) || f.Targets[0].ChannelID != l.Targets[0].ChannelID || f.Targets[0].Status != l.Targets[0].Status {
				t.Errorf("post %d targets differ: %+v vs %+v", i, f.Targets, l.Targets)
			}
			if f.ID == p.ID {
				if !utf8.ValidString(l.Text) || utf8.RuneCountInString(l.Text) != store.LeanTextRunes || !strings.HasPrefix(long, l.Text) {
					t.Errorf("lean text = %d runes %q, want the first %d runes", utf8.RuneCountInString(l.Text), l.Text, store.LeanTextRunes)
				}
			}
		}
		if strings.Contains(string(r.Body), "cdn.example") || strings.Contains(string(r.Body), "first_comment") {
			t.Errorf("the lean calendar carries media or full target fields: %s", r.Body)
		}
		e.get(t, author, wsPath(e.A, q+"&fields=everything")).wantErr(t, http.StatusUnprocessableEntity, "validation_failed")
	})
}
