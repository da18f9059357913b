package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/heraldhq/herald/server/workflow"
)

// Resolutions a person can give a target that needs one.
const (
	ResolvePublished = "published" // it is on the network after all (optionally with its URL)
	ResolveRetry     = "retry"     // publish it again now
	ResolveFailed    = "failed"    // give up on it
)

// ResolveTarget records a person's decision on an unconfirmed, missed or failed target and
// settles the post again.
func (s *Store) ResolveTarget(ctx context.Context, workspaceID, postID, targetID int64, outcome, url string, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var p Post
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", workspaceID, postID).Take(&p).Error; err != nil {
			return err
		}
		var t Target
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND post_id = ? AND id = ?", workspaceID, postID, targetID).Take(&t).Error; err != nil {
			return err
		}
		switch t.Status {
		case TargetUnconfirmed, TargetMissed, TargetFailed:
		default:
			return &ValidationError{Fields: map[string]string{"outcome": fmt.Sprintf("only unconfirmed, missed or failed targets can be resolved; this one is %s", t.Status)}}
		}
		now := s.now()
		changes := map[string]any{"updated_at": now, "lease_owner": "", "lease_expires_at": nil}
		switch outcome {
		case ResolvePublished:
			changes["status"], changes["published_at"], changes["last_error"], changes["error_kind"] = TargetPublished, now, nil, ""
			if url != "" {
				changes["external_url"] = url
			}
		case ResolveRetry:
			changes["status"], changes["due_at"], changes["attempts"], changes["last_error"], changes["error_kind"] = TargetPending, now, 0, nil, ""
		case ResolveFailed:
			changes["status"] = TargetFailed
		default:
			return &ValidationError{Fields: map[string]string{"outcome": "must be published, retry or failed"}}
		}
		if err := db.Model(&Target{}).Where("id = ?", t.ID).Updates(changes).Error; err != nil {
			return err
		}
		if err := s.audit(db, workspaceID, a, "target.resolved", "post", p.ID, fmt.Sprintf("channel %d: %s → %s", t.ChannelID, t.Status, outcome)); err != nil {
			return err
		}
		// A settled post whose target is back in play (or newly known published) is publishing
		// again until every target is final; settlePost then decides its status anew.
		switch workflow.Status(p.Status) {
		case workflow.Failed, workflow.PartiallyPublished, workflow.Published:
			if err := db.Model(&Post{}).Where("id = ?", p.ID).Updates(map[string]any{"status": string(workflow.Publishing), "updated_at": now}).Error; err != nil {
				return err
			}
			p.Status = string(workflow.Publishing)
		}
		return s.settlePosts(db, []*Post{&p})
	})
}

// ChannelByExternalID finds a workspace's channel for an account, so connecting the same account
// again updates it rather than adding a duplicate.
func (s *Store) ChannelByExternalID(ctx context.Context, workspaceID int64, network, externalID string) (*Channel, error) {
	var c Channel
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND network = ? AND external_id = ?", workspaceID, network, externalID).Take(&c).Error
	return &c, translate(err)
}

// Reconnect stores fresh credentials for a channel, marks it connected and releases its held
// posts, in one transaction.
func (s *Store) Reconnect(ctx context.Context, workspaceID, channelID int64, sealed, keyID string, expiry *time.Time, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		res := db.Model(&Channel{}).Where("workspace_id = ? AND id = ?", workspaceID, channelID).Updates(map[string]any{
			"credentials": sealed, "credentials_key_id": keyID, "token_expires_at": utcPtr(expiry), "status": ChannelConnected,
			"status_reason": "", "rate_limited_until": nil, "updated_at": s.now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		if err := db.Model(&Target{}).Where("workspace_id = ? AND channel_id = ? AND status = ?", workspaceID, channelID, TargetHeld).
			Updates(map[string]any{"status": TargetPending, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.audit(db, workspaceID, a, "channel.connected", "channel", channelID, "connected")
	})
}
