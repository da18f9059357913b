package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"github.com/heraldhq/herald/server/workflow"
)

// Revision kinds: the content a post had when it was submitted for review, and when it was
// approved.
const (
	RevisionSubmitted = "submitted"
	RevisionApproved  = "approved"
)

// PostRevision is a post's content at a moment of review, so a reviewer can see what changed
// since the last approved revision.
type PostRevision struct {
	ID          int64
	WorkspaceID int64
	PostID      int64
	Revision    int
	Kind        string
	ActorID     *int64
	Content     string // RevisionContent as JSON
	CreatedAt   time.Time
}

// RevisionContent is what a revision holds: everything that goes out, per channel.
type RevisionContent struct {
	Title   string           `json:"title"`
	Text    string           `json:"text"`
	Thread  []RevisionPart   `json:"thread"`
	Labels  []string         `json:"labels"`
	Targets []RevisionTarget `json:"targets"`
}

// RevisionPart is one later part of a thread in a revision.
type RevisionPart struct {
	Text  string  `json:"text"`
	Media []Media `json:"media"`
}

// RevisionTarget is one channel's part of a revision.
type RevisionTarget struct {
	ChannelID    int64   `json:"channel_id"`
	Text         *string `json:"text"`
	FirstComment *string `json:"first_comment"`
	Media        []Media `json:"media"`
}

// recordRevision keeps the post's content when it is submitted for review or becomes approved,
// in the transaction that changes its status (so the content is exactly what was reviewed).
func (s *Store) recordRevision(db *gorm.DB, p *Post, act PostAction, res workflow.Result) error {
	var kinds []string
	if act.Action == workflow.Submit {
		kinds = append(kinds, RevisionSubmitted)
	}
	if res.To == workflow.Approved && res.From != workflow.Approved && (act.Action == workflow.Submit || act.Action == workflow.Approve) {
		kinds = append(kinds, RevisionApproved)
	}
	if len(kinds) == 0 {
		return nil
	}
	var cur Post
	if err := db.Where("workspace_id = ? AND id = ?", p.WorkspaceID, p.ID).Take(&cur).Error; err != nil {
		return err
	}
	c := RevisionContent{Title: cur.Title, Text: cur.Body, Thread: []RevisionPart{}, Labels: []string{}, Targets: []RevisionTarget{}}
	for _, part := range cur.Thread {
		m := part.Media
		if m == nil {
			m = []Media{}
		}
		c.Thread = append(c.Thread, RevisionPart{Text: part.Text, Media: m})
	}
	var labels []PostLabel
	if err := db.Where("workspace_id = ? AND post_id = ?", p.WorkspaceID, p.ID).Order("label").Find(&labels).Error; err != nil {
		return err
	}
	for _, l := range labels {
		c.Labels = append(c.Labels, l.Label)
	}
	var targets []Target
	if err := db.Where("workspace_id = ? AND post_id = ?", p.WorkspaceID, p.ID).Order("id").Find(&targets).Error; err != nil {
		return err
	}
	for _, t := range targets {
		m := t.Media
		if m == nil {
			m = []Media{}
		}
		c.Targets = append(c.Targets, RevisionTarget{ChannelID: t.ChannelID, Text: t.TextOverride, FirstComment: t.FirstComment, Media: m})
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	for _, k := range kinds {
		r := PostRevision{WorkspaceID: p.WorkspaceID, PostID: p.ID, Revision: cur.Revision, Kind: k, ActorID: act.Actor.id(),
			Content: string(raw), CreatedAt: dbTime(s.now())}
		if err := db.Create(&r).Error; err != nil {
			return err
		}
	}
	return nil
}

// Revisions lists a post's submitted and approved revisions, oldest first.
func (s *Store) Revisions(ctx context.Context, workspaceID, postID int64) ([]PostRevision, error) {
	var out []PostRevision
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND post_id = ?", workspaceID, postID).Order("id").Find(&out).Error
	return out, translate(err)
}
