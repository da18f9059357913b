-- posts
CREATE TABLE IF NOT EXISTS posts (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  title VARCHAR(200) NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  campaign VARCHAR(100) NOT NULL DEFAULT '',
  status VARCHAR(24) NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1,
  scheduled_at DATETIME NULL,
  time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_posts_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
