-- an author's acknowledgement of a voice warning, bound to one post revision
CREATE TABLE IF NOT EXISTS voice_acknowledgements (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  revision INTEGER NOT NULL,
  finding_id VARCHAR(200) NOT NULL,
  rule VARCHAR(64) NOT NULL,
  excerpt VARCHAR(500) NOT NULL DEFAULT '',
  note VARCHAR(2000) NOT NULL,
  user_id BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_voice_ack (post_id, revision, finding_id),
  KEY idx_voice_ack_workspace (workspace_id, post_id),
  CONSTRAINT fk_voice_ack_post FOREIGN KEY (post_id) REFERENCES posts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
