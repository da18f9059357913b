-- multi-step approval policies: the workspace's (label '') and per label
CREATE TABLE IF NOT EXISTS approval_policies (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  label VARCHAR(64) NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  steps MEDIUMTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_approval_policies_workspace (workspace_id, position, id),
  CONSTRAINT fk_approval_policies_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
