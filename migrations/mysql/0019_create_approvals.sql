-- approvals
CREATE TABLE IF NOT EXISTS approvals (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  reviewer_id BIGINT NOT NULL,
  decision VARCHAR(24) NOT NULL,
  note MEDIUMTEXT NULL,
  revision INTEGER NOT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_approvals_post FOREIGN KEY (post_id) REFERENCES posts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
