package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// ClaimMetrics takes up to limit published targets whose next engagement reading is due, and
// moves each one's next reading along the schedule in the same transaction, so two workers never
// read the same target twice for one step. It returns the targets as they were.
func (s *Store) ClaimMetrics(ctx context.Context, now time.Time, limit int) ([]Target, error) {
	var ts []Target
	err := s.claimTx(ctx, func(db *gorm.DB) error {
		q := db.Where("next_metrics_at <= ?", dbTime(now)).Order("next_metrics_at, id").Limit(limit)
		if s.dialect == MySQL {
			q = q.Clauses(skipLocked)
		}
		if err := q.Find(&ts).Error; err != nil {
			return err
		}
		for _, t := range ts {
			step := t.MetricsStep + 1
			var next any
			if step < len(MetricsSchedule) && t.PublishedAt != nil {
				n := t.PublishedAt.Add(MetricsSchedule[step]).UTC()
				if n.Before(now) {
					// After downtime, skip readings that are already past rather than firing them all.
					n = now.Add(MetricsSchedule[0]).UTC()
				}
				next = n
			}
			if err := db.Model(&Target{}).Where("id = ?", t.ID).Updates(map[string]any{"next_metrics_at": next, "metrics_step": step}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return ts, err
}

// SaveSnapshots stores engagement readings.
func (s *Store) SaveSnapshots(ctx context.Context, snaps []EngagementSnapshot) error {
	if len(snaps) == 0 {
		return nil
	}
	return translate(s.db.WithContext(ctx).CreateInBatches(&snaps, 200).Error)
}

// Snapshots lists a post's engagement history, per target, oldest first.
func (s *Store) Snapshots(ctx context.Context, workspaceID, postID int64) ([]EngagementSnapshot, error) {
	var out []EngagementSnapshot
	err := s.db.WithContext(ctx).Where("workspace_id = ? AND target_id IN (?)", workspaceID,
		s.db.Model(&Target{}).Select("id").Where("workspace_id = ? AND post_id = ?", workspaceID, postID)).
		Order("target_id, taken_at").Find(&out).Error
	return out, translate(err)
}

// CreateNotification records a notification.
func (s *Store) CreateNotification(ctx context.Context, n *Notification) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.now()
	}
	return translate(s.db.WithContext(ctx).Create(n).Error)
}

// Notifications lists a workspace's notifications, newest first; unreadOnly filters.
func (s *Store) Notifications(ctx context.Context, workspaceID int64, unreadOnly bool, beforeID int64, limit int) ([]Notification, bool, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := s.db.WithContext(ctx).Where("workspace_id = ?", workspaceID)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var out []Notification
	if err := q.Order("id DESC").Limit(limit + 1).Find(&out).Error; err != nil {
		return nil, false, translate(err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// MarkNotificationRead marks one notification read.
func (s *Store) MarkNotificationRead(ctx context.Context, workspaceID, id int64) error {
	res := s.db.WithContext(ctx).Model(&Notification{}).Where("workspace_id = ? AND id = ?", workspaceID, id).
		Update("read_at", gorm.Expr("COALESCE(read_at, ?)", s.now()))
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		// MySQL counts changed rows, not matched ones, so a notification that was already read
		// reports 0 there: only a missing one is "not found".
		var n int64
		if err := s.db.WithContext(ctx).Model(&Notification{}).Where("workspace_id = ? AND id = ?", workspaceID, id).Count(&n).Error; err != nil {
			return translate(err)
		}
		if n == 0 {
			return ErrNotFound
		}
	}
	return nil
}

// PendingDeliveries returns notifications not yet delivered to webhooks or email.
func (s *Store) PendingDeliveries(ctx context.Context, limit int) ([]Notification, error) {
	var out []Notification
	err := s.db.WithContext(ctx).Where("delivered_at IS NULL AND delivery_attempts < 8").Order("id").Limit(limit).Find(&out).Error
	return out, translate(err)
}

// MarkDelivered records a delivery attempt's result.
func (s *Store) MarkDelivered(ctx context.Context, id int64, ok bool) error {
	u := map[string]any{"delivery_attempts": gorm.Expr("delivery_attempts + 1")}
	if ok {
		u["delivered_at"] = s.now()
	}
	return translate(s.db.WithContext(ctx).Model(&Notification{}).Where("id = ?", id).Updates(u).Error)
}

// SaveOAuthState stores a connect attempt.
func (s *Store) SaveOAuthState(ctx context.Context, st *OAuthState) error {
	return translate(s.db.WithContext(ctx).Create(st).Error)
}

// TakeOAuthState returns and deletes a connect attempt, so a state works once. Expired or unknown
// states are ErrNotFound.
func (s *Store) TakeOAuthState(ctx context.Context, hash string) (*OAuthState, error) {
	var st OAuthState
	err := s.tx(ctx, func(db *gorm.DB) error {
		if err := s.lockForUpdate(db).Where("state_hash = ?", hash).Take(&st).Error; err != nil {
			return err
		}
		if err := db.Where("state_hash = ?", hash).Delete(&OAuthState{}).Error; err != nil {
			return err
		}
		if !s.now().Before(st.ExpiresAt) {
			return ErrNotFound
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNotFound
	}
	return &st, err
}

// ChannelsExpiringBefore lists connected channels whose token expires before t, for refresh.
func (s *Store) ChannelsExpiringBefore(ctx context.Context, t time.Time, limit int) ([]Channel, error) {
	var out []Channel
	err := s.db.WithContext(ctx).Where("status = ? AND token_expires_at IS NOT NULL AND token_expires_at < ?", ChannelConnected, dbTime(t)).
		Order("token_expires_at").Limit(limit).Find(&out).Error
	return out, translate(err)
}

// TakeRefreshLease lets one worker at a time refresh a channel's token: rotating refresh tokens
// break when two refreshes race.
func (s *Store) TakeRefreshLease(ctx context.Context, channelID int64, now time.Time, d time.Duration) (bool, error) {
	res := s.db.WithContext(ctx).Model(&Channel{}).
		Where("id = ? AND (refresh_lease_until IS NULL OR refresh_lease_until < ?)", channelID, dbTime(now)).
		Update("refresh_lease_until", now.Add(d).UTC())
	return res.RowsAffected == 1, translate(res.Error)
}

// ChannelByID loads a channel without a workspace scope, for the scheduler only.
func (s *Store) ChannelByID(ctx context.Context, id int64) (*Channel, error) {
	var c Channel
	err := s.db.WithContext(ctx).Take(&c, id).Error
	return &c, translate(err)
}

// WorkspacesWithDue lists workspaces that have pending targets due before t.
func (s *Store) WorkspacesWithDue(ctx context.Context, t time.Time) ([]int64, error) {
	var out []int64
	err := s.db.WithContext(ctx).Model(&Target{}).Distinct("workspace_id").Where("status = ? AND due_at <= ?", TargetPending, dbTime(t)).Limit(100).Pluck("workspace_id", &out).Error
	return out, translate(err)
}

// ExpiryRisk is a channel whose token expires before one of its scheduled posts.
type ExpiryRisk struct {
	Channel Channel
	FirstAt time.Time // the first post due after the token expires
}

// ChannelsExpiringBeforeDuePosts lists connected channels whose token expires before a pending
// target of theirs is due, skipping those already warned about since warnedSince.
func (s *Store) ChannelsExpiringBeforeDuePosts(ctx context.Context, warnedSince time.Time, limit int) ([]ExpiryRisk, error) {
	var ids []int64
	err := s.db.WithContext(ctx).Table("targets").Distinct("targets.channel_id").
		Joins("JOIN channels ON channels.id = targets.channel_id").
		Where("targets.status = ? AND targets.due_at IS NOT NULL AND channels.status = ? AND channels.token_expires_at IS NOT NULL AND targets.due_at > channels.token_expires_at",
			TargetPending, ChannelConnected).
		Where("NOT EXISTS (?)", s.db.Model(&Notification{}).Select("1").
			Where("notifications.channel_id = targets.channel_id AND notifications.kind = ? AND notifications.created_at >= ?", NotifyTokenExpiring, warnedSince.UTC())).
		Limit(limit).Pluck("targets.channel_id", &ids).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]ExpiryRisk, 0, len(ids))
	for _, id := range ids {
		c, err := s.ChannelByID(ctx, id)
		if err != nil || c.TokenExpiresAt == nil {
			continue
		}
		// The aggregate MIN(due_at) comes back untyped from SQLite, so the first post is read as a row.
		var t Target
		if err := s.db.WithContext(ctx).Select("due_at").Where("channel_id = ? AND status = ? AND due_at > ?", id, TargetPending, dbTime(*c.TokenExpiresAt)).
			Order("due_at").Take(&t).Error; err != nil || t.DueAt == nil {
			continue
		}
		out = append(out, ExpiryRisk{Channel: *c, FirstAt: *t.DueAt})
	}
	return out, nil
}

// PeekOAuthState returns a connect attempt without consuming it (an account choice waiting for
// the person), or ErrNotFound when it is unknown or expired.
func (s *Store) PeekOAuthState(ctx context.Context, hash string) (*OAuthState, error) {
	var st OAuthState
	err := s.db.WithContext(ctx).Where("state_hash = ?", hash).Take(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || err == nil && !s.now().Before(st.ExpiresAt) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, translate(err)
	}
	return &st, nil
}

// NotifyOnce records n unless the workspace already has a notification of the same kind for the
// same channel created since since; it reports whether n was recorded. The channel's row is
// locked meanwhile, so two workers cannot both record it.
func (s *Store) NotifyOnce(ctx context.Context, n *Notification, since time.Time) (bool, error) {
	created := false
	err := s.tx(ctx, func(db *gorm.DB) error {
		created = false
		if n.ChannelID != nil {
			var c Channel
			if err := s.lockForUpdate(db).Select("id").Where("id = ?", *n.ChannelID).Take(&c).Error; err != nil {
				return err
			}
		}
		q := db.Model(&Notification{}).Where("workspace_id = ? AND kind = ? AND created_at >= ?", n.WorkspaceID, n.Kind, dbTime(since))
		if n.ChannelID != nil {
			q = q.Where("channel_id = ?", *n.ChannelID)
		}
		var seen int64
		if err := q.Count(&seen).Error; err != nil || seen > 0 {
			return err
		}
		n.CreatedAt = s.now()
		n.Message = truncate(n.Message, 2000)
		created = true
		return db.Create(n).Error
	})
	return created, err
}
