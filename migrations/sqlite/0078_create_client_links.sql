-- client review links; only the token's hash is stored
CREATE TABLE IF NOT EXISTS client_links (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  locale VARCHAR(8) NOT NULL DEFAULT 'en',
  created_by BIGINT NOT NULL,
  expires_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  last_used_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  CONSTRAINT fk_client_links_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_client_links_token ON client_links (token_hash);
CREATE INDEX IF NOT EXISTS idx_client_links_workspace ON client_links (workspace_id, id);
