-- index on posts
CREATE INDEX IF NOT EXISTS idx_posts_list ON posts (workspace_id, id);
