-- create_engagement_snapshots
CREATE TABLE IF NOT EXISTS engagement_snapshots (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  target_id BIGINT NOT NULL,
  taken_at DATETIME NOT NULL,
  likes BIGINT NULL,
  reposts BIGINT NULL,
  replies BIGINT NULL,
  quotes BIGINT NULL,
  impressions BIGINT NULL,
  clicks BIGINT NULL
);
CREATE INDEX IF NOT EXISTS idx_snapshots_target ON engagement_snapshots (workspace_id, target_id, taken_at);
