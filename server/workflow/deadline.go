package workflow

import "time"

// Deadlines are a workspace's approval deadlines: a post planned for a time must be approved
// Lead before it; approvers are reminded RemindBefore the deadline. A post not approved by its
// deadline is not published (nothing unapproved is ever scheduled), and its author and editors
// are told, once per planned time.
type Deadlines struct {
	// Lead is how long before the planned time approval is due (0: by the planned time itself).
	Lead time.Duration
	// RemindBefore is how long before the deadline approvers are reminded (0: no reminder).
	RemindBefore time.Duration
}

// MaxDeadlineLead bounds Deadlines.Lead and RemindBefore.
const MaxDeadlineLead = 14 * 24 * time.Hour

// DeadlineDue is what the deadline sweep must do for a post.
type DeadlineDue int

// What a post's deadline calls for.
const (
	// NoDeadlineAction: nothing to do (approved in time, no planned time, already told…).
	NoDeadlineAction DeadlineDue = iota
	// RemindApprovers: the deadline is near and the post is still in review.
	RemindApprovers
	// DeadlineMissed: the deadline passed and the post is not approved; it will not be published
	// at its planned time.
	DeadlineMissed
)

// Deadline is when a post planned for planned must be approved.
func (d Deadlines) Deadline(planned time.Time) time.Time { return planned.Add(-d.Lead) }

// awaitingApproval reports whether a post in status s has not been approved yet: it is being
// written, reviewed or reworked.
func awaitingApproval(s Status) bool {
	return s == Draft || s == InReview || s == ChangesRequested
}

// Due says what to do at now for a post in status st planned for planned, whose review is
// needed (reviewNeeded), given whether approvers were already reminded and whether the missed
// deadline was already told, for this planned time. A post that needs no review has no
// approval deadline; a draft is past its deadline like a post in review (it cannot be
// published unapproved either), but only posts in review have approvers to remind.
func (d Deadlines) Due(st Status, planned time.Time, now time.Time, reviewNeeded, reminded, told bool) DeadlineDue {
	if !reviewNeeded || !awaitingApproval(st) || planned.IsZero() {
		return NoDeadlineAction
	}
	deadline := d.Deadline(planned)
	switch {
	case !now.Before(deadline):
		if told {
			return NoDeadlineAction
		}
		return DeadlineMissed
	case st == InReview && d.RemindBefore > 0 && !reminded && !now.Before(deadline.Add(-d.RemindBefore)):
		return RemindApprovers
	}
	return NoDeadlineAction
}
