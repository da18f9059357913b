-- saved post templates
CREATE TABLE IF NOT EXISTS templates (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  body MEDIUMTEXT NOT NULL,
  variants MEDIUMTEXT NULL,
  labels MEDIUMTEXT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_templates_workspace (workspace_id, id),
  CONSTRAINT fk_templates_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
