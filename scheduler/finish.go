package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/store"
)

// finishing is one attempt's outcome waiting to be recorded.
type finishing struct {
	work store.Work
	out  store.Outcome
}

// finish queues an attempt's outcome for the finisher, which records outcomes in batches: one
// transaction (one commit) for as many outcomes as arrived while the previous batch was written,
// so that a burst of publishes is not held back by a log flush per target.
func (s *Scheduler) finish(w store.Work, out store.Outcome) {
	s.finisherOnce.Do(func() { go s.finisher() })
	s.finishQ <- finishing{w, out}
	s.released(1)
}

// finisher records queued outcomes until the queue is closed (by Shutdown, after every publish
// has queued its outcome).
func (s *Scheduler) finisher() {
	defer close(s.finisherDone)
	batch := make([]finishing, 0, s.opt.FinishBatch)
	for first := range s.finishQ {
		batch = append(batch[:0], first)
		// During a burst the network calls come first: while many are in flight, outcomes wait
		// a little (at most burstDefer) and go to the database together, instead of competing
		// for the processor with the calls of posts still due. An outcome not yet recorded is
		// safe: the lease covers it, and after a crash reconciliation asks the network.
		deadline := time.Now().Add(burstDefer)
	more:
		for len(batch) < s.opt.FinishBatch {
			select {
			case f, ok := <-s.finishQ:
				if !ok {
					break more
				}
				batch = append(batch, f)
			default:
				if !s.bursting() || !time.Now().Before(deadline) {
					break more
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		s.record(batch)
	}
}

// burstDefer bounds how long an outcome waits for a burst's network calls to end.
const burstDefer = 750 * time.Millisecond

// bursting reports whether a quarter or more of the publishing slots are in use.
func (s *Scheduler) bursting() bool { return len(s.slots) >= max(cap(s.slots)/4, 8) }

// record writes one batch of outcomes. The network has been asked, so its answer is recorded even
// while the process shuts down; a batch that cannot be written is retried a few times, then left
// to reconciliation, which asks the network again once the leases expire.
func (s *Scheduler) record(batch []finishing) {
	fs := make([]store.Finish, len(batch))
	for i, f := range batch {
		fs[i] = store.Finish{TargetID: f.work.Target.ID, Outcome: f.out}
	}
	ctx := context.Background()
	var lost []int64
	var err error
	for attempt := range 5 {
		if lost, err = s.store.FinishTargets(ctx, s.id, fs); err == nil {
			break
		}
		time.Sleep(time.Duration(50*(attempt+1)) * time.Millisecond)
	}
	if err != nil {
		s.log.Error("saving publish outcomes failed; reconciliation will decide them", "targets", len(fs), "err", err)
	}
	gone := make(map[int64]bool, len(lost))
	for _, id := range lost {
		gone[id] = true
		s.log.Warn("lease lost before the outcome was saved; reconciliation decides", "target", id)
	}
	for _, f := range batch {
		if err == nil && !gone[f.work.Target.ID] {
			s.metrics.outcomes.WithLabelValues(f.work.Channel.Network, f.out.Status).Inc()
		}
	}
	s.recorded(len(batch))
}

// published is the outcome of a successful publish: what went wrong after the post was created
// (a refused first comment, a thread part) is kept on the target and told to the workspace, and a
// posting allowance running out holds the channel's next posts until it resets, with a warning
// before it does.
func (s *Scheduler) published(ctx context.Context, ch *store.Channel, res publishers.Published) store.Outcome {
	out := store.Outcome{Status: store.TargetPublished, ExternalID: res.ExternalID, ExternalURL: res.URL, PublishedAt: res.PublishedAt}
	if len(res.Warnings) > 0 {
		out.Error = "Published, but " + strings.Join(res.Warnings, " ")
		out.Notify = &store.Notification{Kind: store.NotifyWarning, Message: fmt.Sprintf("%s (%s): %s", ch.Name, ch.Network, out.Error)}
	}
	if q := res.Quota; q != nil {
		s.watchQuota(ctx, ch, *q)
	}
	return out
}

// watchQuota acts on a network's posting allowance (X's 24-hour post cap, Instagram's 24-hour
// publishing limit). When it is used up the channel waits for the reset like a rate limit, so the
// next posts are not sent only to be refused; when a tenth or less is left, the workspace is told
// once per window, before the cap is hit.
func (s *Scheduler) watchQuota(ctx context.Context, ch *store.Channel, q publishers.Quota) {
	now := s.now()
	if q.Limit <= 0 || q.ResetAt.Before(now) {
		return
	}
	reset := q.ResetAt.UTC().Format(time.RFC3339)
	if q.Remaining <= 0 {
		if err := s.store.SetRateLimit(ctx, ch.ID, q.ResetAt); err != nil {
			s.log.Warn("holding a channel until its quota resets failed", "channel", ch.ID, "err", err)
		}
	}
	if q.Remaining > max(1, q.Limit/10) {
		return
	}
	kind := store.NotifyQuotaLow
	msg := fmt.Sprintf("%s (%s) has %d of its %d posts left until %s, the network's limit for this account; posts due after that wait until it resets.",
		ch.Name, ch.Network, q.Remaining, q.Limit, reset)
	if q.Remaining <= 0 {
		kind = store.NotifyQuotaExhausted
		msg = fmt.Sprintf("%s (%s) has used all %d posts the network allows until %s; its next posts wait until then.", ch.Name, ch.Network, q.Limit, reset)
	}
	chID := ch.ID
	n := &store.Notification{WorkspaceID: ch.WorkspaceID, Kind: kind, ChannelID: &chID, Message: msg}
	// Once per window: the window started at most a day before its reset.
	if _, err := s.store.NotifyOnce(ctx, n, q.ResetAt.Add(-24*time.Hour)); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("quota warning failed", "channel", ch.ID, "err", err)
	}
}
