-- an author's acknowledgement of a voice warning, bound to one post revision
CREATE TABLE IF NOT EXISTS voice_acknowledgements (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  revision INTEGER NOT NULL,
  finding_id VARCHAR(200) NOT NULL,
  rule VARCHAR(64) NOT NULL,
  excerpt VARCHAR(500) NOT NULL DEFAULT '',
  note VARCHAR(2000) NOT NULL,
  user_id BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  CONSTRAINT fk_voice_ack_post FOREIGN KEY (post_id) REFERENCES posts (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_voice_ack ON voice_acknowledgements (post_id, revision, finding_id);
CREATE INDEX IF NOT EXISTS idx_voice_ack_workspace ON voice_acknowledgements (workspace_id, post_id);
