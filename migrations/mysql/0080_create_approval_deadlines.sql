-- what the deadline sweep did for a post at one planned time
CREATE TABLE IF NOT EXISTS approval_deadlines (
  post_id BIGINT NOT NULL,
  workspace_id BIGINT NOT NULL,
  planned_at DATETIME(6) NOT NULL,
  reminded_at DATETIME(6) NULL,
  missed_at DATETIME(6) NULL,
  PRIMARY KEY (post_id, planned_at),
  CONSTRAINT fk_approval_deadlines_post FOREIGN KEY (post_id) REFERENCES posts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
