-- text snippets inserted by a short code
CREATE TABLE IF NOT EXISTS snippets (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  code VARCHAR(32) NOT NULL,
  body TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_snippets_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_snippets_code ON snippets (workspace_id, code);
