package workflow

import (
	"errors"
	"fmt"
)

// The errors Apply returns. They are compared with errors.Is; the HTTP layer
// maps each to one status code and error code in one place.
var (
	// ErrForbidden means the actor's role or relation to the post does not
	// allow the action (HTTP 403). The wrapped message says why.
	ErrForbidden = errors.New("not allowed")
	// ErrInvalidTransition means no one could perform the action on a post in
	// its current status (HTTP 409). Apply returns it as a *TransitionError.
	ErrInvalidTransition = errors.New("action not possible in the post's current status")
	// ErrSelfApproval means the author tried to approve their own post and the
	// workspace does not allow it (HTTP 409).
	ErrSelfApproval = errors.New("this workspace does not let authors approve their own posts")
	// ErrAlreadyApproved means the actor's approval already counts for the
	// current revision (HTTP 409).
	ErrAlreadyApproved = errors.New("you have already approved this revision")
	// ErrNeedsReview means the post must be approved before it can be
	// scheduled or published (HTTP 409).
	ErrNeedsReview = errors.New("this post must be approved before it can be scheduled or published")
	// ErrUnknownAction means the action is not one of AllActions (HTTP 400).
	ErrUnknownAction = errors.New("unknown action")
	// ErrNotApprover means the post waits for a step of its approval policy whose approvers do
	// not include the actor (HTTP 403): someone else can approve it now.
	ErrNotApprover = errors.New("not an approver of the step this post is waiting for")
)

// TransitionError says which action was impossible from which status, so the
// message can tell the user what state the post is actually in; it often
// changed under them in another tab.
type TransitionError struct {
	From   Status
	Action Action
}

// Error reads like "cannot approve a post that is draft".
func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a post that is %s", e.Action.verb(), e.From.phrase())
}

// Is makes errors.Is(err, ErrInvalidTransition) true for every TransitionError.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }
