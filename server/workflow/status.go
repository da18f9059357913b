// Package workflow is the editorial state machine for posts and the
// workspace approval policy, written as pure functions.
//
// A post moves through
//
//	draft → in_review → approved → scheduled → publishing → published | partially_published | failed
//
// with in_review → changes_requested → (edit) → in_review for feedback, and
// canceled reachable from anything that has not started publishing. An
// approval binds to one content revision, so editing approved or scheduled
// content sends it back to review when the workspace requires review.
//
// Nothing here touches the database or the clock: the HTTP layer and the
// scheduler load a Post, call Apply, and persist the Result. Keeping the
// rules in one pure function is what lets them be tested exhaustively and
// lets the API and the scheduler agree on them.
package workflow

import (
	"fmt"
	"slices"
)

// Status is where a post is in its editorial life. The values are stored in
// posts.status, so they must never be renamed.
type Status string

// The statuses a post can be in.
const (
	// Draft is being written and is visible only as work in progress.
	Draft Status = "draft"
	// InReview waits for reviewers to approve or request changes.
	InReview Status = "in_review"
	// ChangesRequested was sent back to its author by a reviewer.
	ChangesRequested Status = "changes_requested"
	// Approved may be scheduled; its approvals bind to the current revision.
	Approved Status = "approved"
	// Scheduled has a publish time and will be picked up by the scheduler.
	Scheduled Status = "scheduled"
	// Publishing has been claimed by the scheduler and is being sent out.
	Publishing Status = "publishing"
	// Published went out to every target.
	Published Status = "published"
	// PartiallyPublished went out to some targets and failed on others.
	PartiallyPublished Status = "partially_published"
	// Failed went out to no target.
	Failed Status = "failed"
	// Canceled was withdrawn; it can be restored to a draft.
	Canceled Status = "canceled"
)

var allStatuses = []Status{
	Draft, InReview, ChangesRequested, Approved, Scheduled,
	Publishing, Published, PartiallyPublished, Failed, Canceled,
}

// AllStatuses returns every status in lifecycle order. It returns a fresh
// slice so callers may sort or trim it without affecting the package.
func AllStatuses() []Status { return slices.Clone(allStatuses) }

// Valid reports whether s is one of the known statuses. A status read from
// the database or a request should be checked before it is trusted.
func (s Status) Valid() bool { return slices.Contains(allStatuses, s) }

// Editable reports whether the post's content may be edited in status s.
// Failed posts are editable because nothing went out, so fixing the content
// and trying again is the normal recovery. Partially published posts are not:
// part of the content is already live, and editing it would make the copies
// on different networks disagree.
func (s Status) Editable() bool {
	switch s {
	case Draft, InReview, ChangesRequested, Approved, Scheduled, Failed:
		return true
	}
	return false
}

// Final reports whether nothing more happens to a post in status s without a
// person asking for it. Partially published and failed posts are not final
// because a retry is expected.
func (s Status) Final() bool { return s == Published || s == Canceled }

// phrase is how a status reads in the middle of an English sentence, as in
// "a post that is waiting for changes".
func (s Status) phrase() string {
	switch s {
	case InReview:
		return "in review"
	case ChangesRequested:
		return "waiting for changes"
	case PartiallyPublished:
		return "partially published"
	}
	if !s.Valid() {
		return fmt.Sprintf("in an unknown status %q", string(s))
	}
	return string(s)
}
