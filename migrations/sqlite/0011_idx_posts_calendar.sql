-- index on posts
CREATE INDEX IF NOT EXISTS idx_posts_calendar ON posts (workspace_id, scheduled_at, id);
