package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"
)

// CreateSession stores a browser session (the caller made the token and passes its hash).
func (s *Store) CreateSession(ctx context.Context, sess *Session) error {
	return translate(s.db.WithContext(ctx).Create(sess).Error)
}

// SessionByTokenHash finds a live session and its user.
func (s *Store) SessionByTokenHash(ctx context.Context, hash string) (*Session, *User, error) {
	var sess Session
	if err := s.db.WithContext(ctx).Where("token_hash = ? AND expires_at > ?", hash, s.now()).Take(&sess).Error; err != nil {
		return nil, nil, translate(err)
	}
	u, err := s.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &sess, u, nil
}

// TouchSession extends a session's idle expiry; callers do it at most once a minute per session
// so reads do not turn into writes.
func (s *Store) TouchSession(ctx context.Context, id int64, expires time.Time) error {
	return translate(s.db.WithContext(ctx).Model(&Session{}).Where("id = ?", id).
		Updates(map[string]any{"last_seen_at": s.now(), "expires_at": expires.UTC()}).Error)
}

// DeleteSession signs a session out.
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	return translate(s.db.WithContext(ctx).Delete(&Session{}, id).Error)
}

// DeleteExpiredSessions removes sessions past their expiry and reports how many.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", s.now()).Delete(&Session{})
	return res.RowsAffected, translate(res.Error)
}

// CreateAPIToken stores a personal access token's hash.
func (s *Store) CreateAPIToken(ctx context.Context, t *APIToken) error {
	return translate(s.db.WithContext(ctx).Create(t).Error)
}

// APITokenByHash finds a live token and its user.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (*APIToken, *User, error) {
	var t APIToken
	err := s.db.WithContext(ctx).Where("token_hash = ? AND (expires_at IS NULL OR expires_at > ?)", hash, s.now()).Take(&t).Error
	if err != nil {
		return nil, nil, translate(err)
	}
	u, err := s.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &t, u, nil
}

// TouchAPIToken records the token's last use.
func (s *Store) TouchAPIToken(ctx context.Context, id int64) error {
	return translate(s.db.WithContext(ctx).Model(&APIToken{}).Where("id = ?", id).Update("last_used_at", s.now()).Error)
}

// APITokens lists a user's tokens.
func (s *Store) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	var out []APIToken
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Find(&out).Error
	return out, translate(err)
}

// DeleteAPIToken revokes one of the user's tokens.
func (s *Store) DeleteAPIToken(ctx context.Context, userID, id int64) error {
	res := s.db.WithContext(ctx).Where("user_id = ? AND id = ?", userID, id).Delete(&APIToken{})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// Heartbeat records that a worker is alive, inserting its row the first time. It is one
// upsert: an update-then-insert takes a gap lock at REPEATABLE READ, and two workers starting
// together deadlocked on it.
func (s *Store) Heartbeat(ctx context.Context, w *Worker) error {
	now := s.now()
	w.HeartbeatAt = now
	if w.StartedAt.IsZero() {
		w.StartedAt = now
	}
	w.StoppedAt = nil
	return translate(s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.Assignments(map[string]any{"heartbeat_at": now, "stopped_at": nil}),
	}).Create(w).Error)
}

// StopWorker marks a worker stopped on clean shutdown.
func (s *Store) StopWorker(ctx context.Context, id string) error {
	return translate(s.db.WithContext(ctx).Model(&Worker{}).Where("id = ?", id).Update("stopped_at", s.now()).Error)
}

// Workers lists workers seen since the given time, newest heartbeat first.
func (s *Store) Workers(ctx context.Context, since time.Time) ([]Worker, error) {
	var out []Worker
	err := s.db.WithContext(ctx).Where("heartbeat_at >= ?", since.UTC()).Order("heartbeat_at DESC").Find(&out).Error
	return out, translate(err)
}
