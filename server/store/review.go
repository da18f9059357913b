package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/heraldhq/herald/server/workflow"
)

// ApprovalPolicies lists a workspace's approval policies in order: its own (label "") and the
// per-label ones.
func (s *Store) ApprovalPolicies(ctx context.Context, workspaceID int64) ([]ApprovalPolicy, error) {
	var out []ApprovalPolicy
	err := s.db.WithContext(ctx).Where("workspace_id = ?", workspaceID).Order("position, id").Find(&out).Error
	return out, translate(err)
}

// ApprovalPolicyByID loads one approval policy of a workspace.
func (s *Store) ApprovalPolicyByID(ctx context.Context, workspaceID, id int64) (*ApprovalPolicy, error) {
	var p ApprovalPolicy
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&p).Error
	return &p, translate(err)
}

// checkPolicy refuses a second policy for the same label (or a second workspace policy) and
// steps naming people who are not members of the workspace.
func (s *Store) checkPolicy(db *gorm.DB, p *ApprovalPolicy) error {
	var others []ApprovalPolicy
	if err := db.Select("id", "label").Where("workspace_id = ? AND id <> ?", p.WorkspaceID, p.ID).Find(&others).Error; err != nil {
		return err
	}
	for _, o := range others {
		if strings.EqualFold(o.Label, p.Label) {
			if p.Label == "" {
				return invalid("label", "the workspace already has its own policy; edit it instead")
			}
			return invalid("label", "this label already has a policy; edit it instead")
		}
	}
	var ids []int64
	for _, st := range p.Steps {
		ids = append(ids, st.Members...)
	}
	if len(ids) == 0 {
		return nil
	}
	var ms []Membership
	if err := db.Select("user_id", "role").Where("workspace_id = ? AND user_id IN ?", p.WorkspaceID, ids).Find(&ms).Error; err != nil {
		return err
	}
	roles := map[int64]string{}
	for _, m := range ms {
		roles[m.UserID] = m.Role
	}
	for i, st := range p.Steps {
		for j, id := range st.Members {
			switch roles[id] {
			case "":
				return invalid(fmt.Sprintf("steps[%d].members[%d]", i, j), "is not a member of this workspace")
			case string(workflow.Viewer):
				return invalid(fmt.Sprintf("steps[%d].members[%d]", i, j), "is a viewer; viewers never change posts, so they cannot approve")
			}
		}
	}
	return nil
}

// CreateApprovalPolicy stores a new policy and audits it.
func (s *Store) CreateApprovalPolicy(ctx context.Context, p *ApprovalPolicy, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		if err := s.checkPolicy(db, p); err != nil {
			return err
		}
		if err := db.Create(p).Error; err != nil {
			return err
		}
		return s.audit(db, p.WorkspaceID, a, "approval_policy.created", "approval_policy", p.ID, policySummary(p))
	})
}

// UpdateApprovalPolicy replaces a policy's name, label, position and steps.
func (s *Store) UpdateApprovalPolicy(ctx context.Context, p *ApprovalPolicy, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var cur ApprovalPolicy
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", p.WorkspaceID, p.ID).Take(&cur).Error; err != nil {
			return err
		}
		if err := s.checkPolicy(db, p); err != nil {
			return err
		}
		p.CreatedAt = cur.CreatedAt
		if err := db.Model(&ApprovalPolicy{}).Where("id = ?", p.ID).Updates(map[string]any{
			"name": p.Name, "label": p.Label, "position": p.Position, "steps": mustJSON(p.Steps), "updated_at": s.now(),
		}).Error; err != nil {
			return err
		}
		return s.audit(db, p.WorkspaceID, a, "approval_policy.updated", "approval_policy", p.ID, policySummary(p))
	})
}

// DeleteApprovalPolicy removes a policy; posts in review follow the remaining ones from their
// next approval.
func (s *Store) DeleteApprovalPolicy(ctx context.Context, workspaceID, id int64, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var p ApprovalPolicy
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&p).Error; err != nil {
			return err
		}
		if err := db.Delete(&ApprovalPolicy{}, p.ID).Error; err != nil {
			return err
		}
		return s.audit(db, workspaceID, a, "approval_policy.deleted", "approval_policy", p.ID, policySummary(&p))
	})
}

func policySummary(p *ApprovalPolicy) string {
	var steps []string
	for _, st := range p.Steps {
		steps = append(steps, st.Name)
	}
	scope := "workspace"
	if p.Label != "" {
		scope = "label " + p.Label
	}
	return fmt.Sprintf("%s (%s): %s", p.Name, scope, strings.Join(steps, " → "))
}

// policySteps returns the workspace's own steps (nil when it has no policy of its own, so the
// required-approvals setting applies) and the steps the post's labels add.
func (s *Store) policySteps(db *gorm.DB, ws, postID int64) ([]workflow.Step, []workflow.Step, error) {
	var labels []string
	if postID != 0 {
		if err := db.Model(&PostLabel{}).Where("workspace_id = ? AND post_id = ?", ws, postID).Pluck("label", &labels).Error; err != nil {
			return nil, nil, err
		}
	}
	return s.stepsForLabels(db, ws, labels)
}

func (s *Store) stepsForLabels(db *gorm.DB, ws int64, labels []string) ([]workflow.Step, []workflow.Step, error) {
	var pols []ApprovalPolicy
	if err := db.Where("workspace_id = ?", ws).Order("position, id").Find(&pols).Error; err != nil {
		return nil, nil, err
	}
	var own, extra []workflow.Step
	for _, p := range pols {
		switch {
		case p.Label == "":
			own = append([]workflow.Step{}, p.Steps...)
		case slices.ContainsFunc(labels, func(l string) bool { return strings.EqualFold(l, p.Label) }):
			extra = append(extra, p.Steps...)
		}
	}
	return own, extra, nil
}

// PostPolicy returns the approval policy of a post: the workspace's settings with its steps and
// the steps of the post's labels.
func (s *Store) PostPolicy(ctx context.Context, w *Workspace, postID int64) (workflow.Policy, error) {
	pol := workflow.Policy{RequiredApprovals: w.RequiredApprovals, AuthorsMaySelfApprove: w.AuthorsMaySelfApprove, EditorsSkipReview: w.EditorsSkipReview}
	var err error
	pol.Steps, pol.LabelSteps, err = s.policySteps(s.db.WithContext(ctx), w.ID, postID)
	return pol, translate(err)
}

// Review is where a post stands in its approval: its steps, how far its approvals took it, and
// the decisions so far.
type Review struct {
	Policy     workflow.Policy
	AuthorRole workflow.Role
	Steps      []workflow.Step
	Progress   workflow.Progress
	// Approvers are the members who approved the current revision; Decisions every decision.
	Approvers []int64
	Decisions []Approval
	// ClientNames names the client links among the decisions, by id.
	ClientNames map[int64]string
}

// PostReview loads a post's review state.
func (s *Store) PostReview(ctx context.Context, w *Workspace, p *Post) (*Review, error) {
	db := s.db.WithContext(ctx)
	pol, err := s.PostPolicy(ctx, w, p.ID)
	if err != nil {
		return nil, err
	}
	approvals, err := s.currentApprovals(db, w.ID, p.ID, p.Revision)
	if err != nil {
		return nil, translate(err)
	}
	roles, err := s.approverRoles(db, w.ID, p.AuthorID, approvals)
	if err != nil {
		return nil, translate(err)
	}
	r := &Review{Policy: pol, AuthorRole: roles[p.AuthorID], Approvers: distinctUsers(approvals), ClientNames: map[int64]string{}}
	if r.AuthorRole == "" {
		r.AuthorRole = workflow.Viewer
	}
	r.Steps = pol.StepsFor(r.AuthorRole)
	r.Progress = workflow.Evaluate(r.Steps, approvals, p.AuthorID, pol.AuthorsMaySelfApprove, roles)
	if r.Decisions, err = s.Approvals(ctx, w.ID, p.ID); err != nil {
		return nil, err
	}
	var linkIDs []int64
	for _, d := range r.Decisions {
		if d.ClientLinkID != nil {
			linkIDs = append(linkIDs, *d.ClientLinkID)
		}
	}
	if len(linkIDs) > 0 {
		var links []ClientLink
		if err := db.Select("id", "name").Where("workspace_id = ? AND id IN ?", w.ID, linkIDs).Find(&links).Error; err != nil {
			return nil, translate(err)
		}
		for _, l := range links {
			r.ClientNames[l.ID] = l.Name
		}
	}
	return r, nil
}

// ReviewSettingsFor returns a workspace's review settings (the zero settings when none are set).
func (s *Store) ReviewSettingsFor(ctx context.Context, workspaceID int64) (*ReviewSettings, error) {
	var rs ReviewSettings
	err := s.db.WithContext(ctx).Where("workspace_id = ?", workspaceID).Take(&rs).Error
	if translate(err) == ErrNotFound {
		return &ReviewSettings{WorkspaceID: workspaceID, DuplicateSimilarity: 90}, nil
	}
	return &rs, translate(err)
}

// SetReviewSettings stores a workspace's review settings and audits the change.
func (s *Store) SetReviewSettings(ctx context.Context, rs *ReviewSettings, a Actor) error {
	rs.UpdatedAt = s.now()
	return s.tx(ctx, func(db *gorm.DB) error {
		if err := db.Clauses(clause.OnConflict{UpdateAll: true}).Create(rs).Error; err != nil {
			return err
		}
		return s.audit(db, rs.WorkspaceID, a, "workspace.review_settings_changed", "workspace", rs.WorkspaceID,
			fmt.Sprintf("approval due %d min before, reminder %d min before; duplicates within %d days at %d%%; conflicts within %d min",
				rs.ApprovalLeadMinutes, rs.ReminderMinutes, rs.DuplicateWindowDays, rs.DuplicateSimilarity, rs.ConflictWindowMinutes))
	})
}

// PlannedTarget is another post's text on one channel at one time, for the submit checks.
type PlannedTarget struct {
	PostID    int64
	ChannelID int64
	At        time.Time
	Text      string
	Title     string
}

// PlannedNear returns the targets of the workspace's other posts (not canceled) on the channels,
// planned or published between from and to.
func (s *Store) PlannedNear(ctx context.Context, workspaceID int64, channelIDs []int64, from, to time.Time, excludePost int64) ([]PlannedTarget, error) {
	if len(channelIDs) == 0 {
		return nil, nil
	}
	type row struct {
		PostID       int64
		ChannelID    int64
		ScheduledAt  *time.Time
		PublishedAt  *time.Time
		TextOverride *string
		Body         string
		Title        string
	}
	var rows []row
	err := s.db.WithContext(ctx).Table("targets").
		Select("targets.post_id, targets.channel_id, posts.scheduled_at, targets.published_at, targets.text_override, posts.body, posts.title").
		Joins("JOIN posts ON posts.id = targets.post_id").
		Where("posts.workspace_id = ? AND targets.workspace_id = ? AND targets.channel_id IN ? AND posts.id <> ? AND posts.status <> ?",
			workspaceID, workspaceID, channelIDs, excludePost, string(workflow.Canceled)).
		Where("(posts.scheduled_at >= ? AND posts.scheduled_at <= ?) OR (targets.published_at >= ? AND targets.published_at <= ?)",
			dbTime(from), dbTime(to), dbTime(from), dbTime(to)).
		Order("targets.id").Limit(1000).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]PlannedTarget, 0, len(rows))
	for _, r := range rows {
		at := r.ScheduledAt
		if r.PublishedAt != nil {
			at = r.PublishedAt
		}
		if at == nil {
			continue
		}
		text := r.Body
		if r.TextOverride != nil && *r.TextOverride != "" {
			text = *r.TextOverride
		}
		out = append(out, PlannedTarget{PostID: r.PostID, ChannelID: r.ChannelID, At: at.UTC(), Text: text, Title: r.Title})
	}
	return out, nil
}
