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
	// EditorsSkipReview lets posts written by editors and above skip the workspace's own review
	// (Steps, or RequiredApprovals); the steps a post's labels add still apply.
	EditorsSkipReview bool
	// Steps is the workspace's multi-step approval, in order. Nil means the single step
	// "RequiredApprovals distinct editors or above", which is how every workspace started.
	Steps []Step
	// LabelSteps are the steps the post's labels add after the workspace's (partnership posts
	// also need legal, say). The caller resolves them for the post.
	LabelSteps []Step
}

// DefaultPolicy is the policy of a new workspace: one approval by someone
// other than the author. It matches the defaults of the workspaces table.
func DefaultPolicy() Policy { return Policy{RequiredApprovals: 1} }

// StepsFor returns the approval steps of a post written by an author with role authorRole: the
// workspace's steps (unless the author is an editor or above and EditorsSkipReview is set),
// then the label steps. An empty result means the post needs no review.
func (p Policy) StepsFor(authorRole Role) []Step {
	var out []Step
	if !(p.EditorsSkipReview && authorRole.AtLeast(Editor)) {
		switch {
		case p.Steps != nil:
			out = append(out, p.Steps...)
		case p.RequiredApprovals > 0:
			out = append(out, Step{Name: "Review", Role: Editor, MinApprovals: p.RequiredApprovals})
		}
	}
	return append(out, p.LabelSteps...)
}

// ReviewNeeded reports whether a post written by an author with role
// authorRole must be reviewed. It takes the author's role rather than the
// actor's because review protects the workspace from what was written, not
// from who happens to be editing it. An author who left the workspace is
// passed as Viewer and so still needs review.
func (p Policy) ReviewNeeded(authorRole Role) bool {
	return len(p.StepsFor(authorRole)) > 0
}

// Validate reports whether the policy can be saved.
func (p Policy) Validate() error {
	if p.RequiredApprovals < 0 || p.RequiredApprovals > MaxRequiredApprovals {
		return fmt.Errorf("%w: required approvals must be between 0 and %d, not %d",
			ErrInvalidPolicy, MaxRequiredApprovals, p.RequiredApprovals)
	}
	if err := ValidateSteps(p.Steps); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPolicy, err)
	}
	if err := ValidateSteps(p.LabelSteps); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPolicy, err)
	}
	return nil
}
