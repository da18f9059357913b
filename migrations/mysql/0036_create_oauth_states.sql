-- create_oauth_states
CREATE TABLE IF NOT EXISTS oauth_states (
  state_hash CHAR(64) NOT NULL PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  network VARCHAR(32) NOT NULL,
  channel_id BIGINT NULL,
  sealed MEDIUMTEXT NOT NULL,
  expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
