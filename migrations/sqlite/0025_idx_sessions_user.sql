-- index on sessions
CREATE INDEX IF NOT EXISTS idx_sessions_user ON sessions (user_id);
