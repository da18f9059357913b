package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
)

// WorkspaceWithRole is a workspace as one member sees it.
type WorkspaceWithRole struct {
	Workspace
	Role string
}

// CreateWorkspace creates a workspace with ownerID as its owner.
func (s *Store) CreateWorkspace(ctx context.Context, w *Workspace, ownerID int64, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		if err := db.Create(w).Error; err != nil {
			return err
		}
		m := Membership{WorkspaceID: w.ID, UserID: ownerID, Role: "owner"}
		if err := db.Create(&m).Error; err != nil {
			return err
		}
		return s.audit(db, w.ID, a, "workspace.created", "workspace", w.ID, "created workspace "+w.Name)
	})
}

// WorkspacesForUser lists the workspaces a user belongs to, with their role, by name.
func (s *Store) WorkspacesForUser(ctx context.Context, userID int64) ([]WorkspaceWithRole, error) {
	var out []WorkspaceWithRole
	err := s.db.WithContext(ctx).Table("workspaces").
		Select("workspaces.*, memberships.role AS role").
		Joins("JOIN memberships ON memberships.workspace_id = workspaces.id").
		Where("memberships.user_id = ?", userID).
		Order("workspaces.name, workspaces.id").Scan(&out).Error
	return out, translate(err)
}

// Workspace loads one workspace.
func (s *Store) Workspace(ctx context.Context, id int64) (*Workspace, error) {
	var w Workspace
	err := s.db.WithContext(ctx).Take(&w, id).Error
	return &w, translate(err)
}

// Role returns the user's role in a workspace, or ErrNotFound when they are not a member.
func (s *Store) Role(ctx context.Context, workspaceID, userID int64) (string, error) {
	var m Membership
	err := s.db.WithContext(ctx).Select("role").Where("workspace_id = ? AND user_id = ?", workspaceID, userID).Take(&m).Error
	return m.Role, translate(err)
}

// WorkspaceUpdate holds the settable fields; nil means unchanged.
type WorkspaceUpdate struct {
	Name                  *string
	TimeZone              *string
	RequiredApprovals     *int
	AuthorsMaySelfApprove *bool
	EditorsSkipReview     *bool
	GracePeriodSeconds    *int
}

// UpdateWorkspace applies the changes and audits them.
func (s *Store) UpdateWorkspace(ctx context.Context, id int64, u WorkspaceUpdate, a Actor) (*Workspace, error) {
	var w Workspace
	err := s.tx(ctx, func(db *gorm.DB) error {
		if err := s.lockForUpdate(db).Take(&w, id).Error; err != nil {
			return err
		}
		changes := map[string]any{}
		set := func(col string, v any) { changes[col] = v }
		if u.Name != nil {
			set("name", *u.Name)
		}
		if u.TimeZone != nil {
			set("time_zone", *u.TimeZone)
		}
		if u.RequiredApprovals != nil {
			set("required_approvals", *u.RequiredApprovals)
		}
		if u.AuthorsMaySelfApprove != nil {
			set("authors_may_self_approve", *u.AuthorsMaySelfApprove)
		}
		if u.EditorsSkipReview != nil {
			set("editors_skip_review", *u.EditorsSkipReview)
		}
		if u.GracePeriodSeconds != nil {
			set("grace_period_seconds", *u.GracePeriodSeconds)
		}
		if len(changes) == 0 {
			return nil
		}
		changes["updated_at"] = s.now()
		if err := db.Model(&w).Updates(changes).Error; err != nil {
			return err
		}
		delete(changes, "updated_at")
		return s.audit(db, id, a, "workspace.updated", "workspace", id, fmt.Sprintf("changed %s", keysOf(changes)))
	})
	return &w, err
}

// Member is a membership joined with its user, for member lists.
type Member struct {
	UserID    int64
	Email     string
	Name      string
	Role      string
	CreatedAt time.Time
}

// Members lists a workspace's members by name.
func (s *Store) Members(ctx context.Context, workspaceID int64) ([]Member, error) {
	var out []Member
	err := s.db.WithContext(ctx).Table("memberships").
		Select("users.id AS user_id, users.email, users.name, memberships.role, memberships.created_at").
		Joins("JOIN users ON users.id = memberships.user_id").
		Where("memberships.workspace_id = ?", workspaceID).
		Order("users.name, users.id").Scan(&out).Error
	return out, translate(err)
}

// AddMember adds an existing user with a role (used by invitations and the CLI).
func (s *Store) AddMember(ctx context.Context, workspaceID, userID int64, role string, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		return s.addMember(db, workspaceID, userID, role, a)
	})
}

func (s *Store) addMember(db *gorm.DB, workspaceID, userID int64, role string, a Actor) error {
	if err := db.Create(&Membership{WorkspaceID: workspaceID, UserID: userID, Role: role}).Error; err != nil {
		return err
	}
	return s.audit(db, workspaceID, a, "member.added", "user", userID, "added as "+role)
}

// SetRole changes a member's role, refusing to remove the last owner.
func (s *Store) SetRole(ctx context.Context, workspaceID, userID int64, role string, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var m Membership
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND user_id = ?", workspaceID, userID).Take(&m).Error; err != nil {
			return err
		}
		if m.Role == role {
			return nil
		}
		if m.Role == "owner" {
			if err := s.ensureAnotherOwner(db, workspaceID, userID); err != nil {
				return err
			}
		}
		if err := db.Model(&m).Updates(map[string]any{"role": role, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.audit(db, workspaceID, a, "member.role_changed", "user", userID, m.Role+" → "+role)
	})
}

// RemoveMember removes a member, refusing to remove the last owner.
func (s *Store) RemoveMember(ctx context.Context, workspaceID, userID int64, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var m Membership
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND user_id = ?", workspaceID, userID).Take(&m).Error; err != nil {
			return err
		}
		if m.Role == "owner" {
			if err := s.ensureAnotherOwner(db, workspaceID, userID); err != nil {
				return err
			}
		}
		if err := db.Delete(&m).Error; err != nil {
			return err
		}
		return s.audit(db, workspaceID, a, "member.removed", "user", userID, "removed (was "+m.Role+")")
	})
}

func (s *Store) ensureAnotherOwner(db *gorm.DB, workspaceID, userID int64) error {
	var n int64
	if err := s.lockForUpdate(db.Model(&Membership{})).Where("workspace_id = ? AND role = 'owner' AND user_id <> ?", workspaceID, userID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return ErrLastOwner
	}
	return nil
}

// CreateInvitation stores an invitation (the caller made the token and passes its hash).
func (s *Store) CreateInvitation(ctx context.Context, inv *Invitation, a Actor) error {
	inv.Email = NormalizeEmail(inv.Email)
	return s.tx(ctx, func(db *gorm.DB) error {
		if err := db.Create(inv).Error; err != nil {
			return err
		}
		return s.audit(db, inv.WorkspaceID, a, "invitation.created", "invitation", inv.ID, "invited "+inv.Email+" as "+inv.Role)
	})
}

// Invitations lists a workspace's open (unaccepted) invitations, newest first.
func (s *Store) Invitations(ctx context.Context, workspaceID int64) ([]Invitation, error) {
	var out []Invitation
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND accepted_at IS NULL", workspaceID).Order("id DESC").Find(&out).Error
	return out, translate(err)
}

// RevokeInvitation deletes an open invitation.
func (s *Store) RevokeInvitation(ctx context.Context, workspaceID, id int64, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		res := db.Where("workspace_id = ? AND id = ? AND accepted_at IS NULL", workspaceID, id).Delete(&Invitation{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return s.audit(db, workspaceID, a, "invitation.revoked", "invitation", id, "revoked")
	})
}

// ErrInvitationInvalid means the token is unknown, used or expired; one error for all three so a
// guesser learns nothing.
var ErrInvitationInvalid = errors.New("this invitation is invalid or has expired")

// AcceptInvitation turns an invitation into a membership. newUser is created when no user with the
// invitation's email exists (its Email is taken from the invitation); otherwise existingUserID
// must be that user's id. It returns the user id and workspace id.
func (s *Store) AcceptInvitation(ctx context.Context, tokenHash string, newUser *User, existingUserID int64) (int64, int64, error) {
	var uid, wsID int64
	err := s.tx(ctx, func(db *gorm.DB) error {
		var inv Invitation
		if err := s.lockForUpdate(db).Where("token_hash = ?", tokenHash).Take(&inv).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrInvitationInvalid
			}
			return err
		}
		if inv.AcceptedAt != nil || !s.now().Before(inv.ExpiresAt) {
			return ErrInvitationInvalid
		}
		var existing User
		err := db.Where("email = ?", inv.Email).Take(&existing).Error
		switch {
		case err == nil:
			if existingUserID != existing.ID {
				return &ValidationError{Fields: map[string]string{"token": "sign in as " + inv.Email + " to accept this invitation"}}
			}
			uid = existing.ID
		case errors.Is(err, gorm.ErrRecordNotFound):
			if newUser == nil {
				return &ValidationError{Fields: map[string]string{"password": "choose a password to create your account"}}
			}
			newUser.Email = inv.Email
			if err := db.Create(newUser).Error; err != nil {
				return err
			}
			uid = newUser.ID
		default:
			return err
		}
		now := s.now()
		if err := db.Model(&inv).Update("accepted_at", now).Error; err != nil {
			return err
		}
		wsID = inv.WorkspaceID
		var n int64
		if err := db.Model(&Membership{}).Where("workspace_id = ? AND user_id = ?", inv.WorkspaceID, uid).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		return s.addMember(db, inv.WorkspaceID, uid, inv.Role, Actor{UserID: uid, Label: inv.Email})
	})
	return uid, wsID, err
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
