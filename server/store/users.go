package store

import (
	"context"
	"strings"

	"gorm.io/gorm"
)

// NormalizeEmail lower-cases and trims an address so sign-in and uniqueness ignore case.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// CreateUser inserts a user; ErrDuplicate when the email is taken.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	u.Email = NormalizeEmail(u.Email)
	return translate(s.db.WithContext(ctx).Create(u).Error)
}

// UserByEmail finds a user by address.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).Take(&u).Error
	return &u, translate(err)
}

// UserByID finds a user.
func (s *Store) UserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	err := s.db.WithContext(ctx).Take(&u, id).Error
	return &u, translate(err)
}

// SetPassword stores a new hash and, because a password change should end other sign-ins,
// deletes the user's sessions except keepSession (0 keeps none). A negative keepSession keeps
// them all: that is for re-hashing the same password under new cost parameters at sign-in, which
// must not sign the user out elsewhere.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, keepSession int64) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		res := db.Model(&User{}).Where("id = ?", userID).Updates(map[string]any{"password_hash": hash, "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if keepSession < 0 {
			return nil
		}
		return db.Where("user_id = ? AND id <> ?", userID, keepSession).Delete(&Session{}).Error
	})
}

// UpdateUserName changes the display name.
func (s *Store) UpdateUserName(ctx context.Context, userID int64, name string) error {
	return translate(s.db.WithContext(ctx).Model(&User{}).Where("id = ?", userID).
		Updates(map[string]any{"name": name, "updated_at": s.now()}).Error)
}
