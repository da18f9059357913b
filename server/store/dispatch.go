package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/heraldhq/herald/server/workflow"
)

// ClaimDue atomically takes up to limit pending targets due by now+ahead for worker, oldest first,
// and begins publishing them: in one transaction it checks, under each post's lock, that the post
// is still scheduled (or already publishing), marks the post publishing, and makes its targets
// "publishing" under a lease until now+ahead+lease, with one more attempt. What it returns is
// exactly the content that goes out: the approved revision, frozen from here on.
//
// Claiming ahead of the due time (ahead > 0) lets a worker do its database work before a burst of
// posts falls due, so that at the due instant only the network calls remain; the caller waits
// until each target's due_at before calling the network. From the claim on, the post is
// publishing and can no longer be edited or unscheduled.
//
// A target whose post left the schedule (unscheduled, sent back to review) is released: pending,
// off the schedule. On MySQL both the targets (on idx_targets_due: status, due_at, id) and their
// posts are read with FOR UPDATE SKIP LOCKED: concurrent workers take disjoint sets without
// waiting for each other, and a post locked by someone editing it is left for the next claim
// rather than waited for (waiting, with the targets' locks held, could deadlock against a writer
// that locks the post first). On SQLite the immediate transaction serialises claimers.
func (s *Store) ClaimDue(ctx context.Context, worker string, now time.Time, ahead, lease time.Duration, limit int) ([]Work, error) {
	var out []Work
	err := s.claimTx(ctx, func(db *gorm.DB) error {
		out = nil
		var targets []Target
		q := db.Where("status = ? AND due_at <= ?", TargetPending, dbTime(now.Add(ahead))).Order("due_at, id").Limit(limit)
		if s.dialect == MySQL {
			q = q.Clauses(skipLocked)
		}
		if err := q.Find(&targets).Error; err != nil || len(targets) == 0 {
			return err
		}
		postIDs := map[int64]bool{}
		for _, t := range targets {
			postIDs[t.PostID] = true
		}
		var posts []Post
		pq := db.Where("id IN ?", keys(postIDs))
		if s.dialect == MySQL {
			pq = pq.Clauses(skipLocked)
		}
		if err := pq.Find(&posts).Error; err != nil {
			return err
		}
		byID := make(map[int64]*Post, len(posts))
		var begin []int64
		for i := range posts {
			p := &posts[i]
			byID[p.ID] = p
			if workflow.Status(p.Status) == workflow.Scheduled {
				begin = append(begin, p.ID)
			}
		}
		var claim, release []int64
		for _, t := range targets {
			p, locked := byID[t.PostID]
			switch {
			case !locked:
				// Someone holds the post (an edit in progress): the next claim takes it.
			case p.Status == string(workflow.Scheduled) || p.Status == string(workflow.Publishing):
				claim = append(claim, t.ID)
			default:
				release = append(release, t.ID)
			}
		}
		stamp := dbTime(now)
		if len(release) > 0 {
			if err := db.Model(&Target{}).Where("id IN ?", release).Updates(map[string]any{
				"status": TargetPending, "due_at": nil, "lease_owner": "", "lease_expires_at": nil, "updated_at": stamp}).Error; err != nil {
				return err
			}
		}
		if len(claim) == 0 {
			return nil
		}
		until := dbTime(now.Add(ahead + lease))
		if err := db.Model(&Target{}).Where("id IN ?", claim).Updates(map[string]any{
			"status": TargetPublishing, "lease_owner": worker, "lease_expires_at": until,
			"attempts": gorm.Expr("attempts + 1"), "updated_at": stamp,
		}).Error; err != nil {
			return err
		}
		if len(begin) > 0 {
			if err := db.Model(&Post{}).Where("id IN ?", begin).Updates(map[string]any{"status": string(workflow.Publishing), "updated_at": stamp}).Error; err != nil {
				return err
			}
			events := make([]AuditEvent, 0, len(begin))
			for _, id := range begin {
				p := byID[id]
				p.Status = string(workflow.Publishing)
				events = append(events, s.auditEvent(p.WorkspaceID, Actor{Label: "scheduler"}, "post.publishing", "post", p.ID, "publishing started"))
			}
			if err := db.Create(&events).Error; err != nil {
				return err
			}
		}
		claimed := make(map[int64]bool, len(claim))
		for _, id := range claim {
			claimed[id] = true
		}
		for _, t := range targets {
			if !claimed[t.ID] {
				continue
			}
			t.Status, t.LeaseOwner, t.Attempts = TargetPublishing, worker, t.Attempts+1
			t.LeaseExpiresAt = &until
			out = append(out, Work{Target: t, Post: *byID[t.PostID]})
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return out, s.loadWorkContext(ctx, out)
}

// loadWorkContext fills in each work's channel and workspace.
func (s *Store) loadWorkContext(ctx context.Context, work []Work) error {
	chanIDs, wsIDs := map[int64]bool{}, map[int64]bool{}
	for _, w := range work {
		chanIDs[w.Target.ChannelID], wsIDs[w.Target.WorkspaceID] = true, true
	}
	db := s.db.WithContext(ctx)
	var chans []Channel
	var wss []Workspace
	if err := db.Where("id IN ?", keys(chanIDs)).Find(&chans).Error; err != nil {
		return translate(err)
	}
	if err := db.Where("id IN ?", keys(wsIDs)).Find(&wss).Error; err != nil {
		return translate(err)
	}
	cm, wm := map[int64]Channel{}, map[int64]Workspace{}
	for _, c := range chans {
		cm[c.ID] = c
	}
	for _, w := range wss {
		wm[w.ID] = w
	}
	for i := range work {
		work[i].Channel, work[i].Workspace = cm[work[i].Target.ChannelID], wm[work[i].Target.WorkspaceID]
	}
	return nil
}

// ChannelsByID reads channels by id (the scheduler re-reads its claimed targets' channels at the
// due instant, in one query, to see a pause or a reconnect that happened since the claim).
func (s *Store) ChannelsByID(ctx context.Context, ids []int64) (map[int64]Channel, error) {
	var chans []Channel
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&chans).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[int64]Channel, len(chans))
	for _, c := range chans {
		out[c.ID] = c
	}
	return out, nil
}

// RenewLease extends worker's lease on a publishing target to until; ErrLeaseLost when the worker
// no longer holds it. A claimed target that waited long for its channel renews its lease before
// calling the network, so reconciliation cannot take over a publish about to happen.
func (s *Store) RenewLease(ctx context.Context, targetID int64, worker string, until time.Time) error {
	res := s.db.WithContext(ctx).Model(&Target{}).Where("id = ? AND status = ? AND lease_owner = ?", targetID, TargetPublishing, worker).
		Updates(map[string]any{"lease_expires_at": dbTime(until), "updated_at": s.now()})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrLeaseLost
	}
	return nil
}

// ReleaseClaimed gives back targets worker claimed but never sent to the network (it is shutting
// down before they fell due): pending again at their due time, the attempt refunded, so another
// worker publishes them on time. A post left with nothing published or being published goes back
// to scheduled.
func (s *Store) ReleaseClaimed(ctx context.Context, worker string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return s.tx(ctx, func(db *gorm.DB) error {
		var targets []Target
		if err := db.Select("id, post_id, workspace_id").Where("id IN ? AND status = ? AND lease_owner = ?", ids, TargetPublishing, worker).Find(&targets).Error; err != nil || len(targets) == 0 {
			return err
		}
		postIDs := map[int64]bool{}
		mine := make([]int64, 0, len(targets))
		for _, t := range targets {
			postIDs[t.PostID] = true
			mine = append(mine, t.ID)
		}
		var posts []Post
		if err := s.lockForUpdate(db).Where("id IN ?", keys(postIDs)).Order("id").Find(&posts).Error; err != nil {
			return err
		}
		if err := db.Model(&Target{}).Where("id IN ? AND status = ? AND lease_owner = ?", mine, TargetPublishing, worker).Updates(map[string]any{
			"status": TargetPending, "lease_owner": "", "lease_expires_at": nil, "updated_at": s.now(),
			"attempts": gorm.Expr("CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END")}).Error; err != nil {
			return err
		}
		for i := range posts {
			p := &posts[i]
			if p.Status != string(workflow.Publishing) {
				continue
			}
			var busy int64
			if err := db.Model(&Target{}).Where("workspace_id = ? AND post_id = ? AND status NOT IN ?", p.WorkspaceID, p.ID,
				[]string{TargetPending, TargetCanceled}).Count(&busy).Error; err != nil {
				return err
			}
			if busy > 0 {
				continue
			}
			if err := db.Model(&Post{}).Where("id = ?", p.ID).Updates(map[string]any{"status": string(workflow.Scheduled), "updated_at": s.now()}).Error; err != nil {
				return err
			}
			if err := s.audit(db, p.WorkspaceID, Actor{Label: "scheduler"}, "post.publishing_released", "post", p.ID,
				"publishing → scheduled: the worker stopped before the post was due; another one publishes it"); err != nil {
				return err
			}
		}
		return nil
	})
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

// FinishTarget records one attempt's outcome (see FinishTargets); ErrLeaseLost when worker no
// longer holds the target's lease.
func (s *Store) FinishTarget(ctx context.Context, targetID int64, worker string, out Outcome) error {
	lost, err := s.FinishTargets(ctx, worker, []Finish{{TargetID: targetID, Outcome: out}})
	if err != nil {
		return err
	}
	if len(lost) > 0 {
		return ErrLeaseLost
	}
	return nil
}

// Finish is one target's outcome, for FinishTargets.
type Finish struct {
	TargetID int64
	Outcome  Outcome
}

// FinishTargets records the outcomes of several attempts in one transaction: each target whose
// lease worker still holds gets its outcome, an audit event and its notification; then every post
// concerned is settled once none of its targets is still waiting or being published. Posts are
// locked first, in id order, then their targets: the order every writer follows. It returns the
// targets whose lease was lost (another worker reconciled them): their outcomes are dropped.
//
// One transaction for a batch of outcomes is what lets a worker record hundreds of publishes a
// second: a commit (and its log flush) per target was the scheduler's bottleneck.
func (s *Store) FinishTargets(ctx context.Context, worker string, fs []Finish) (lost []int64, err error) {
	if len(fs) == 0 {
		return nil, nil
	}
	err = s.tx(ctx, func(db *gorm.DB) error {
		lost = nil
		ids := make([]int64, len(fs))
		for i, f := range fs {
			ids[i] = f.TargetID
		}
		var targets []Target
		if err := db.Select("id, post_id, workspace_id, channel_id").Where("id IN ?", ids).Find(&targets).Error; err != nil {
			return err
		}
		byID := make(map[int64]Target, len(targets))
		postIDs := map[int64]bool{}
		for _, t := range targets {
			byID[t.ID] = t
			postIDs[t.PostID] = true
		}
		var posts []Post
		if len(postIDs) > 0 {
			if err := s.lockForUpdate(db).Where("id IN ?", keys(postIDs)).Order("id").Find(&posts).Error; err != nil {
				return err
			}
		}
		// The targets this worker still holds, locked (after their posts, as every writer does):
		// only they get an outcome, written by one statement for the whole batch.
		var held []int64
		if err := s.lockForUpdate(db).Model(&Target{}).Where("id IN ? AND status = ? AND lease_owner = ?", ids, TargetPublishing, worker).
			Pluck("id", &held).Error; err != nil {
			return err
		}
		mine := make(map[int64]bool, len(held))
		for _, id := range held {
			mine[id] = true
		}
		now := s.now()
		var events []AuditEvent
		var notes []Notification
		var rows []targetChange
		touched := map[int64]bool{}
		for _, f := range fs {
			t, ok := byID[f.TargetID]
			if !ok || !mine[t.ID] {
				lost = append(lost, f.TargetID)
				continue
			}
			delete(mine, t.ID) // an id given twice is written once
			out := f.Outcome
			rows = append(rows, targetChange{id: t.ID, changes: outcomeChanges(out, now)})
			touched[t.PostID] = true
			summary := fmt.Sprintf("channel %d: %s", t.ChannelID, out.Status)
			if out.Error != "" {
				summary += ": " + out.Error
			}
			if out.ExternalURL != "" {
				summary += " " + out.ExternalURL
			}
			events = append(events, s.auditEvent(t.WorkspaceID, Actor{Label: "scheduler"}, "target."+out.Status, "post", t.PostID, summary))
			if n := out.Notify; n != nil {
				nn := *n
				postID, targetID, channelID := t.PostID, t.ID, t.ChannelID
				nn.WorkspaceID, nn.PostID, nn.TargetID, nn.ChannelID, nn.CreatedAt = t.WorkspaceID, &postID, &targetID, &channelID, now
				nn.Message = truncate(nn.Message, 2000)
				notes = append(notes, nn)
			}
		}
		if err := updateTargets(db, rows); err != nil {
			return err
		}
		if len(events) > 0 {
			if err := db.Create(&events).Error; err != nil {
				return err
			}
		}
		if len(notes) > 0 {
			if err := db.Create(&notes).Error; err != nil {
				return err
			}
		}
		var settle []*Post
		for i := range posts {
			if touched[posts[i].ID] {
				settle = append(settle, &posts[i])
			}
		}
		return s.settlePosts(db, settle)
	})
	return lost, err
}

// targetChange is one target's new column values.
type targetChange struct {
	id      int64
	changes map[string]any
}

// updateTargets writes each row's changes in one UPDATE for all of them: every column any row
// changes is set to CASE id WHEN … THEN … ELSE column END. A batch of outcomes costs one
// statement instead of one per target. Values are bound as parameters; gorm expressions (the
// attempts refund) are inlined as the SQL they are.
func updateTargets(db *gorm.DB, rows []targetChange) error {
	if len(rows) == 0 {
		return nil
	}
	colSet := map[string]bool{}
	for _, r := range rows {
		for c := range r.changes {
			colSet[c] = true
		}
	}
	cols := make([]string, 0, len(colSet))
	for c := range colSet {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	var sb strings.Builder
	var args []any
	sb.WriteString("UPDATE targets SET ")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c + " = CASE id")
		for _, r := range rows {
			v, ok := r.changes[c]
			if !ok {
				continue
			}
			sb.WriteString(" WHEN ? THEN ")
			args = append(args, r.id)
			switch x := v.(type) {
			case clause.Expr:
				sb.WriteString("(" + x.SQL + ")")
				args = append(args, x.Vars...)
			case nil:
				sb.WriteString("NULL")
			case time.Time:
				sb.WriteString("?")
				args = append(args, dbTime(x))
			case *time.Time:
				if x == nil {
					sb.WriteString("NULL")
				} else {
					sb.WriteString("?")
					args = append(args, dbTime(*x))
				}
			default:
				sb.WriteString("?")
				args = append(args, x)
			}
		}
		sb.WriteString(" ELSE " + c + " END")
	}
	sb.WriteString(" WHERE id IN ?")
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	args = append(args, ids)
	return db.Exec(sb.String(), args...).Error
}

// outcomeChanges are the target's columns after an attempt ended with out.
func outcomeChanges(out Outcome, now time.Time) map[string]any {
	changes := map[string]any{"status": out.Status, "lease_owner": "", "lease_expires_at": nil, "updated_at": now, "error_kind": out.ErrorKind}
	if out.Error != "" {
		changes["last_error"] = truncate(out.Error, 2000)
	}
	switch out.Status {
	case TargetPublished:
		changes["external_id"], changes["external_url"] = truncate(out.ExternalID, 255), truncate(out.ExternalURL, 1000)
		pub := out.PublishedAt.UTC()
		if out.PublishedAt.IsZero() {
			pub = now
		}
		changes["published_at"], changes["due_at"], changes["error_kind"] = pub, nil, ""
		// A published target keeps a message only for what went wrong after the post was created
		// (a first comment or a thread part the network refused).
		changes["last_error"] = nil
		if out.Error != "" {
			changes["last_error"], changes["error_kind"] = truncate(out.Error, 2000), "warning"
		}
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
	return changes
}

// settlePosts moves each publishing post to published, partially_published or failed once none
// of its targets is still waiting or being published. The posts are locked by the caller.
func (s *Store) settlePosts(db *gorm.DB, posts []*Post) error {
	var open []*Post
	for _, p := range posts {
		if p.Status == string(workflow.Publishing) || p.Status == string(workflow.Scheduled) {
			open = append(open, p)
		}
	}
	if len(open) == 0 {
		return nil
	}
	ids := make([]int64, len(open))
	for i, p := range open {
		ids[i] = p.ID
	}
	// A locking read of the statuses (one row per target, so no GROUP BY under FOR UPDATE): on
	// MySQL a plain SELECT reads the transaction's snapshot, taken at its first read, before the
	// posts' locks were granted. Two targets of one post finishing at once then each counted the
	// other as still publishing, and the post never settled.
	var rows []struct {
		PostID int64
		Status string
	}
	if err := s.lockForUpdate(db).Model(&Target{}).Select("post_id, status").Where("post_id IN ?", ids).Scan(&rows).Error; err != nil {
		return err
	}
	type tally struct{ published, open, other int64 }
	counts := map[int64]*tally{}
	for _, r := range rows {
		c := counts[r.PostID]
		if c == nil {
			c = &tally{}
			counts[r.PostID] = c
		}
		switch r.Status {
		case TargetPublished:
			c.published++
		case TargetPending, TargetPublishing, TargetHeld:
			c.open++
		case TargetCanceled:
		default:
			c.other++
		}
	}
	var events []AuditEvent
	byStatus := map[workflow.Status][]int64{}
	for _, p := range open {
		c := counts[p.ID]
		if c == nil || c.open > 0 {
			continue
		}
		var act workflow.Action
		switch {
		case c.published > 0 && c.other == 0:
			act = workflow.MarkPublished
		case c.published > 0:
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
		p.Status = string(res.To)
		byStatus[res.To] = append(byStatus[res.To], p.ID)
		events = append(events, s.auditEvent(p.WorkspaceID, Actor{Label: "scheduler"}, res.AuditAction, "post", p.ID, string(res.From)+" → "+string(res.To)))
	}
	for st, ids := range byStatus {
		if err := db.Model(&Post{}).Where("id IN ?", ids).Updates(map[string]any{"status": string(st), "updated_at": s.now()}).Error; err != nil {
			return err
		}
	}
	if len(events) == 0 {
		return nil
	}
	return db.Create(&events).Error
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
