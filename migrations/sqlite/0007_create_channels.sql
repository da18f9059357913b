-- channels
CREATE TABLE IF NOT EXISTS channels (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  network VARCHAR(32) NOT NULL,
  name VARCHAR(200) NOT NULL,
  handle VARCHAR(200) NOT NULL DEFAULT '',
  avatar_url VARCHAR(1000) NOT NULL DEFAULT '',
  external_id VARCHAR(255) NOT NULL DEFAULT '',
  time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
  paused BOOLEAN NOT NULL DEFAULT 0,
  status VARCHAR(24) NOT NULL DEFAULT 'disconnected',
  credentials TEXT NULL,
  credentials_key_id VARCHAR(64) NOT NULL DEFAULT '',
  token_expires_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_channels_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
