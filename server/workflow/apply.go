package workflow

import (
	"fmt"
	"slices"
)

// The audit actions Apply reports in Result.AuditAction. They are stored in
// audit_events.action and shown in the activity feed, so they must never be
// renamed.
const (
	// AuditEdited records a content change that kept the post's status
	// (or, for a failed post, sent it back to draft).
	AuditEdited = "post.edited"
	// AuditSentBackToReview records a content change to approved or
	// scheduled content that needs approving again.
	AuditSentBackToReview = "post.sent_back_to_review"
	// AuditSubmitted records a post entering review.
	AuditSubmitted = "post.submitted"
	// AuditAutoApproved records a submitted post that needed no review.
	AuditAutoApproved = "post.auto_approved"
	// AuditApprovalAdded records an approval that was not yet enough.
	AuditApprovalAdded = "post.approval_added"
	// AuditApproved records the approval that made the post approved.
	AuditApproved = "post.approved"
	// AuditChangesRequested records a reviewer sending the post back.
	AuditChangesRequested = "post.changes_requested"
	// AuditScheduled records a post getting a publish time.
	AuditScheduled = "post.scheduled"
	// AuditPublishNowRequested records a request to publish right away.
	AuditPublishNowRequested = "post.publish_now_requested"
	// AuditRescheduled records a change of the planned time.
	AuditRescheduled = "post.rescheduled"
	// AuditUnscheduled records a scheduled post going back to approved.
	AuditUnscheduled = "post.unscheduled"
	// AuditCanceled records a post being withdrawn.
	AuditCanceled = "post.canceled"
	// AuditRestored records a canceled post coming back as a draft.
	AuditRestored = "post.restored"
	// AuditRetried records a failed or partial post being scheduled again.
	AuditRetried = "post.retried"
	// AuditPublishing records the scheduler claiming the post.
	AuditPublishing = "post.publishing"
	// AuditPublished records that every target went out.
	AuditPublished = "post.published"
	// AuditPartiallyPublished records that some targets failed.
	AuditPartiallyPublished = "post.partially_published"
	// AuditFailed records that every target failed.
	AuditFailed = "post.failed"
)

// Post is what Apply needs to know about a post. The caller loads it; Apply
// never sees content, because the rules do not depend on it.
type Post struct {
	// Status is the post's current status.
	Status Status
	// AuthorID is the user who wrote the post.
	AuthorID int64
	// AuthorRole is the author's current role in the workspace, or Viewer if
	// they left. It decides whether the post needs review.
	AuthorRole Role
	// ApprovedBy lists the distinct users whose approval is bound to the
	// current revision. Approvals of older revisions must not be included.
	ApprovedBy []int64
	// HasSchedule reports whether scheduled_at is set. Apply does not consult
	// it: Schedule, PublishNow and Retry carry their time in the same request,
	// so the stored value says nothing about whether the new one is valid.
	// It is here so callers can carry one struct around.
	HasSchedule bool
}

// Actor is who asks for an action.
type Actor struct {
	// UserID is the member asking; it is zero for the scheduler.
	UserID int64
	// Role is the member's role in the post's workspace.
	Role Role
	// System marks the scheduler. Only the scheduler may use StartPublishing
	// and the Mark actions, and it may use nothing else, so that a person can
	// never claim a post went out and the scheduler can never approve one.
	System bool
}

// Result is what the caller must persist after a successful Apply.
type Result struct {
	// From and To are the post's status before and after the action; they
	// are equal when the action does not move the post.
	From, To Status
	// BumpRevision means the content changed: store revision+1.
	BumpRevision bool
	// ClearApprovals means approvals bound to the old revision no longer
	// count. Callers keep the rows for history and stop counting them.
	ClearApprovals bool
	// RecordApproval means: store an approval by the actor for the current
	// revision.
	RecordApproval bool
	// AuditAction is the audit_events.action to record, one of the Audit
	// constants.
	AuditAction string
}

// Apply decides whether actor a may perform act on post p under policy pol,
// and if so what changes. It is a pure function: the caller persists the
// Result in the same transaction that re-reads the post, so two requests
// racing on one post cannot both succeed from a stale status.
//
// Checks run in this order, and the first failure is returned:
//
//  1. act is unknown: ErrUnknownAction.
//  2. a scheduler asks for a human action or a person for a scheduler action:
//     ErrForbidden.
//  3. the actor's role or ownership rules out the action in every status
//     (viewers; authors on posts they did not write; authors asking for a
//     reviewer action): ErrForbidden. Doing this before the status check
//     means a user learns nothing about posts they may not touch.
//  4. no one could do act from p.Status: a *TransitionError, which matches
//     ErrInvalidTransition.
//  5. the action is possible in this status, but only for editors and above
//     (an author canceling their approved, scheduled or failed post, or
//     rescheduling their scheduled post): ErrForbidden. This comes after
//     step 4 so that 403 always means "someone else could do this" and 409
//     always means "no one can do this now".
//  6. the policy forbids it: ErrNeedsReview, ErrSelfApproval,
//     ErrAlreadyApproved.
func Apply(p Post, a Actor, act Action, pol Policy) (Result, error) {
	if !act.Valid() {
		return Result{}, fmt.Errorf("%w %q", ErrUnknownAction, string(act))
	}
	if err := checkActor(p, a, act); err != nil {
		return Result{}, err
	}
	r, err := transition(p, a, act, pol)
	if err != nil {
		return Result{}, err
	}
	r.From = p.Status
	return r, nil
}

// checkActor applies the rules that depend only on who asks, not on the
// post's status (steps 2 and 3 of Apply).
func checkActor(p Post, a Actor, act Action) error {
	switch {
	case a.System && !act.SystemOnly():
		return fmt.Errorf("%w: the scheduler may only start and finish publishing, not %s a post", ErrForbidden, act.verb())
	case !a.System && act.SystemOnly():
		return fmt.Errorf("%w: only the scheduler may start and finish publishing", ErrForbidden)
	case a.System:
		return nil
	case !a.Role.Valid():
		return fmt.Errorf("%w: %q is not a workspace role", ErrForbidden, string(a.Role))
	case a.Role == Viewer:
		return fmt.Errorf("%w: viewers cannot change posts", ErrForbidden)
	case a.Role.CanReview():
		return nil
	case act.reviewerOnly():
		return fmt.Errorf("%w: only editors, admins and owners may %s a post", ErrForbidden, act.verb())
	case p.AuthorID != a.UserID:
		return fmt.Errorf("%w: authors may only change their own posts", ErrForbidden)
	}
	return nil
}

// transition applies the status rules (steps 4 to 6 of Apply). By the time it
// runs, the actor is known to be the scheduler, an editor or above, or the
// post's own author asking for a non-reviewer action.
func transition(p Post, a Actor, act Action, pol Policy) (Result, error) {
	invalid := &TransitionError{From: p.Status, Action: act}
	needsReview := pol.ReviewNeeded(p.AuthorRole)
	move := func(to Status, audit string) (Result, error) {
		return Result{To: to, AuditAction: audit}, nil
	}
	// reviewerHere is step 5: the action exists in this status, but the
	// post's own author may not take it here.
	reviewerHere := func() error {
		if a.Role.CanReview() {
			return nil
		}
		return fmt.Errorf("%w: only editors, admins and owners may %s a post that is %s",
			ErrForbidden, act.verb(), p.Status.phrase())
	}

	switch act {
	case Edit:
		if !p.Status.Editable() {
			return Result{}, invalid
		}
		r := Result{To: p.Status, BumpRevision: true, ClearApprovals: true, AuditAction: AuditEdited}
		switch p.Status {
		case Approved, Scheduled:
			// The approval was for the old text; what goes out must be
			// what was approved.
			if needsReview {
				r.To, r.AuditAction = InReview, AuditSentBackToReview
			}
		case Failed:
			// A failed post left the schedule; after fixing it the author
			// decides again when (and whether) it goes out.
			r.To = Draft
		}
		return r, nil

	case Submit:
		if p.Status != Draft && p.Status != ChangesRequested {
			return Result{}, invalid
		}
		if !needsReview {
			return move(Approved, AuditAutoApproved)
		}
		return move(InReview, AuditSubmitted)

	case Approve:
		if p.Status != InReview {
			return Result{}, invalid
		}
		if a.UserID == p.AuthorID && !pol.AuthorsMaySelfApprove {
			return Result{}, ErrSelfApproval
		}
		if slices.Contains(p.ApprovedBy, a.UserID) {
			return Result{}, ErrAlreadyApproved
		}
		r := Result{To: InReview, RecordApproval: true, AuditAction: AuditApprovalAdded}
		if countedApprovals(p, pol)+1 >= pol.approvalsToApprove() {
			r.To, r.AuditAction = Approved, AuditApproved
		}
		return r, nil

	case RequestChanges:
		if p.Status != InReview && p.Status != Approved {
			return Result{}, invalid
		}
		return Result{To: ChangesRequested, ClearApprovals: true, AuditAction: AuditChangesRequested}, nil

	case Schedule, PublishNow:
		audit := AuditScheduled
		if act == PublishNow {
			audit = AuditPublishNowRequested
		}
		switch {
		case p.Status == Approved, p.Status == Scheduled && act == PublishNow:
			return move(Scheduled, audit)
		case p.Status == Draft:
			// A post whose author needs no review may go straight from
			// draft to the calendar; anyone else's must be reviewed first.
			if needsReview {
				return Result{}, ErrNeedsReview
			}
			return move(Scheduled, audit)
		}
		return Result{}, invalid

	case Reschedule:
		switch p.Status {
		case Draft, InReview, ChangesRequested, Approved:
			return move(p.Status, AuditRescheduled)
		case Scheduled:
			// Moving a scheduled post changes when the workspace speaks,
			// which is a reviewer's decision.
			if err := reviewerHere(); err != nil {
				return Result{}, err
			}
			return move(p.Status, AuditRescheduled)
		}
		return Result{}, invalid

	case Unschedule:
		if p.Status != Scheduled {
			return Result{}, invalid
		}
		return move(Approved, AuditUnscheduled)

	case Cancel:
		switch p.Status {
		case Draft, InReview, ChangesRequested:
			return move(Canceled, AuditCanceled)
		case Approved, Scheduled, Failed:
			// Once reviewers have signed off, withdrawing the post is
			// their call too.
			if err := reviewerHere(); err != nil {
				return Result{}, err
			}
			return move(Canceled, AuditCanceled)
		}
		return Result{}, invalid

	case Restore:
		if p.Status != Canceled {
			return Result{}, invalid
		}
		// The restored draft starts review afresh; whatever was approved
		// before it was canceled is no longer a decision anyone stands by.
		return Result{To: Draft, ClearApprovals: true, AuditAction: AuditRestored}, nil

	case Retry:
		if p.Status != Failed && p.Status != PartiallyPublished {
			return Result{}, invalid
		}
		return move(Scheduled, AuditRetried)

	case StartPublishing:
		if p.Status != Scheduled {
			return Result{}, invalid
		}
		return move(Publishing, AuditPublishing)

	case MarkPublished, MarkPartial, MarkFailed:
		if p.Status != Publishing {
			return Result{}, invalid
		}
		switch act {
		case MarkPublished:
			return move(Published, AuditPublished)
		case MarkPartial:
			return move(PartiallyPublished, AuditPartiallyPublished)
		}
		return move(Failed, AuditFailed)
	}
	// Apply checked act.Valid, so this is reached only if an action was
	// added to allActions without a rule here.
	return Result{}, fmt.Errorf("%w %q", ErrUnknownAction, string(act))
}

// countedApprovals counts the distinct approvals in p.ApprovedBy that the
// policy accepts. Callers should pass distinct, current approvals already;
// counting defensively means a duplicated row, or the author's approval left
// over from when the workspace allowed self-approval, can never be what
// pushes a post over the line.
func countedApprovals(p Post, pol Policy) int {
	seen := make(map[int64]bool, len(p.ApprovedBy))
	for _, id := range p.ApprovedBy {
		if id == p.AuthorID && !pol.AuthorsMaySelfApprove {
			continue
		}
		seen[id] = true
	}
	return len(seen)
}
