-- index on comments
CREATE INDEX IF NOT EXISTS idx_comments_post ON comments (workspace_id, post_id, id);
