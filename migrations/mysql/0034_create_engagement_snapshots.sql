-- create_engagement_snapshots
CREATE TABLE IF NOT EXISTS engagement_snapshots (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  target_id BIGINT NOT NULL,
  taken_at DATETIME(6) NOT NULL,
  likes BIGINT NULL,
  reposts BIGINT NULL,
  replies BIGINT NULL,
  quotes BIGINT NULL,
  impressions BIGINT NULL,
  clicks BIGINT NULL,
  KEY idx_snapshots_target (workspace_id, target_id, taken_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
