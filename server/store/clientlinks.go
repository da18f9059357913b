package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CreateClientLink stores a client review link for postIDs (posts of the link's workspace).
func (s *Store) CreateClientLink(ctx context.Context, l *ClientLink, postIDs []int64, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var found []int64
		if err := db.Model(&Post{}).Where("workspace_id = ? AND id IN ?", l.WorkspaceID, postIDs).Pluck("id", &found).Error; err != nil {
			return err
		}
		ok := map[int64]bool{}
		for _, id := range found {
			ok[id] = true
		}
		for i, id := range postIDs {
			if !ok[id] {
				return invalid(fmt.Sprintf("post_ids[%d]", i), "no such post in this workspace")
			}
		}
		if err := db.Omit("PostIDs").Create(l).Error; err != nil {
			return err
		}
		for _, id := range postIDs {
			if err := db.Create(&ClientLinkPost{LinkID: l.ID, PostID: id, WorkspaceID: l.WorkspaceID}).Error; err != nil {
				return err
			}
		}
		l.PostIDs = postIDs
		return s.audit(db, l.WorkspaceID, a, "client_link.created", "client_link", l.ID,
			fmt.Sprintf("%s: %d post(s), until %s", l.Name, len(postIDs), l.ExpiresAt.UTC().Format(time.RFC3339)))
	})
}

// withPosts fills the links' PostIDs.
func (s *Store) withPosts(db *gorm.DB, links []ClientLink) error {
	if len(links) == 0 {
		return nil
	}
	ids := make([]int64, len(links))
	for i := range links {
		ids[i] = links[i].ID
	}
	var rows []ClientLinkPost
	if err := db.Where("link_id IN ?", ids).Order("link_id, post_id").Find(&rows).Error; err != nil {
		return err
	}
	for i := range links {
		links[i].PostIDs = []int64{}
		for _, r := range rows {
			if r.LinkID == links[i].ID {
				links[i].PostIDs = append(links[i].PostIDs, r.PostID)
			}
		}
	}
	return nil
}

// ClientLinks lists a workspace's client links, newest first.
func (s *Store) ClientLinks(ctx context.Context, workspaceID int64) ([]ClientLink, error) {
	db := s.db.WithContext(ctx)
	var out []ClientLink
	if err := db.Where("workspace_id = ?", workspaceID).Order("id DESC").Limit(500).Find(&out).Error; err != nil {
		return nil, translate(err)
	}
	return out, translate(s.withPosts(db, out))
}

// ClientLinkByID loads one client link of a workspace.
func (s *Store) ClientLinkByID(ctx context.Context, workspaceID, id int64) (*ClientLink, error) {
	db := s.db.WithContext(ctx)
	var l ClientLink
	if err := db.Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&l).Error; err != nil {
		return nil, translate(err)
	}
	links := []ClientLink{l}
	if err := s.withPosts(db, links); err != nil {
		return nil, translate(err)
	}
	return &links[0], nil
}

// ClientLinkByToken finds a link by the hash of its token, in any workspace: the token is the
// only credential of a client page. The caller checks expiry and revocation.
func (s *Store) ClientLinkByToken(ctx context.Context, tokenHash string) (*ClientLink, error) {
	db := s.db.WithContext(ctx)
	var l ClientLink
	if err := db.Where("token_hash = ?", tokenHash).Take(&l).Error; err != nil {
		return nil, translate(err)
	}
	links := []ClientLink{l}
	if err := s.withPosts(db, links); err != nil {
		return nil, translate(err)
	}
	return &links[0], nil
}

// RevokeClientLink ends a link now; revoking twice is harmless.
func (s *Store) RevokeClientLink(ctx context.Context, workspaceID, id int64, a Actor) (*ClientLink, error) {
	var l ClientLink
	err := s.tx(ctx, func(db *gorm.DB) error {
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&l).Error; err != nil {
			return err
		}
		if l.RevokedAt != nil {
			return nil
		}
		now := s.now()
		l.RevokedAt = &now
		if err := db.Model(&ClientLink{}).Where("id = ?", l.ID).Update("revoked_at", now).Error; err != nil {
			return err
		}
		return s.audit(db, workspaceID, a, "client_link.revoked", "client_link", l.ID, l.Name)
	})
	if err != nil {
		return nil, err
	}
	return s.ClientLinkByID(ctx, workspaceID, id)
}

// TouchClientLink records that the link was used.
func (s *Store) TouchClientLink(ctx context.Context, id int64) error {
	return translate(s.db.WithContext(ctx).Model(&ClientLink{}).Where("id = ?", id).UpdateColumn("last_used_at", s.now()).Error)
}

// ClientLinkPosts loads the posts of a link, with labels and targets, in the link's order.
func (s *Store) ClientLinkPosts(ctx context.Context, l *ClientLink) ([]Post, error) {
	if len(l.PostIDs) == 0 {
		return nil, nil
	}
	var out []Post
	err := s.db.WithContext(ctx).
		Preload("Labels", func(db *gorm.DB) *gorm.DB { return db.Where("workspace_id = ?", l.WorkspaceID).Order("label") }).
		Preload("Targets", func(db *gorm.DB) *gorm.DB { return db.Where("workspace_id = ?", l.WorkspaceID).Order("id") }).
		Where("workspace_id = ? AND id IN ?", l.WorkspaceID, l.PostIDs).Order("scheduled_at, id").Find(&out).Error
	return out, translate(err)
}
