-- targets
CREATE TABLE IF NOT EXISTS targets (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  channel_id BIGINT NOT NULL,
  text_override MEDIUMTEXT NULL,
  media MEDIUMTEXT NULL,
  first_comment MEDIUMTEXT NULL,
  status VARCHAR(24) NOT NULL DEFAULT 'pending',
  idempotency_key CHAR(36) NOT NULL,
  external_id VARCHAR(255) NOT NULL DEFAULT '',
  external_url VARCHAR(1000) NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error MEDIUMTEXT NULL,
  published_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_targets_post_channel UNIQUE (post_id, channel_id),
  CONSTRAINT uq_targets_idempotency UNIQUE (idempotency_key),
  CONSTRAINT fk_targets_post FOREIGN KEY (post_id) REFERENCES posts (id),
  CONSTRAINT fk_targets_channel FOREIGN KEY (channel_id) REFERENCES channels (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
