-- create_post_revisions: the content of a post as it was submitted for review and as it was
-- approved, so a reviewer can see what changed since the last approved revision.
CREATE TABLE IF NOT EXISTS post_revisions (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  revision INTEGER NOT NULL,
  kind VARCHAR(16) NOT NULL,
  actor_id BIGINT NULL,
  content TEXT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_post_revisions_post ON post_revisions (workspace_id, post_id, id);
