package scheduler

import "context"

// sweepDeadlines reminds approvers of posts whose approval deadline is near and tells authors and
// editors when a deadline passed unapproved. The store does the work, once per post and planned
// time even when several workers sweep at once; nothing here touches publishing: a post that is
// not approved is never due, so it cannot go out late.
func (s *Scheduler) sweepDeadlines(ctx context.Context) {
	got, err := s.store.SweepApprovalDeadlines(ctx, s.now())
	if err != nil {
		s.log.Warn("approval deadline sweep failed", "err", err)
		return
	}
	if got.Reminded > 0 || got.Missed > 0 {
		s.log.Info("approval deadlines", "reminded", got.Reminded, "missed", got.Missed)
	}
}
