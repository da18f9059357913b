package workflow

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// StepMode says how many of a step's approvers must approve.
type StepMode string

// The step modes. They are stored in approval policies, so they must never be renamed.
const (
	// AnyOf needs MinApprovals (by default one) distinct approvals from the step's approvers.
	AnyOf StepMode = "any"
	// AllOf needs an approval from every member the step names.
	AllOf StepMode = "all"
)

// MaxSteps bounds the steps of one policy, and MaxStepMembers the members one step names.
const (
	MaxSteps       = 10
	MaxStepMembers = 50
)

// Step is one stage of a multi-step approval. Its approvers are either the members with at
// least Role, or the members listed in Members, or the client (through a client review link).
//
// Steps are stored as JSON in approval policies, so the field names are part of the schema.
type Step struct {
	// Name is shown to people: "Editors", "Legal", "Client".
	Name string `json:"name"`
	// Role admits every member with at least this role; it must be editor or above, since only
	// they review by role. Members named in Members may be authors.
	Role Role `json:"role,omitempty"`
	// Members names the approvers by user id.
	Members []int64 `json:"members,omitempty"`
	// Client is satisfied by an approval given through a client review link.
	Client bool `json:"client,omitempty"`
	// Mode is AnyOf (the default) or AllOf (every named member).
	Mode StepMode `json:"mode,omitempty"`
	// MinApprovals is how many distinct approvals an AnyOf step needs (0 means 1).
	MinApprovals int `json:"min_approvals,omitempty"`
}

// Approver is one approval of the current revision: by a member (UserID) or through a client
// review link (ClientLinkID).
type Approver struct {
	UserID       int64
	ClientLinkID int64
}

// ErrInvalidStep is returned by Step.Validate.
var ErrInvalidStep = errors.New("invalid approval step")

// Validate reports whether the step can be saved.
func (s Step) Validate() error {
	kinds := 0
	if s.Role != "" {
		kinds++
	}
	if len(s.Members) > 0 {
		kinds++
	}
	if s.Client {
		kinds++
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidStep}, args...)...)
	}
	switch {
	case strings.TrimSpace(s.Name) == "":
		return bad("a step needs a name")
	case kinds != 1:
		return bad("a step's approvers are a role, named members or the client: exactly one of them")
	case s.Role != "" && !s.Role.AtLeast(Editor):
		return bad("approvers by role must be editors or above (name authors as members instead)")
	case len(s.Members) > MaxStepMembers:
		return bad("at most %d named members", MaxStepMembers)
	case s.Mode != "" && s.Mode != AnyOf && s.Mode != AllOf:
		return bad("mode must be %q or %q", AnyOf, AllOf)
	case s.Mode == AllOf && len(s.Members) == 0:
		return bad("%q needs named members; for a role, ask for a number of approvals", AllOf)
	case s.MinApprovals < 0 || s.MinApprovals > MaxRequiredApprovals:
		return bad("approvals needed must be between 1 and %d", MaxRequiredApprovals)
	case s.Client && s.MinApprovals > 1:
		return bad("a client step needs one client approval")
	case len(s.Members) > 0 && s.Mode != AllOf && s.MinApprovals > len(s.Members):
		return bad("the step names %d members but needs %d approvals", len(s.Members), s.MinApprovals)
	}
	for i, id := range s.Members {
		if id <= 0 {
			return bad("member %d is not a user id", i)
		}
		if slices.Contains(s.Members[:i], id) {
			return bad("a member is named twice")
		}
	}
	return nil
}

// ValidateSteps checks a list of steps.
func ValidateSteps(steps []Step) error {
	if len(steps) > MaxSteps {
		return fmt.Errorf("%w: at most %d steps", ErrInvalidStep, MaxSteps)
	}
	for i, s := range steps {
		if err := s.Validate(); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	return nil
}

func (s Step) needed() int {
	if s.Mode == AllOf {
		return len(s.Members)
	}
	return max(1, s.MinApprovals)
}

// admits reports whether a member with role may approve this step now.
func (s Step) admits(userID int64, role Role) bool {
	switch {
	case s.Client:
		return false
	case len(s.Members) > 0:
		return slices.Contains(s.Members, userID) && role.AtLeast(Author)
	}
	return role.AtLeast(s.Role)
}

// names reports whether the step lists the user among its members.
func (s Step) names(userID int64) bool { return slices.Contains(s.Members, userID) }

// Progress is how far a post's approvals have taken it through its steps.
type Progress struct {
	// Done says, per step, whether it is complete.
	Done []bool
	// Counted lists, per step, the distinct members whose approval counts for it.
	Counted [][]int64
	// Current is the first step that is not complete, or len(steps) when all are.
	Current int
	// ClientApproved reports whether a client approved the revision.
	ClientApproved bool
}

// Complete reports whether every step is done.
func (p Progress) Complete() bool { return p.Current == len(p.Done) }

// Evaluate replays the approvals of the current revision, oldest first, through the steps. A
// member's approval counts for the step that was waiting when it was given (the first step not
// yet complete), if that step takes it: a named step takes its members', a role step the
// approvals of members who hold the role now (roles gives each approver's current role; nil
// trusts that the role was checked when the approval was given). So an approval stops counting
// when its giver leaves or loses the role, and a policy changed during review never lets an
// author's approval stand in for an editor's. A client step is done as soon as a client approves
// the revision, whenever that was: a client link may be sent before or after the team's own
// review. The author's approvals count only when selfApprove allows.
func Evaluate(steps []Step, approvals []Approver, authorID int64, selfApprove bool, roles map[int64]Role) Progress {
	p := Progress{Done: make([]bool, len(steps)), Counted: make([][]int64, len(steps))}
	for _, a := range approvals {
		if a.ClientLinkID != 0 {
			p.ClientApproved = true
		}
	}
	next := func() {
		for p.Current < len(steps) {
			s := steps[p.Current]
			if s.Client && p.ClientApproved || !s.Client && len(p.Counted[p.Current]) >= s.needed() {
				p.Done[p.Current] = true
				p.Current++
				continue
			}
			break
		}
	}
	next()
	for _, a := range approvals {
		if p.Current == len(steps) {
			break
		}
		if a.ClientLinkID != 0 || a.UserID == 0 || a.UserID == authorID && !selfApprove {
			continue
		}
		s := steps[p.Current]
		if s.Client || slices.Contains(p.Counted[p.Current], a.UserID) {
			continue
		}
		if roles != nil && !s.admits(a.UserID, roles[a.UserID]) || roles == nil && len(s.Members) > 0 && !s.names(a.UserID) {
			continue
		}
		p.Counted[p.Current] = append(p.Counted[p.Current], a.UserID)
		next()
	}
	return p
}

// approvalSteps is the policy's steps for a post. A post can be in review with no steps (it was
// submitted before the workspace stopped requiring review, or before its author became an
// editor who skips review): then the workspace's required number of editors, at least one,
// settles it, as before multi-step policies existed.
func (p Policy) approvalSteps(authorRole Role) []Step {
	if steps := p.StepsFor(authorRole); len(steps) > 0 {
		return steps
	}
	n := 1
	if p.Steps == nil {
		n = max(1, p.RequiredApprovals)
	}
	return []Step{{Name: "Review", Role: Editor, MinApprovals: n}}
}

// approvals returns the post's approvals in order: Approvals when the caller gave them, else
// ApprovedBy as member approvals.
func (p Post) approvals() []Approver {
	if p.Approvals != nil {
		return p.Approvals
	}
	out := make([]Approver, len(p.ApprovedBy))
	for i, id := range p.ApprovedBy {
		out[i] = Approver{UserID: id}
	}
	return out
}

// namedApprover reports whether the policy names the user as an approver of any step of a post
// whose author has authorRole: such a member may approve and request changes on it even as an
// author.
func (p Policy) namedApprover(userID int64, authorRole Role) bool {
	return slices.ContainsFunc(p.StepsFor(authorRole), func(s Step) bool { return s.names(userID) })
}
