-- index on comments
CREATE INDEX idx_comments_post ON comments (workspace_id, post_id, id);
