-- create_post_revisions: the content of a post as it was submitted for review and as it was
-- approved, so a reviewer can see what changed since the last approved revision.
CREATE TABLE IF NOT EXISTS post_revisions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  revision INT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  actor_id BIGINT NULL,
  content MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  KEY idx_post_revisions_post (workspace_id, post_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
