package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/heraldhq/herald/server/workflow"
)

// ClaimDue atomically takes up to limit due targets for worker: pending targets whose due_at has
// passed, oldest first. They become "publishing" with a lease until now+lease and one more
// attempt, and the transaction commits before any network call. On MySQL the rows are read with
// FOR UPDATE SKIP LOCKED on idx_targets_due (status, due_at, id), so concurrent workers take
// disjoint sets without waiting for each other; on SQLite the immediate transaction serialises
// claimers.
func (s *Store) ClaimDue(ctx context.Context, worker string, now time.Time, lease time.Duration, limit int) ([]int64, error) {
	var ids []int64
	err := s.claimTx(ctx, func(db *gorm.DB) error {
		q := db.Model(&Target{}).Select("id").Where("status = ? AND due_at <= ?", TargetPending, dbTime(now)).
			Order("due_at, id").Limit(limit)
		if s.dialect == MySQL {
			q = q.Clauses(skipLocked)
		}
		if err := q.Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		return db.Model(&Target{}).Where("id IN ?", ids).Updates(map[string]any{
			"status": TargetPublishing, "lease_owner": worker, "lease_expires_at": dbTime(now.Add(lease)),
			"attempts": gorm.Expr("attempts + 1"), "updated_at": dbTime(now),
		}).Error
	})
	return ids, err
}

// claimTx runs a claim, a locking read with SKIP LOCKED and then an update of the rows it took,
// in a transaction. On MySQL it runs at READ COMMITTED: at the default REPEATABLE READ the range
// scan also takes gap locks, and two claimers, each updating the rows it took (which moves them
// within the very index they scanned), wait for each other's gaps and one fails with a deadlock
// (error 1213). Row locks alone are what keep claimers apart.
func (s *Store) claimTx(ctx context.Context, fn func(db *gorm.DB) error) error {
	if s.dialect != MySQL {
		return s.tx(ctx, fn)
	}
	return translate(s.db.WithContext(ctx).Transaction(fn, &sql.TxOptions{Isolation: sql.LevelReadCommitted}))
}

// Work is a claimed target with what publishing it needs.
type Work struct {
	Target    Target
	Post      Post
	Channel   Channel
	Workspace Workspace
}

// LoadWork reads claimed targets with their posts, channels and workspaces.
func (s *Store) LoadWork(ctx context.Context, ids []int64) ([]Work, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	db := s.db.WithContext(ctx)
	var targets []Target
	if err := db.Where("id IN ?", ids).Order("due_at, id").Find(&targets).Error; err != nil {
		return nil, translate(err)
	}
	postIDs, chanIDs, wsIDs := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, t := range targets {
		postIDs[t.PostID], chanIDs[t.ChannelID], wsIDs[t.WorkspaceID] = true, true, true
	}
	var posts []Post
	var chans []Channel
	var wss []Workspace
	if err := db.Where("id IN ?", keys(postIDs)).Find(&posts).Error; err != nil {
		return nil, translate(err)
	}
	if err := db.Where("id IN ?", keys(chanIDs)).Find(&chans).Error; err != nil {
		return nil, translate(err)
	}
	if err := db.Where("id IN ?", keys(wsIDs)).Find(&wss).Error; err != nil {
		return nil, translate(err)
	}
	pm, cm, wm := map[int64]Post{}, map[int64]Channel{}, map[int64]Workspace{}
	for _, p := range posts {
		pm[p.ID] = p
	}
	for _, c := range chans {
		cm[c.ID] = c
	}
	for _, w := range wss {
		wm[w.ID] = w
	}
	out := make([]Work, 0, len(targets))
	for _, t := range targets {
		out = append(out, Work{Target: t, Post: pm[t.PostID], Channel: cm[t.ChannelID], Workspace: wm[t.WorkspaceID]})
	}
	return out, nil
}

func keys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ErrLeaseLost means the worker no longer holds the target's lease (it expired and another worker
// reconciled it); the worker must drop its result rather than overwrite.
var ErrLeaseLost = errors.New("lease lost")

// BeginPublishing confirms, under the post's lock, that the post is still scheduled (or already
// publishing) and marks it publishing. It returns the post as it is now, so the content sent is
// exactly the approved revision. When the post was unscheduled or sent back to review in the
// meantime, the target is released (pending, off the schedule) and ok is false.
//
// The lease is renewed to run lease from now: a claimed target may wait for its channel (one
// publish at a time per account) for much of the lease it was claimed with, and a lease expiring
// during the network call would let reconciliation decide, and retry, a publish still in flight.
func (s *Store) BeginPublishing(ctx context.Context, targetID int64, worker string, lease time.Duration) (post *Post, ok bool, err error) {
	err = s.tx(ctx, func(db *gorm.DB) error {
		var t Target
		if err := db.Where("id = ?", targetID).Take(&t).Error; err != nil {
			return err
		}
		var p Post
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", t.WorkspaceID, t.PostID).Take(&p).Error; err != nil {
			return err
		}
		if err := s.lockForUpdate(db).Where("id = ?", targetID).Take(&t).Error; err != nil {
			return err
		}
		if t.Status != TargetPublishing || t.LeaseOwner != worker {
			return ErrLeaseLost
		}
		switch workflow.Status(p.Status) {
		case workflow.Publishing:
		case workflow.Scheduled:
			if err := db.Model(&Post{}).Where("id = ?", p.ID).Updates(map[string]any{"status": string(workflow.Publishing), "updated_at": s.now()}).Error; err != nil {
				return err
			}
			p.Status = string(workflow.Publishing)
			if err := s.audit(db, p.WorkspaceID, Actor{Label: "scheduler"}, "post.publishing", "post", p.ID, "publishing started"); err != nil {
				return err
			}
		default:
			return db.Model(&Target{}).Where("id = ?", targetID).Updates(map[string]any{
				"status": TargetPending, "due_at": nil, "lease_owner": "", "lease_expires_at": nil,
				"attempts": gorm.Expr("attempts - 1"), "updated_at": s.now()}).Error
		}
		post, ok = &p, true
		return db.Model(&Target{}).Where("id = ?", targetID).Update("lease_expires_at", s.now().Add(lease)).Error
	})
	return post, ok, err
}

// Outcome is what happened to one publish attempt.
type Outcome struct {
	Status      string // TargetPublished, TargetPending (retry later), TargetFailed, TargetUnconfirmed, TargetMissed, TargetHeld
	ExternalID  string
	ExternalURL string
	PublishedAt time.Time
	// DueAt is the next attempt for TargetPending / TargetHeld.
	DueAt *time.Time
	// Error is the plain-words reason shown to people; ErrorKind the classification.
	Error     string
	ErrorKind string
	// Refund gives the attempt back (a rate limit or a hold is not a failed attempt).
	Refund bool
	// Notify, when set, is recorded with the outcome (kind and message; ids are filled in).
	Notify *Notification
}

// FinishTarget records an attempt's outcome if worker still holds the lease, then settles the
// post's status once every target is final, all in one transaction (post lock first, then the
// target, the same order as every other writer).
func (s *Store) FinishTarget(ctx context.Context, targetID int64, worker string, out Outcome) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var t Target
		if err := db.Where("id = ?", targetID).Take(&t).Error; err != nil {
			return err
		}
		var p Post
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", t.WorkspaceID, t.PostID).Take(&p).Error; err != nil {
			return err
		}
		now := s.now()
		changes := map[string]any{"status": out.Status, "lease_owner": "", "lease_expires_at": nil, "updated_at": now, "error_kind": out.ErrorKind}
		if out.Error != "" {
			changes["last_error"] = truncate(out.Error, 2000)
		}
		switch out.Status {
		case TargetPublished:
			changes["external_id"], changes["external_url"] = out.ExternalID, out.ExternalURL
			pub := out.PublishedAt.UTC()
			if out.PublishedAt.IsZero() {
				pub = now
			}
			changes["published_at"], changes["due_at"], changes["last_error"], changes["error_kind"] = pub, nil, nil, ""
			next := pub.Add(MetricsSchedule[0])
			changes["next_metrics_at"], changes["metrics_step"] = next, 0
		case TargetPending, TargetHeld:
			changes["due_at"] = utcPtr(out.DueAt)
		case TargetPublishing:
			// An unknown outcome: still publishing, owned by nobody, its lease ending when the
			// reconcile job should ask the network.
			changes["lease_expires_at"] = utcPtr(out.DueAt)
		default:
			changes["due_at"] = nil
		}
		if out.Refund {
			changes["attempts"] = gorm.Expr("CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END")
		}
		res := db.Model(&Target{}).Where("id = ? AND status = ? AND lease_owner = ?", targetID, TargetPublishing, worker).Updates(changes)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrLeaseLost
		}
		summary := fmt.Sprintf("channel %d: %s", t.ChannelID, out.Status)
		if out.Error != "" {
			summary += ": " + out.Error
		}
		if out.ExternalURL != "" {
			summary += " " + out.ExternalURL
		}
		if err := s.audit(db, t.WorkspaceID, Actor{Label: "scheduler"}, "target."+out.Status, "post", p.ID, summary); err != nil {
			return err
		}
		if n := out.Notify; n != nil {
			n.WorkspaceID, n.PostID, n.TargetID, n.ChannelID, n.CreatedAt = t.WorkspaceID, &p.ID, &t.ID, &t.ChannelID, now
			if err := db.Create(n).Error; err != nil {
				return err
			}
		}
		return s.settlePost(db, &p)
	})
}

// settlePost moves a publishing post to published, partially_published or failed once none of
// its targets is still waiting or being published.
func (s *Store) settlePost(db *gorm.DB, p *Post) error {
	if p.Status != string(workflow.Publishing) && p.Status != string(workflow.Scheduled) {
		return nil
	}
	// A locking read of the statuses (one row per target, so no GROUP BY under FOR UPDATE): on
	// MySQL a plain SELECT reads the transaction's snapshot, taken at its first read, before the
	// post's lock was granted. Two targets of one post finishing at once then each counted the
	// other as still publishing, and the post never settled.
	var statuses []string
	if err := s.lockForUpdate(db).Model(&Target{}).Where("workspace_id = ? AND post_id = ?", p.WorkspaceID, p.ID).
		Pluck("status", &statuses).Error; err != nil {
		return err
	}
	var published, open, other int64
	for _, st := range statuses {
		switch st {
		case TargetPublished:
			published++
		case TargetPending, TargetPublishing, TargetHeld:
			open++
		case TargetCanceled:
		default:
			other++
		}
	}
	if open > 0 {
		return nil
	}
	var act workflow.Action
	switch {
	case published > 0 && other == 0:
		act = workflow.MarkPublished
	case published > 0:
		act = workflow.MarkPartial
	default:
		act = workflow.MarkFailed
	}
	from := workflow.Status(p.Status)
	if from == workflow.Scheduled {
		// Every target ended without a publish attempt (e.g. all missed): pass through publishing.
		from = workflow.Publishing
	}
	res, err := workflow.Apply(workflow.Post{Status: from, AuthorID: p.AuthorID}, workflow.Actor{System: true}, act, workflow.Policy{})
	if err != nil {
		return err
	}
	if err := db.Model(&Post{}).Where("id = ?", p.ID).Updates(map[string]any{"status": string(res.To), "updated_at": s.now()}).Error; err != nil {
		return err
	}
	return s.audit(db, p.WorkspaceID, Actor{Label: "scheduler"}, res.AuditAction, "post", p.ID, string(res.From)+" → "+string(res.To))
}

// MetricsSchedule is when engagement is read after publication: often at first, then rarely.
var MetricsSchedule = []time.Duration{15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 72 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// ExpiredLeases takes over up to limit targets whose publish lease expired (their worker died or
// hung) for reconciliation by worker, with a new lease.
func (s *Store) ExpiredLeases(ctx context.Context, worker string, now time.Time, lease time.Duration, limit int) ([]int64, error) {
	var ids []int64
	err := s.claimTx(ctx, func(db *gorm.DB) error {
		q := db.Model(&Target{}).Select("id").Where("status = ? AND lease_expires_at < ?", TargetPublishing, dbTime(now)).Order("lease_expires_at, id").Limit(limit)
		if s.dialect == MySQL {
			q = q.Clauses(skipLocked)
		}
		if err := q.Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
			return err
		}
		return db.Model(&Target{}).Where("id IN ?", ids).Updates(map[string]any{
			"lease_owner": worker, "lease_expires_at": dbTime(now.Add(lease)), "updated_at": dbTime(now)}).Error
	})
	return ids, err
}

// NextDue returns the earliest due_at among pending targets, or nil.
func (s *Store) NextDue(ctx context.Context) (*time.Time, error) {
	var t Target
	err := s.db.WithContext(ctx).Select("due_at").Where("status = ? AND due_at IS NOT NULL", TargetPending).Order("due_at, id").Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	return t.DueAt, nil
}

// DueBacklog counts pending targets due at or before now and returns the oldest due time.
func (s *Store) DueBacklog(ctx context.Context, now time.Time) (int64, *time.Time, error) {
	var n int64
	db := s.db.WithContext(ctx).Model(&Target{}).Where("status = ? AND due_at <= ?", TargetPending, dbTime(now))
	if err := db.Count(&n).Error; err != nil {
		return 0, nil, translate(err)
	}
	if n == 0 {
		return 0, nil, nil
	}
	var t Target
	err := s.db.WithContext(ctx).Select("due_at").Where("status = ? AND due_at <= ?", TargetPending, dbTime(now)).Order("due_at, id").Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// A worker claimed them between the two queries: nothing is waiting any more.
		return 0, nil, nil
	}
	if err != nil {
		return n, nil, translate(err)
	}
	return n, t.DueAt, nil
}

// MarkChannel sets a channel's status (e.g. needs_reconnect) with a reason, and notifies the
// workspace when the status changes.
func (s *Store) MarkChannel(ctx context.Context, channelID int64, status, reason string) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var c Channel
		if err := s.lockForUpdate(db).Where("id = ?", channelID).Take(&c).Error; err != nil {
			return err
		}
		if c.Status == status {
			return nil
		}
		if err := db.Model(&c).Updates(map[string]any{"status": status, "status_reason": truncate(reason, 1000), "updated_at": s.now()}).Error; err != nil {
			return err
		}
		if err := s.audit(db, c.WorkspaceID, Actor{Label: "scheduler"}, "channel."+status, "channel", c.ID, reason); err != nil {
			return err
		}
		if status != ChannelNeedsReconnect {
			return nil
		}
		return db.Create(&Notification{WorkspaceID: c.WorkspaceID, Kind: NotifyNeedsReconnect, ChannelID: &c.ID,
			Message: fmt.Sprintf("%s (%s) needs reconnecting: %s Its scheduled posts wait until it is reconnected.", c.Name, c.Network, reason), CreatedAt: s.now()}).Error
	})
}

// SetRateLimit records that a channel's network asked to wait until until.
func (s *Store) SetRateLimit(ctx context.Context, channelID int64, until time.Time) error {
	return translate(s.db.WithContext(ctx).Model(&Channel{}).Where("id = ?", channelID).Update("rate_limited_until", dbTime(until)).Error)
}

// ReleaseHeld makes a channel's held targets claimable again (after resume or reconnect).
func (s *Store) ReleaseHeld(ctx context.Context, workspaceID, channelID int64) (int64, error) {
	res := s.db.WithContext(ctx).Model(&Target{}).Where("workspace_id = ? AND channel_id = ? AND status = ?", workspaceID, channelID, TargetHeld).
		Updates(map[string]any{"status": TargetPending, "updated_at": s.now()})
	return res.RowsAffected, translate(res.Error)
}

// SaveCredentials stores refreshed credentials (sealed by the caller) and their expiry.
func (s *Store) SaveCredentials(ctx context.Context, channelID int64, sealed, keyID string, expiry *time.Time) error {
	return translate(s.db.WithContext(ctx).Model(&Channel{}).Where("id = ?", channelID).Updates(map[string]any{
		"credentials": sealed, "credentials_key_id": keyID, "token_expires_at": utcPtr(expiry), "updated_at": s.now()}).Error)
}

// PublishingNow reports whether any target is being published under a live lease (served by
// idx_targets_lease).
func (s *Store) PublishingNow(ctx context.Context, now time.Time) (bool, error) {
	var t Target
	err := s.db.WithContext(ctx).Select("id").Where("status = ? AND lease_expires_at > ?", TargetPublishing, dbTime(now)).Take(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	return err == nil, translate(err)
}
