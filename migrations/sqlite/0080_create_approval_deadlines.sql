-- what the deadline sweep did for a post at one planned time
CREATE TABLE IF NOT EXISTS approval_deadlines (
  post_id BIGINT NOT NULL,
  workspace_id BIGINT NOT NULL,
  planned_at DATETIME NOT NULL,
  reminded_at DATETIME NULL,
  missed_at DATETIME NULL,
  PRIMARY KEY (post_id, planned_at),
  CONSTRAINT fk_approval_deadlines_post FOREIGN KEY (post_id) REFERENCES posts (id)
);
