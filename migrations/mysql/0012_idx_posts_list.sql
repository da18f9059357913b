-- index on posts
CREATE INDEX idx_posts_list ON posts (workspace_id, id);
