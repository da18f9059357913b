package workflow

import (
	"errors"
	"fmt"
	"slices"
)

// Role is a member's role in a workspace. The values are stored in
// memberships.role, so they must never be renamed.
type Role string

// The roles, from most to least powerful.
const (
	// Owner can do everything an admin can; the distinction lets the HTTP
	// layer protect the last owner of a workspace.
	Owner Role = "owner"
	// Admin manages members, channels and settings, and reviews posts.
	Admin Role = "admin"
	// Editor reviews, schedules and publishes any post.
	Editor Role = "editor"
	// Author writes posts and moves their own posts through review.
	Author Role = "author"
	// Viewer reads the calendar and comments, and never changes a post.
	Viewer Role = "viewer"
)

// allRoles is ordered from most to least powerful; rank relies on that.
var allRoles = []Role{Owner, Admin, Editor, Author, Viewer}

// ErrUnknownRole is returned by ParseRole for a string that names no role.
var ErrUnknownRole = errors.New("unknown role")

// AllRoles returns every role from most to least powerful. It returns a fresh
// slice so callers may reorder it freely.
func AllRoles() []Role { return slices.Clone(allRoles) }

// ParseRole turns a role name from a request, a flag or the database into a
// Role. It is strict about case and spaces because a role is a security
// decision, and a lenient parser would make "Admin " mean something.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("%w %q: want one of owner, admin, editor, author, viewer", ErrUnknownRole, s)
	}
	return r, nil
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return slices.Contains(allRoles, r) }

// rank orders roles so that a higher number can do more. Unknown roles get
// zero, which is below every known role.
func (r Role) rank() int {
	i := slices.Index(allRoles, r)
	if i < 0 {
		return 0
	}
	return len(allRoles) - i
}

// AtLeast reports whether r is floor or a more powerful role
// (viewer < author < editor < admin < owner). It is false whenever either
// role is unknown, so a typo in a role never grants anything.
func (r Role) AtLeast(floor Role) bool {
	return r.Valid() && floor.Valid() && r.rank() >= floor.rank()
}

// CanManageMembers reports whether r may invite, remove and change the role
// of members.
func (r Role) CanManageMembers() bool { return r.AtLeast(Admin) }

// CanManageChannels reports whether r may connect and disconnect social
// network channels, which hold the workspace's credentials.
func (r Role) CanManageChannels() bool { return r.AtLeast(Admin) }

// CanManageSettings reports whether r may change workspace settings,
// including the approval policy.
func (r Role) CanManageSettings() bool { return r.AtLeast(Admin) }

// CanWritePosts reports whether r may create posts. Whether r may change a
// particular post is decided by Apply, which also knows who wrote it.
func (r Role) CanWritePosts() bool { return r.AtLeast(Author) }

// CanReview reports whether r may act on posts regardless of who wrote them:
// approve, request changes, schedule, unschedule and publish now.
func (r Role) CanReview() bool { return r.AtLeast(Editor) }

// CanComment reports whether r may comment on posts. Every member may, since
// feedback from people who cannot edit is the point of a shared calendar.
func (r Role) CanComment() bool { return r.AtLeast(Viewer) }
