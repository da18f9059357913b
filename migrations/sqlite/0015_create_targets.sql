-- targets
CREATE TABLE IF NOT EXISTS targets (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  channel_id BIGINT NOT NULL,
  text_override TEXT NULL,
  media TEXT NULL,
  first_comment TEXT NULL,
  status VARCHAR(24) NOT NULL DEFAULT 'pending',
  idempotency_key CHAR(36) NOT NULL,
  external_id VARCHAR(255) NOT NULL DEFAULT '',
  external_url VARCHAR(1000) NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NULL,
  published_at DATETIME NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT uq_targets_post_channel UNIQUE (post_id, channel_id),
  CONSTRAINT uq_targets_idempotency UNIQUE (idempotency_key),
  CONSTRAINT fk_targets_post FOREIGN KEY (post_id) REFERENCES posts (id),
  CONSTRAINT fk_targets_channel FOREIGN KEY (channel_id) REFERENCES channels (id)
);
