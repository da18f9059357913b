package workflow

import (
	"fmt"
	"maps"
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
	// AuditClientApproved records a client's approval through a review link
	// that did not complete the approval.
	AuditClientApproved = "post.client_approved"
	// AuditClientChangesRequested records a client sending a post back
	// through a review link.
	AuditClientChangesRequested = "post.client_changes_requested"
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
	// Approvals lists the approvals of the current revision in the order
	// they were given, by members and through client review links; a member
	// may appear once per step. When it is nil, ApprovedBy is used instead.
	// Multi-step policies need the order: an approval counts for the step
	// that was waiting when it was given.
	Approvals []Approver
	// Roles gives the current role of the members in Approvals (Viewer or
	// missing for those who left); approvals count only while their giver
	// may still approve the step. Nil trusts the roles the approvals were
	// given with.
	Roles map[int64]Role
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
	// ClientLink, when not zero, marks a client acting through the client
	// review link with this id. A client has no account and no role: it may
	// only approve a post in review and request changes, and its approval
	// counts only for client steps.
	ClientLink int64
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
	if err := checkActor(p, a, act, pol); err != nil {
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
func checkActor(p Post, a Actor, act Action, pol Policy) error {
	switch {
	case a.ClientLink != 0 && (a.System || a.UserID != 0):
		return fmt.Errorf("%w: a client review link acts for nobody else", ErrForbidden)
	case a.ClientLink != 0 && act != Approve && act != RequestChanges:
		return fmt.Errorf("%w: a client review link may only approve a post or request changes, not %s it", ErrForbidden, act.verb())
	case a.ClientLink != 0:
		return nil
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
	case (act == Approve || act == RequestChanges) && pol.namedApprover(a.UserID, p.AuthorRole):
		// The policy names this author as an approver of this post (legal, say).
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
		return approve(p, a, pol)
	case RequestChanges:
		switch {
		case p.Status == InReview, p.Status == Approved:
		case p.Status == Scheduled && a.ClientLink != 0:
			// A client who sees a scheduled post for the first time can still stop it: the
			// client cannot unschedule it first, as an editor would.
		default:
			return Result{}, invalid
		}
		audit := AuditChangesRequested
		if a.ClientLink != 0 {
			audit = AuditClientChangesRequested
		}
		return Result{To: ChangesRequested, ClearApprovals: true, AuditAction: audit}, nil
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

// approve adds the actor's approval to a post in review (step 6 of Apply for
// Approve). A member must be an approver of the step the post is waiting for;
// a client's approval counts for client steps. The post is approved when the
// approval completes the last step.
func approve(p Post, a Actor, pol Policy) (Result, error) {
	steps := pol.approvalSteps(p.AuthorRole)
	approvals := p.approvals()
	prog := Evaluate(steps, approvals, p.AuthorID, pol.AuthorsMaySelfApprove, p.Roles)
	var added Approver
	audit := AuditApprovalAdded
	if a.ClientLink != 0 {
		for _, x := range approvals {
			if x.ClientLinkID == a.ClientLink {
				return Result{}, ErrAlreadyApproved
			}
		}
		added, audit = Approver{ClientLinkID: a.ClientLink}, AuditClientApproved
	} else {
		if a.UserID == p.AuthorID && !pol.AuthorsMaySelfApprove {
			return Result{}, ErrSelfApproval
		}
		if prog.Complete() {
			// Every step is done but the post is still in review (the policy changed since it was
			// submitted): one more approval by someone who has not approved settles it.
			for _, x := range approvals {
				if x.UserID == a.UserID {
					return Result{}, ErrAlreadyApproved
				}
			}
		} else {
			cur := steps[prog.Current]
			if !cur.admits(a.UserID, a.Role) {
				who := "the client"
				if !cur.Client {
					who = "its approvers"
				}
				return Result{}, fmt.Errorf("%w: this post is waiting for step %d (%s), which %s approve",
					ErrNotApprover, prog.Current+1, cur.Name, who)
			}
			if slices.Contains(prog.Counted[prog.Current], a.UserID) {
				return Result{}, ErrAlreadyApproved
			}
		}
		added = Approver{UserID: a.UserID}
	}
	roles := p.Roles
	if roles != nil && a.ClientLink == 0 {
		roles = maps.Clone(roles)
		roles[a.UserID] = a.Role
	}
	after := Evaluate(steps, append(slices.Clone(approvals), added), p.AuthorID, pol.AuthorsMaySelfApprove, roles)
	r := Result{To: InReview, RecordApproval: true, AuditAction: audit}
	if after.Complete() {
		r.To, r.AuditAction = Approved, AuditApproved
	}
	return r, nil
}
