package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/heraldhq/herald/server/workflow"
)

// TargetInput is the per-channel part of a post as a client sends it.
type TargetInput struct {
	ChannelID    int64
	Text         *string
	Media        []Media
	FirstComment *string
}

// PostInput is a new post's content.
type PostInput struct {
	Title    string
	Body     string
	Campaign string
	Labels   []string
	Targets  []TargetInput
	Thread   []ThreadPart
}

// PostEdit changes a post's content; nil fields are unchanged.
type PostEdit struct {
	Title    *string
	Body     *string
	Campaign *string
	Labels   *[]string
	Targets  *[]TargetInput
	Thread   *[]ThreadPart
}

func (e PostEdit) empty() bool {
	return e.Title == nil && e.Body == nil && e.Campaign == nil && e.Labels == nil && e.Targets == nil && e.Thread == nil
}

// CreatePost stores a new draft with its labels and targets, all or nothing.
func (s *Store) CreatePost(ctx context.Context, workspaceID int64, author Actor, in PostInput, scheduledAt *time.Time, tz string) (*Post, error) {
	p := &Post{
		WorkspaceID: workspaceID, AuthorID: author.UserID, Title: in.Title, Body: in.Body, Thread: in.Thread,
		Campaign: in.Campaign, Status: string(workflow.Draft), Revision: 1, ScheduledAt: utcPtr(scheduledAt), TimeZone: tz,
	}
	err := s.tx(ctx, func(db *gorm.DB) error {
		if err := s.checkChannels(db, workspaceID, in.Targets); err != nil {
			return err
		}
		if err := db.Omit("Labels", "Targets").Create(p).Error; err != nil {
			return err
		}
		if err := s.replaceLabels(db, p, in.Labels); err != nil {
			return err
		}
		if err := s.replaceTargets(db, p, in.Targets); err != nil {
			return err
		}
		return s.audit(db, workspaceID, author, "post.created", "post", p.ID, summarize(p))
	})
	if err != nil {
		return nil, err
	}
	return s.Post(ctx, workspaceID, p.ID)
}

// DuplicatePost copies a post's content, labels and targets into a new draft by the actor.
func (s *Store) DuplicatePost(ctx context.Context, workspaceID, id int64, a Actor) (*Post, error) {
	src, err := s.Post(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	in := PostInput{Title: src.Title, Body: src.Body, Campaign: src.Campaign, Thread: src.Thread}
	if in.Title != "" {
		in.Title = truncate("Copy of "+in.Title, 200)
	}
	for _, l := range src.Labels {
		in.Labels = append(in.Labels, l.Label)
	}
	for _, t := range src.Targets {
		in.Targets = append(in.Targets, TargetInput{ChannelID: t.ChannelID, Text: t.TextOverride, Media: t.Media, FirstComment: t.FirstComment})
	}
	p, err := s.CreatePost(ctx, workspaceID, a, in, nil, src.TimeZone)
	if err != nil {
		return nil, err
	}
	_ = s.tx(ctx, func(db *gorm.DB) error {
		return s.audit(db, workspaceID, a, "post.duplicated", "post", p.ID, fmt.Sprintf("copied from post %d", id))
	})
	return p, nil
}

// Post loads one post of a workspace with its labels and targets.
func (s *Store) Post(ctx context.Context, workspaceID, id int64) (*Post, error) {
	var p Post
	err := s.db.WithContext(ctx).
		Preload("Labels", func(db *gorm.DB) *gorm.DB { return db.Where("workspace_id = ?", workspaceID).Order("label") }).
		Preload("Targets", func(db *gorm.DB) *gorm.DB { return db.Where("workspace_id = ?", workspaceID).Order("id") }).
		Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&p).Error
	return &p, translate(err)
}

// PostExists is ErrNotFound unless the post is in the workspace: one indexed lookup, for
// handlers that only need to know (comments, audit), not the whole post with its targets.
func (s *Store) PostExists(ctx context.Context, workspaceID, id int64) error {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Post{}).Where("workspace_id = ? AND id = ?", workspaceID, id).Limit(1).Count(&n).Error; err != nil {
		return translate(err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// PostFilter narrows a post list. Zero values mean no filter.
type PostFilter struct {
	WorkspaceID int64
	Statuses    []string
	Labels      []string
	ChannelIDs  []int64
	AuthorIDs   []int64
	Campaign    string
	// BeforeID pages backwards: only posts with a smaller id (the previous page's last id).
	BeforeID int64
	Limit    int
}

// Posts lists posts newest first, with labels and targets. It returns up to Limit posts and
// whether more exist.
func (s *Store) Posts(ctx context.Context, f PostFilter) ([]Post, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := s.db.WithContext(ctx).Model(&Post{}).Where("posts.workspace_id = ?", f.WorkspaceID)
	q = s.applyFilters(q, f.WorkspaceID, f.Statuses, f.Labels, f.ChannelIDs, f.AuthorIDs)
	if f.Campaign != "" {
		q = q.Where("posts.campaign = ?", f.Campaign)
	}
	if f.BeforeID > 0 {
		q = q.Where("posts.id < ?", f.BeforeID)
	}
	var out []Post
	err := q.Preload("Labels", func(db *gorm.DB) *gorm.DB { return db.Where("workspace_id = ?", f.WorkspaceID).Order("label") }).
		Preload("Targets", func(db *gorm.DB) *gorm.DB { return db.Where("workspace_id = ?", f.WorkspaceID).Order("id") }).
		Order("posts.id DESC").Limit(f.Limit + 1).Find(&out).Error
	if err != nil {
		return nil, false, translate(err)
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}

func (s *Store) applyFilters(q *gorm.DB, ws int64, statuses, labels []string, channels, authors []int64) *gorm.DB {
	if len(statuses) > 0 {
		q = q.Where("posts.status IN ?", statuses)
	}
	if len(authors) > 0 {
		q = q.Where("posts.author_id IN ?", authors)
	}
	if len(labels) > 0 {
		q = q.Where("posts.id IN (?)", s.db.Model(&PostLabel{}).Select("post_id").Where("workspace_id = ? AND label IN ?", ws, labels))
	}
	if len(channels) > 0 {
		q = q.Where("posts.id IN (?)", s.db.Model(&Target{}).Select("post_id").Where("workspace_id = ? AND channel_id IN ?", ws, channels))
	}
	return q
}

// PostAction is one workflow action on a post, with what it needs.
type PostAction struct {
	Action workflow.Action
	Actor  Actor
	Role   workflow.Role
	System bool
	Policy workflow.Policy
	// Revision is the revision the client last saw; a different current revision is a
	// ConflictError. Zero skips the check (not allowed for edits; the API enforces it).
	Revision int
	Edit     PostEdit
	// ScheduledAt and TimeZone set the planned time (schedule, reschedule).
	ScheduledAt *time.Time
	TimeZone    string
	Note        string
	// ClientLink, when set, is the client review link acting (Actor.Label names it; UserID is 0).
	ClientLink int64
}

// ApplyPostAction runs one workflow action under the post's lock: it checks the revision, asks
// the workflow whether the actor may do it from the current status, applies the edit or time
// change, records approvals, and audits, in one transaction.
func (s *Store) ApplyPostAction(ctx context.Context, workspaceID, id int64, act PostAction) (*Post, workflow.Result, error) {
	var res workflow.Result
	err := s.tx(ctx, func(db *gorm.DB) error {
		var p Post
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&p).Error; err != nil {
			return err
		}
		if act.Revision != 0 && act.Revision != p.Revision {
			return &ConflictError{Given: act.Revision, Current: p.Revision}
		}
		approvals, err := s.currentApprovals(db, workspaceID, p.ID, p.Revision)
		if err != nil {
			return err
		}
		roles, err := s.approverRoles(db, workspaceID, p.AuthorID, approvals)
		if err != nil {
			return err
		}
		authorRole := roles[p.AuthorID]
		if authorRole == "" {
			authorRole = workflow.Viewer
		}
		pol := act.Policy
		if pol.Steps, pol.LabelSteps, err = s.policySteps(db, workspaceID, p.ID); err != nil {
			return err
		}
		res, err = workflow.Apply(workflow.Post{
			Status: workflow.Status(p.Status), AuthorID: p.AuthorID, AuthorRole: authorRole,
			ApprovedBy: distinctUsers(approvals), Approvals: approvals, Roles: roles, HasSchedule: p.ScheduledAt != nil,
		}, workflow.Actor{UserID: act.Actor.UserID, Role: act.Role, System: act.System, ClientLink: act.ClientLink}, act.Action, pol)
		if err != nil {
			return err
		}
		return s.applyResult(db, &p, act, res)
	})
	if err != nil {
		return nil, res, err
	}
	p, err := s.Post(ctx, workspaceID, id)
	return p, res, err
}

func (s *Store) applyResult(db *gorm.DB, p *Post, act PostAction, res workflow.Result) error {
	now := s.now()
	oldRev := p.Revision
	changes := map[string]any{"status": string(res.To), "updated_at": now}
	summary := ""
	switch act.Action {
	case workflow.Edit:
		if act.Edit.empty() {
			return invalid("text", "nothing to change: send at least one of title, text, labels, campaign, targets")
		}
		if act.Edit.Targets != nil {
			if err := s.checkChannels(db, p.WorkspaceID, *act.Edit.Targets); err != nil {
				return err
			}
		}
		var fields []string
		if e := act.Edit.Title; e != nil && *e != p.Title {
			changes["title"], p.Title = *e, *e
			fields = append(fields, "title")
		}
		if e := act.Edit.Body; e != nil && *e != p.Body {
			changes["body"], p.Body = *e, *e
			fields = append(fields, "text")
		}
		if e := act.Edit.Campaign; e != nil && *e != p.Campaign {
			changes["campaign"], p.Campaign = *e, *e
			fields = append(fields, "campaign")
		}
		if e := act.Edit.Thread; e != nil && !sameThread(*e, p.Thread) {
			p.Thread = *e
			raw, err := json.Marshal(p.Thread)
			if err != nil {
				return err
			}
			changes["thread"] = string(raw)
			if len(p.Thread) == 0 {
				changes["thread"] = nil
			}
			fields = append(fields, "thread")
		}
		if act.Edit.Labels != nil {
			if err := s.replaceLabels(db, p, *act.Edit.Labels); err != nil {
				return err
			}
			fields = append(fields, "labels")
		}
		if act.Edit.Targets != nil {
			if err := s.replaceTargets(db, p, *act.Edit.Targets); err != nil {
				return err
			}
			fields = append(fields, "channels")
		}
		// The score was for the old text; the server computes the new one after the save.
		changes["voice_score"] = nil
		summary = "edited " + strings.Join(fields, ", ")
		if res.To != res.From {
			summary += "; back to review: the approval was for revision " + fmt.Sprint(oldRev)
		}
	case workflow.Schedule, workflow.Reschedule:
		at := act.ScheduledAt
		if at == nil && act.Action == workflow.Schedule {
			at = p.ScheduledAt
		}
		if at == nil {
			return invalid("scheduled_at", "choose when to publish")
		}
		if !at.After(now) {
			return invalid("scheduled_at", "must be in the future")
		}
		if act.Action == workflow.Schedule {
			var missed int64
			if err := db.Model(&ApprovalDeadline{}).Where("post_id = ? AND planned_at = ? AND missed_at IS NOT NULL", p.ID, dbTime(*at)).
				Count(&missed).Error; err != nil {
				return err
			}
			if missed > 0 {
				// The author and editors were told this post would not go out at this time; it
				// does not, even if approval came later. Choosing a new time is a new decision.
				return invalid("scheduled_at", "this post missed its approval deadline for this time: choose a new time")
			}
		}
		changes["scheduled_at"] = at.UTC()
		if act.TimeZone != "" {
			changes["time_zone"] = act.TimeZone
		}
		summary = "for " + at.UTC().Format(time.RFC3339)
	case workflow.PublishNow:
		changes["scheduled_at"] = now
		summary = "publish now"
	case workflow.Retry:
		summary = "retry the targets that did not publish"
	case workflow.Approve, workflow.RequestChanges:
		summary = act.Note
	}
	if res.BumpRevision {
		changes["revision"] = oldRev + 1
		p.Revision = oldRev + 1
	}
	upd := db.Model(&Post{}).Where("workspace_id = ? AND id = ? AND revision = ?", p.WorkspaceID, p.ID, oldRev).Updates(changes)
	if upd.Error != nil {
		return upd.Error
	}
	if upd.RowsAffected != 1 {
		return &ConflictError{Given: oldRev, Current: oldRev + 1}
	}
	var note *string
	if act.Note != "" {
		n := act.Note
		note = &n
	}
	var client *int64
	if act.ClientLink != 0 {
		id := act.ClientLink
		client = &id
	}
	switch {
	case res.RecordApproval:
		if err := db.Create(&Approval{WorkspaceID: p.WorkspaceID, PostID: p.ID, ReviewerID: act.Actor.UserID, ClientLinkID: client,
			Decision: DecisionApproved, Note: note, Revision: p.Revision}).Error; err != nil {
			return err
		}
	case act.Action == workflow.RequestChanges:
		if err := db.Create(&Approval{WorkspaceID: p.WorkspaceID, PostID: p.ID, ReviewerID: act.Actor.UserID, ClientLinkID: client,
			Decision: DecisionChangesRequested, Note: note, Revision: p.Revision}).Error; err != nil {
			return err
		}
	case res.ClearApprovals && !res.BumpRevision:
		// Approvals bind to a revision; when they must stop counting without a new revision
		// (restore), a reset marker ends the run of approvals at this revision.
		if err := db.Create(&Approval{WorkspaceID: p.WorkspaceID, PostID: p.ID, ReviewerID: act.Actor.UserID,
			Decision: "reset", Revision: p.Revision}).Error; err != nil {
			return err
		}
	}
	sched := p.ScheduledAt
	if v, ok := changes["scheduled_at"].(time.Time); ok {
		sched = &v
	}
	if err := s.syncDue(db, p, res, sched, now); err != nil {
		return err
	}
	switch res.To {
	case workflow.Canceled:
		if err := db.Model(&Target{}).Where("workspace_id = ? AND post_id = ? AND status = ?", p.WorkspaceID, p.ID, TargetPending).
			Updates(map[string]any{"status": TargetCanceled, "updated_at": now}).Error; err != nil {
			return err
		}
	case workflow.Draft:
		if res.From == workflow.Canceled {
			if err := db.Model(&Target{}).Where("workspace_id = ? AND post_id = ? AND status = ?", p.WorkspaceID, p.ID, TargetCanceled).
				Updates(map[string]any{"status": TargetPending, "updated_at": now}).Error; err != nil {
				return err
			}
		}
	}
	if err := s.recordRevision(db, p, act, res); err != nil {
		return err
	}
	if res.To != res.From && summary == "" {
		summary = string(res.From) + " → " + string(res.To)
	} else if res.To != res.From {
		summary = string(res.From) + " → " + string(res.To) + ": " + summary
	}
	return s.audit(db, p.WorkspaceID, act.Actor, res.AuditAction, "post", p.ID, summary)
}

// currentApprovals returns the approvals that count for this revision, oldest first: those
// since the last "changes requested" or reset at this revision, by members and client links.
func (s *Store) currentApprovals(db *gorm.DB, ws, postID int64, rev int) ([]workflow.Approver, error) {
	var rows []Approval
	if err := db.Where("workspace_id = ? AND post_id = ? AND revision = ?", ws, postID, rev).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := []workflow.Approver{}
	for _, a := range rows {
		if a.Decision != DecisionApproved {
			out = out[:0]
			continue
		}
		ap := workflow.Approver{UserID: a.ReviewerID}
		if a.ClientLinkID != nil {
			ap = workflow.Approver{ClientLinkID: *a.ClientLinkID}
		}
		out = append(out, ap)
	}
	return out, nil
}

// distinctUsers lists the members among approvals, once each, in order.
func distinctUsers(approvals []workflow.Approver) []int64 {
	out := []int64{}
	for _, a := range approvals {
		if a.UserID != 0 && !slices.Contains(out, a.UserID) {
			out = append(out, a.UserID)
		}
	}
	return out
}

// approverRoles returns the current role of the author and of every member among approvals;
// people who left the workspace are missing, which the workflow reads as no role.
func (s *Store) approverRoles(db *gorm.DB, ws, authorID int64, approvals []workflow.Approver) (map[int64]workflow.Role, error) {
	ids := append(distinctUsers(approvals), authorID)
	var ms []Membership
	if err := db.Select("user_id", "role").Where("workspace_id = ? AND user_id IN ?", ws, ids).Find(&ms).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]workflow.Role, len(ms))
	for _, m := range ms {
		if r, err := workflow.ParseRole(m.Role); err == nil {
			out[m.UserID] = r
		}
	}
	return out, nil
}

// Approvals lists a post's review decisions, oldest first.
func (s *Store) Approvals(ctx context.Context, workspaceID, postID int64) ([]Approval, error) {
	var out []Approval
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND post_id = ? AND decision <> 'reset'", workspaceID, postID).Order("id").Find(&out).Error
	return out, translate(err)
}

// CurrentApprovers returns who has approved the post's current revision (members only).
func (s *Store) CurrentApprovers(ctx context.Context, workspaceID, postID int64, rev int) ([]int64, error) {
	out, err := s.currentApprovals(s.db.WithContext(ctx), workspaceID, postID, rev)
	if err != nil {
		return nil, translate(err)
	}
	return distinctUsers(out), nil
}

func (s *Store) checkChannels(db *gorm.DB, ws int64, targets []TargetInput) error {
	if len(targets) == 0 {
		return nil
	}
	ids := make([]int64, len(targets))
	for i, t := range targets {
		ids[i] = t.ChannelID
	}
	var found []int64
	if err := db.Model(&Channel{}).Where("workspace_id = ? AND id IN ?", ws, ids).Pluck("id", &found).Error; err != nil {
		return err
	}
	ok := map[int64]bool{}
	for _, id := range found {
		ok[id] = true
	}
	fields := map[string]string{}
	for i, t := range targets {
		if !ok[t.ChannelID] {
			fields[fmt.Sprintf("targets[%d].channel_id", i)] = "no such channel in this workspace"
		}
	}
	if len(fields) > 0 {
		return &ValidationError{Fields: fields}
	}
	return nil
}

func (s *Store) replaceLabels(db *gorm.DB, p *Post, labels []string) error {
	if err := db.Where("workspace_id = ? AND post_id = ?", p.WorkspaceID, p.ID).Delete(&PostLabel{}).Error; err != nil {
		return err
	}
	// Labels that differ only in case are one label (the first spelling wins). MySQL's collation
	// also equates some other spellings (café and cafe); those are skipped rather than refused,
	// so one post's labels can never fail its save.
	seen := map[string]bool{}
	var rows []PostLabel
	for _, l := range labels {
		if k := strings.ToLower(l); !seen[k] {
			seen[k] = true
			rows = append(rows, PostLabel{PostID: p.ID, WorkspaceID: p.WorkspaceID, Label: l})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return db.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
}

// replaceTargets makes the post's targets match the input: targets on channels still listed keep
// their id and idempotency key (so a publish already attempted is still recognised), others are
// removed, new ones are added.
func (s *Store) replaceTargets(db *gorm.DB, p *Post, in []TargetInput) error {
	var existing []Target
	if err := db.Where("workspace_id = ? AND post_id = ?", p.WorkspaceID, p.ID).Find(&existing).Error; err != nil {
		return err
	}
	byChannel := map[int64]Target{}
	for _, t := range existing {
		byChannel[t.ChannelID] = t
	}
	keep := map[int64]bool{}
	now := s.now()
	for _, t := range in {
		if keep[t.ChannelID] {
			continue
		}
		keep[t.ChannelID] = true
		if old, ok := byChannel[t.ChannelID]; ok {
			if err := db.Model(&Target{}).Where("id = ?", old.ID).Updates(map[string]any{
				"text_override": t.Text, "media": mediaJSON(t.Media), "first_comment": t.FirstComment, "updated_at": now,
			}).Error; err != nil {
				return err
			}
			continue
		}
		nt := Target{WorkspaceID: p.WorkspaceID, PostID: p.ID, ChannelID: t.ChannelID, TextOverride: t.Text,
			Media: t.Media, FirstComment: t.FirstComment, Status: TargetPending, IdempotencyKey: uuid.NewString()}
		if err := db.Create(&nt).Error; err != nil {
			return err
		}
	}
	for _, t := range existing {
		if !keep[t.ChannelID] {
			if err := db.Delete(&Target{}, t.ID).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// mediaJSON encodes media for a map-based update, which bypasses the field serializer.
func mediaJSON(m []Media) any {
	if m == nil {
		return nil
	}
	return gorm.Expr("?", mustJSON(m))
}

func summarize(p *Post) string {
	if p.Title != "" {
		return truncate(p.Title, 200)
	}
	return truncate(p.Body, 120)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// syncDue keeps the targets' due_at in step with the post: a scheduled post's waiting targets are
// due at its time (a retry makes the failed ones due now); any other status takes them off the
// schedule. Only targets not yet attempted or waiting (pending, held) move, so a target being
// published is never disturbed.
func (s *Store) syncDue(db *gorm.DB, p *Post, res workflow.Result, sched *time.Time, now time.Time) error {
	q := func() *gorm.DB {
		return db.Model(&Target{}).Where("workspace_id = ? AND post_id = ?", p.WorkspaceID, p.ID)
	}
	switch res.To {
	case workflow.Scheduled:
		due := sched
		if res.From == workflow.Failed || res.From == workflow.PartiallyPublished {
			due = &now
			// Unconfirmed targets are left alone: they may be on the network already, so only a
			// person's decision (resolve) may send them again.
			if err := q().Where("status IN ?", []string{TargetFailed, TargetMissed}).
				Updates(map[string]any{"status": TargetPending, "last_error": nil, "error_kind": "", "attempts": 0, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		if due == nil {
			return invalid("scheduled_at", "choose when to publish")
		}
		return q().Where("status IN ?", []string{TargetPending, TargetHeld}).Updates(map[string]any{"due_at": dbTime(*due), "updated_at": now}).Error
	case workflow.Draft, workflow.InReview, workflow.ChangesRequested, workflow.Approved, workflow.Canceled:
		return q().Where("status IN ?", []string{TargetPending, TargetHeld}).Updates(map[string]any{"due_at": nil, "updated_at": now}).Error
	}
	return nil
}

// sameThread reports whether two threads say the same.
func sameThread(a, b []ThreadPart) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return len(a) == len(b) && string(ja) == string(jb)
}
