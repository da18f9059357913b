package store

import (
	"context"

	"gorm.io/gorm"
)

// NotificationSettings are where a workspace's notifications go besides the app.
type NotificationSettings struct {
	WebhookURL string
	// WebhookSecret is the sealed signing secret; nil keeps the current one.
	WebhookSecret *string
	Email         string
}

// SetNotificationSettings stores a workspace's webhook and email settings and audits the change
// (never the secret).
func (s *Store) SetNotificationSettings(ctx context.Context, workspaceID int64, n NotificationSettings, a Actor) (*Workspace, error) {
	var w Workspace
	err := s.tx(ctx, func(db *gorm.DB) error {
		if err := s.lockForUpdate(db).Take(&w, workspaceID).Error; err != nil {
			return err
		}
		changes := map[string]any{"webhook_url": n.WebhookURL, "notify_email": NormalizeEmail(n.Email), "updated_at": s.now()}
		if n.WebhookSecret != nil {
			changes["webhook_secret"] = *n.WebhookSecret
		}
		if n.WebhookURL == "" {
			changes["webhook_secret"] = nil
		}
		if err := db.Model(&w).Updates(changes).Error; err != nil {
			return err
		}
		summary := "notifications: in-app"
		if n.WebhookURL != "" {
			summary += ", webhook"
		}
		if n.Email != "" {
			summary += ", email"
		}
		return s.audit(db, workspaceID, a, "workspace.notifications_changed", "workspace", workspaceID, summary)
	})
	return &w, err
}
