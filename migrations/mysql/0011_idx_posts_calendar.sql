-- index on posts
CREATE INDEX idx_posts_calendar ON posts (workspace_id, scheduled_at, id);
