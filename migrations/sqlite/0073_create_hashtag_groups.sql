-- named groups of hashtags
CREATE TABLE IF NOT EXISTS hashtag_groups (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  tags TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_hashtag_groups_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_hashtag_groups_name ON hashtag_groups (workspace_id, name);
