-- post_labels
CREATE TABLE IF NOT EXISTS post_labels (
  post_id BIGINT NOT NULL,
  workspace_id BIGINT NOT NULL,
  label VARCHAR(64) NOT NULL,
  PRIMARY KEY (post_id, label),
  CONSTRAINT fk_post_labels_post FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
