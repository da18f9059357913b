-- multi-step approval policies: the workspace's (label '') and per label
CREATE TABLE IF NOT EXISTS approval_policies (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  label VARCHAR(64) NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  steps TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_approval_policies_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
CREATE INDEX IF NOT EXISTS idx_approval_policies_workspace ON approval_policies (workspace_id, position, id);
