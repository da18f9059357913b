package store

import (
	"context"
	"fmt"
	"sort"

	"gorm.io/gorm"
)

// Sealer encrypts a channel's credentials once its id is known (the id is part of the
// ciphertext's associated data); it returns the sealed text and the id of the key used.
type Sealer func(channelID int64) (sealed, keyID string, err error)

// CreateChannel inserts a channel with its slots and, when seal is not nil, its sealed
// credentials, all in one transaction.
func (s *Store) CreateChannel(ctx context.Context, c *Channel, seal Sealer, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		slots := c.Slots
		c.Slots = nil
		if err := db.Omit("Slots").Create(c).Error; err != nil {
			return err
		}
		if seal != nil {
			sealed, kid, err := seal(c.ID)
			if err != nil {
				return err
			}
			c.Credentials, c.CredentialsKeyID = &sealed, kid
			if err := db.Model(c).Updates(map[string]any{"credentials": sealed, "credentials_key_id": kid}).Error; err != nil {
				return err
			}
		}
		if err := s.replaceSlots(db, c, slots); err != nil {
			return err
		}
		return s.audit(db, c.WorkspaceID, a, "channel.created", "channel", c.ID, fmt.Sprintf("added %s channel %s", c.Network, c.Name))
	})
}

// Channels lists a workspace's channels with their slots.
func (s *Store) Channels(ctx context.Context, workspaceID int64) ([]Channel, error) {
	var out []Channel
	err := s.db.WithContext(ctx).Preload("Slots", func(db *gorm.DB) *gorm.DB {
		return db.Where("workspace_id = ?", workspaceID).Order("weekday, minute_of_day")
	}).Where("workspace_id = ?", workspaceID).Order("name, id").Find(&out).Error
	return out, translate(err)
}

// Channel loads one channel of a workspace with its slots.
func (s *Store) Channel(ctx context.Context, workspaceID, id int64) (*Channel, error) {
	var c Channel
	err := s.db.WithContext(ctx).Preload("Slots", func(db *gorm.DB) *gorm.DB {
		return db.Where("workspace_id = ?", workspaceID).Order("weekday, minute_of_day")
	}).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&c).Error
	return &c, translate(err)
}

// ChannelUpdate holds the settable fields; nil means unchanged.
type ChannelUpdate struct {
	Name      *string
	Handle    *string
	AvatarURL *string
	TimeZone  *string
	Paused    *bool
	Status    *string
	Slots     *[]PostingSlot
	// Credentials replaces the sealed credentials (already sealed by the caller) and its key id.
	Credentials      *string
	CredentialsKeyID *string
}

// UpdateChannel applies changes and audits them; it returns the updated channel.
func (s *Store) UpdateChannel(ctx context.Context, workspaceID, id int64, u ChannelUpdate, a Actor) (*Channel, error) {
	err := s.tx(ctx, func(db *gorm.DB) error {
		var c Channel
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&c).Error; err != nil {
			return err
		}
		changes := map[string]any{}
		if u.Name != nil {
			changes["name"] = *u.Name
		}
		if u.Handle != nil {
			changes["handle"] = *u.Handle
		}
		if u.AvatarURL != nil {
			changes["avatar_url"] = *u.AvatarURL
		}
		if u.TimeZone != nil {
			changes["time_zone"] = *u.TimeZone
		}
		if u.Paused != nil {
			changes["paused"] = *u.Paused
		}
		if u.Status != nil {
			changes["status"] = *u.Status
		}
		if u.Credentials != nil {
			changes["credentials"] = *u.Credentials
		}
		if u.CredentialsKeyID != nil {
			changes["credentials_key_id"] = *u.CredentialsKeyID
		}
		action := "channel.updated"
		summary := ""
		if len(changes) > 0 {
			changes["updated_at"] = s.now()
			if err := db.Model(&c).Updates(changes).Error; err != nil {
				return err
			}
			delete(changes, "updated_at")
			// The audit names the fields, never the credentials' values.
			summary = fmt.Sprintf("changed %v", keysOf(changes))
			if u.Paused != nil && len(changes) == 1 {
				action, summary = "channel.resumed", "resumed"
				if *u.Paused {
					action, summary = "channel.paused", "paused"
				}
			}
		}
		if u.Slots != nil {
			if err := s.replaceSlots(db, &c, *u.Slots); err != nil {
				return err
			}
			if summary != "" {
				summary += "; "
			}
			summary += fmt.Sprintf("posting slots set (%d)", len(*u.Slots))
		}
		if summary == "" {
			return nil
		}
		return s.audit(db, workspaceID, a, action, "channel", id, summary)
	})
	if err != nil {
		return nil, err
	}
	return s.Channel(ctx, workspaceID, id)
}

func (s *Store) replaceSlots(db *gorm.DB, c *Channel, slots []PostingSlot) error {
	if err := db.Where("workspace_id = ? AND channel_id = ?", c.WorkspaceID, c.ID).Delete(&PostingSlot{}).Error; err != nil {
		return err
	}
	if len(slots) == 0 {
		return nil
	}
	// Sorted and de-duplicated, so the unique index never refuses a list with repeats.
	sort.Slice(slots, func(i, j int) bool {
		if slots[i].Weekday != slots[j].Weekday {
			return slots[i].Weekday < slots[j].Weekday
		}
		return slots[i].MinuteOfDay < slots[j].MinuteOfDay
	})
	uniq := slots[:0:0]
	for i, sl := range slots {
		if i > 0 && sl.Weekday == slots[i-1].Weekday && sl.MinuteOfDay == slots[i-1].MinuteOfDay {
			continue
		}
		sl.ID = 0
		sl.WorkspaceID = c.WorkspaceID
		sl.ChannelID = c.ID
		uniq = append(uniq, sl)
	}
	return db.Create(&uniq).Error
}

// DeleteChannel removes a channel that no post targets; ErrInUse otherwise (pause it instead, so
// the history of what was published stays intact).
func (s *Store) DeleteChannel(ctx context.Context, workspaceID, id int64, a Actor) error {
	return s.tx(ctx, func(db *gorm.DB) error {
		var c Channel
		if err := s.lockForUpdate(db).Where("workspace_id = ? AND id = ?", workspaceID, id).Take(&c).Error; err != nil {
			return err
		}
		var n int64
		if err := db.Model(&Target{}).Where("workspace_id = ? AND channel_id = ?", workspaceID, id).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrInUse
		}
		if err := db.Where("workspace_id = ? AND channel_id = ?", workspaceID, id).Delete(&PostingSlot{}).Error; err != nil {
			return err
		}
		if err := db.Delete(&c).Error; err != nil {
			return err
		}
		return s.audit(db, workspaceID, a, "channel.deleted", "channel", id, fmt.Sprintf("removed %s channel %s", c.Network, c.Name))
	})
}
