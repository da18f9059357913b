package workflow

import (
	"errors"
	"fmt"
)

// MaxRequiredApprovals bounds Policy.RequiredApprovals. A workspace asking for
// more than this is almost certainly a typo, and such a post could never be
// published by a small team.
const MaxRequiredApprovals = 10

// ErrInvalidPolicy is returned by Policy.Validate.
var ErrInvalidPolicy = errors.New("invalid approval policy")

// Policy is a workspace's approval policy.
type Policy struct {
	// RequiredApprovals is how many distinct approvals a post needs; 0 means
	// posts need no review at all.
	RequiredApprovals int
	// AuthorsMaySelfApprove lets a post's author count as one of its
	// approvers. It only matters for authors who are editors or above, since
	// only they may approve.
	AuthorsMaySelfApprove bool
	// EditorsSkipReview lets posts written by editors and above skip review.
	EditorsSkipReview bool
}

// DefaultPolicy is the policy of a new workspace: one approval by someone
// other than the author. It matches the defaults of the workspaces table.
func DefaultPolicy() Policy { return Policy{RequiredApprovals: 1} }

// ReviewNeeded reports whether a post written by an author with role
// authorRole must be reviewed. It takes the author's role rather than the
// actor's because review protects the workspace from what was written, not
// from who happens to be editing it. An author who left the workspace is
// passed as Viewer and so still needs review.
func (p Policy) ReviewNeeded(authorRole Role) bool {
	if p.RequiredApprovals <= 0 {
		return false
	}
	if p.EditorsSkipReview && authorRole.AtLeast(Editor) {
		return false
	}
	return true
}

// Validate reports whether the policy can be saved.
func (p Policy) Validate() error {
	if p.RequiredApprovals < 0 || p.RequiredApprovals > MaxRequiredApprovals {
		return fmt.Errorf("%w: required approvals must be between 0 and %d, not %d",
			ErrInvalidPolicy, MaxRequiredApprovals, p.RequiredApprovals)
	}
	return nil
}

// approvalsToApprove is how many approvals move a post to approved. Even when
// the workspace needs no review, a post that is in review (because it was
// submitted before the policy changed) needs one approval to leave it that
// way, since approving with zero approvals would mean nothing.
func (p Policy) approvalsToApprove() int { return max(1, p.RequiredApprovals) }
