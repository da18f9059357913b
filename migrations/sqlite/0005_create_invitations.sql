-- invitations
CREATE TABLE IF NOT EXISTS invitations (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  email VARCHAR(254) NOT NULL,
  role VARCHAR(16) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  invited_by BIGINT NOT NULL,
  expires_at DATETIME NOT NULL,
  accepted_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  CONSTRAINT uq_invitations_token UNIQUE (token_hash),
  CONSTRAINT fk_invitations_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
