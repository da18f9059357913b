package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// CreateComment adds an internal note to a post (the caller resolved the mentions).
func (s *Store) CreateComment(ctx context.Context, c *Comment, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var n int64
		if err := db.Model(&Post{}).Where("workspace_id = ? AND id = ?", c.WorkspaceID, c.PostID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		if err := db.Create(c).Error; err != nil {
			return err
		}
		summary := "commented"
		if len(c.Mentions) > 0 {
			summary = fmt.Sprintf("commented, mentioning %d member(s)", len(c.Mentions))
		}
		return s.audit(db, c.WorkspaceID, a, "comment.created", "post", c.PostID, summary)
	})
}

// Comments lists a post's comments, oldest first, after afterID (for paging).
func (s *Store) Comments(ctx context.Context, workspaceID, postID, afterID int64, limit int) ([]Comment, bool, error) {
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	var out []Comment
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND post_id = ? AND id > ?", workspaceID, postID, afterID).
		Order("id").Limit(limit + 1).Find(&out).Error
	if err != nil {
		return nil, false, translate(err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// AuditFilter selects audit events: a workspace's, or one entity's when EntityType is set.
type AuditFilter struct {
	WorkspaceID int64
	EntityType  string
	EntityID    int64
	BeforeID    int64
	Limit       int
}

// AuditEvents lists events newest first.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter) ([]AuditEvent, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 100
	}
	q := s.db.WithContext(ctx).Where("workspace_id = ?", f.WorkspaceID)
	if f.EntityType != "" {
		q = q.Where("entity_type = ? AND entity_id = ?", f.EntityType, f.EntityID)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var out []AuditEvent
	if err := q.Order("id DESC").Limit(f.Limit + 1).Find(&out).Error; err != nil {
		return nil, false, translate(err)
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}
