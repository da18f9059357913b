-- posts
CREATE TABLE IF NOT EXISTS posts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  title VARCHAR(200) NOT NULL DEFAULT '',
  body MEDIUMTEXT NOT NULL,
  campaign VARCHAR(100) NOT NULL DEFAULT '',
  status VARCHAR(24) NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1,
  scheduled_at DATETIME(6) NULL,
  time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_posts_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
