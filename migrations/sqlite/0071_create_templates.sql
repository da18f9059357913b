-- saved post templates
CREATE TABLE IF NOT EXISTS templates (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  body TEXT NOT NULL,
  variants TEXT NULL,
  labels TEXT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_templates_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
CREATE INDEX IF NOT EXISTS idx_templates_workspace ON templates (workspace_id, id);
