-- approvals
CREATE TABLE IF NOT EXISTS approvals (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  reviewer_id BIGINT NOT NULL,
  decision VARCHAR(24) NOT NULL,
  note TEXT NULL,
  revision INTEGER NOT NULL,
  created_at DATETIME NOT NULL,
  CONSTRAINT fk_approvals_post FOREIGN KEY (post_id) REFERENCES posts (id)
);
