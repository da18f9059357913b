package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/heraldhq/herald/server/workflow"
)

// The deadline sweep looks at open posts planned from deadlineLookBack ago to deadlineLookAhead
// from now: far enough back to catch up after a stop of a few days, far enough ahead for the
// longest lead and reminder the settings allow (14 days each).
const (
	deadlineLookBack  = 7 * 24 * time.Hour
	deadlineLookAhead = 2*workflow.MaxDeadlineLead + time.Hour
	deadlinePage      = 500
)

// DeadlineSweep counts what SweepApprovalDeadlines did.
type DeadlineSweep struct {
	Reminded, Missed int
}

// SweepApprovalDeadlines reminds approvers of posts whose approval deadline is near and tells
// each post's author and editors when the deadline passed without approval. Nothing unapproved
// is ever due for publishing, so a missed deadline needs no change to the post: it stays where
// it is, off the schedule, until someone reschedules it. Each reminder and each notice goes out
// once per planned time, even with several workers sweeping at once: the approval_deadlines row
// is claimed with a conditional update in the transaction that writes the notification.
func (s *Store) SweepApprovalDeadlines(ctx context.Context, now time.Time) (DeadlineSweep, error) {
	var out DeadlineSweep
	db := s.db.WithContext(ctx)
	open := []string{string(workflow.Draft), string(workflow.InReview), string(workflow.ChangesRequested)}
	settings := map[int64]*ReviewSettings{}
	workspaces := map[int64]*Workspace{}
	afterAt, afterID := dbTime(now.Add(-deadlineLookBack)), int64(0)
	for {
		var posts []Post
		q := db.Where("status IN ? AND scheduled_at <= ?", open, dbTime(now.Add(deadlineLookAhead))).
			Where("(scheduled_at > ? OR (scheduled_at = ? AND id > ?))", afterAt, afterAt, afterID).
			Order("scheduled_at, id").Limit(deadlinePage)
		if err := q.Find(&posts).Error; err != nil {
			return out, translate(err)
		}
		for i := range posts {
			p := &posts[i]
			afterAt, afterID = *p.ScheduledAt, p.ID
			rs, ok := settings[p.WorkspaceID]
			if !ok {
				var err error
				if rs, err = s.ReviewSettingsFor(ctx, p.WorkspaceID); err != nil {
					return out, err
				}
				settings[p.WorkspaceID] = rs
				if workspaces[p.WorkspaceID], err = s.Workspace(ctx, p.WorkspaceID); err != nil {
					return out, err
				}
			}
			d := workflow.Deadlines{Lead: time.Duration(rs.ApprovalLeadMinutes) * time.Minute, RemindBefore: time.Duration(rs.ReminderMinutes) * time.Minute}
			planned := p.ScheduledAt.UTC()
			// Cheap test first: most open posts are far from their deadline.
			if now.Before(d.Deadline(planned).Add(-d.RemindBefore)) {
				continue
			}
			var rec ApprovalDeadline
			err := db.Where("post_id = ? AND planned_at = ?", p.ID, dbTime(planned)).Take(&rec).Error
			if err != nil && translate(err) != ErrNotFound {
				return out, translate(err)
			}
			rev, err := s.PostReview(ctx, workspaces[p.WorkspaceID], p)
			if err != nil {
				return out, err
			}
			switch d.Due(workflow.Status(p.Status), planned, now, len(rev.Steps) > 0, rec.RemindedAt != nil, rec.MissedAt != nil) {
			case workflow.RemindApprovers:
				done, err := s.noteDeadline(ctx, p, planned, now, "reminded_at", &Notification{WorkspaceID: p.WorkspaceID, Kind: NotifyApprovalReminder,
					PostID: &p.ID, Message: s.reminderMessage(ctx, p, rev, d.Deadline(planned))}, "")
				if err != nil {
					return out, err
				}
				if done {
					out.Reminded++
				}
			case workflow.DeadlineMissed:
				msg := fmt.Sprintf("“%s” was not approved by its deadline (%s), so it will not be published at %s. Its author and editors: "+
					"approve it and choose a new time.", postName(p), d.Deadline(planned).Format("2006-01-02 15:04 MST"), planned.Format("2006-01-02 15:04 MST"))
				done, err := s.noteDeadline(ctx, p, planned, now, "missed_at", &Notification{WorkspaceID: p.WorkspaceID, Kind: NotifyApprovalMissed,
					PostID: &p.ID, Message: msg}, "approval deadline missed: not published at "+planned.Format(time.RFC3339))
				if err != nil {
					return out, err
				}
				if done {
					out.Missed++
				}
			}
		}
		if len(posts) < deadlinePage {
			return out, nil
		}
	}
}

// noteDeadline marks column (reminded_at or missed_at) of the post's deadline row for the
// planned time, and when it was not marked before, records the notification (and the audit
// event, when audit is set) in the same transaction. done is false when another worker got
// there first.
func (s *Store) noteDeadline(ctx context.Context, p *Post, planned, now time.Time, column string, n *Notification, audit string) (bool, error) {
	done := false
	err := s.tx(ctx, func(db *gorm.DB) error {
		done = false
		row := ApprovalDeadline{PostID: p.ID, PlannedAt: dbTime(planned), WorkspaceID: p.WorkspaceID}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return err
		}
		res := db.Model(&ApprovalDeadline{}).Where("post_id = ? AND planned_at = ? AND "+column+" IS NULL", p.ID, dbTime(planned)).
			Update(column, dbTime(now))
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		done = true
		n.CreatedAt = now
		n.Message = truncate(n.Message, 2000)
		if err := db.Create(n).Error; err != nil {
			return err
		}
		if audit != "" {
			return s.audit(db, p.WorkspaceID, Actor{Label: "scheduler"}, "post.approval_deadline_missed", "post", p.ID, audit)
		}
		return nil
	})
	return done, err
}

// reminderMessage names who the post waits for.
func (s *Store) reminderMessage(ctx context.Context, p *Post, rev *Review, deadline time.Time) string {
	who := "its approvers"
	if c := rev.Progress.Current; c < len(rev.Steps) {
		st := rev.Steps[c]
		switch {
		case st.Client:
			who = st.Name + " (the client, through a review link)"
		case len(st.Members) > 0:
			var names []string
			var users []User
			if err := s.db.WithContext(ctx).Select("id", "name", "email").Where("id IN ?", st.Members).Find(&users).Error; err == nil {
				for _, u := range users {
					if u.Name != "" {
						names = append(names, u.Name)
					} else {
						names = append(names, u.Email)
					}
				}
			}
			who = st.Name + " (" + strings.Join(names, ", ") + ")"
		default:
			who = st.Name + " (" + string(st.Role) + "s or above)"
		}
	}
	return fmt.Sprintf("Reminder: “%s” waits for %s and must be approved by %s to be published as planned.",
		postName(p), who, deadline.Format("2006-01-02 15:04 MST"))
}

func postName(p *Post) string {
	if p.Title != "" {
		return truncate(p.Title, 100)
	}
	if p.Body != "" {
		return truncate(strings.ReplaceAll(p.Body, "\n", " "), 60)
	}
	return fmt.Sprintf("post %d", p.ID)
}
