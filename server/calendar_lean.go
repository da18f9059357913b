package server

import (
	"time"

	"github.com/heraldhq/herald/server/store"
)

// leanPostView is a post as a calendar grid shows it (GET …/calendar?fields=lean): a month of
// 2,000 posts is about a tenth of the bytes of the full view, which the UI needs to be interactive
// in under a second (BENCHMARKS.md, "Calendar UI"). Text is what a grid shows for a post without
// a title: at most store.LeanTextRunes runes of its text, and empty when the post has a title.
type leanPostView struct {
	ID          int64      `json:"id"`
	AuthorID    int64      `json:"author_id"`
	Title       string     `json:"title"`
	Text        string     `json:"text"`
	Labels      []string   `json:"labels"`
	Status      string     `json:"status"`
	ScheduledAt *time.Time `json:"scheduled_at"`
	TimeZone    string     `json:"time_zone"`
	// VoiceScore is the brand voice score stored for the current revision (a lean query never
	// computes one), null when there is none.
	VoiceScore *int             `json:"voice_score"`
	Targets    []leanTargetView `json:"targets"`
}

type leanTargetView struct {
	ID          int64  `json:"id"`
	ChannelID   int64  `json:"channel_id"`
	Status      string `json:"status"`
	ExternalURL string `json:"external_url,omitempty"`
}

func viewLeanPost(p *store.Post) leanPostView {
	text := p.Body
	if p.Title != "" {
		text = ""
	}
	v := leanPostView{ID: p.ID, AuthorID: p.AuthorID, Title: p.Title, Text: text, Labels: make([]string, 0, len(p.Labels)),
		Status: p.Status, ScheduledAt: utcOrNil(p.ScheduledAt), TimeZone: p.TimeZone, VoiceScore: p.VoiceScore, Targets: make([]leanTargetView, 0, len(p.Targets))}
	for _, l := range p.Labels {
		v.Labels = append(v.Labels, l.Label)
	}
	for _, t := range p.Targets {
		v.Targets = append(v.Targets, leanTargetView{ID: t.ID, ChannelID: t.ChannelID, Status: t.Status, ExternalURL: t.ExternalURL})
	}
	return v
}
