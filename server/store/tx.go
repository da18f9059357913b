package store

import (
	"context"
	"errors"
	"time"

	"github.com/go-sql-driver/mysql"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// tx runs fn in a transaction. On SQLite the transaction is IMMEDIATE (see the DSN), so it holds
// the write lock from the start; on MySQL, rows that will be changed are read with lockForUpdate.
//
// A MySQL deadlock (1213) or lock-wait timeout (1205) rolls the whole transaction back, so it is
// retried from the start, a few times with a short pause: fn must only set the caller's variables
// from what it reads, as every fn here does.
func (s *Store) tx(ctx context.Context, fn func(db *gorm.DB) error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = s.db.WithContext(ctx).Transaction(fn)
		if !retryable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return translate(err)
		case <-time.After(time.Duration(5*(attempt+1)) * time.Millisecond):
		}
	}
	return translate(err)
}

// retryable recognises MySQL errors after which the transaction can simply run again.
func retryable(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// lockForUpdate adds FOR UPDATE on MySQL; SQLite has no row locks and needs none, since an
// immediate transaction already excludes other writers.
func (s *Store) lockForUpdate(db *gorm.DB) *gorm.DB {
	if s.dialect == MySQL {
		return db.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return db
}

// Actor is who performs a change, for permissions and the audit log.
type Actor struct {
	UserID int64
	Label  string // shown in the audit log, e.g. the user's name, "API token ci-bot" or "scheduler"
}

func (a Actor) id() *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}

// audit writes one audit event inside the caller's transaction.
func (s *Store) audit(db *gorm.DB, ws int64, a Actor, action, entity string, entityID int64, summary string) error {
	ev := s.auditEvent(ws, a, action, entity, entityID, summary)
	return db.Create(&ev).Error
}

// auditEvent makes an audit event, for callers that write many at once.
func (s *Store) auditEvent(ws int64, a Actor, action, entity string, entityID int64, summary string) AuditEvent {
	// The columns hold 1000 and 200 characters (not bytes) on MySQL, which refuses longer values
	// and text cut inside a character; the label can be a 200-character name plus a token's name.
	return AuditEvent{
		WorkspaceID: ws, ActorID: a.id(), ActorLabel: truncate(a.Label, 200), Action: action,
		EntityType: entity, EntityID: entityID, Summary: truncate(summary, 1000), At: s.now(),
	}
}

// skipLocked makes a MySQL locking read skip rows other transactions hold.
var skipLocked = clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}
