-- create_notifications
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  post_id BIGINT NULL,
  target_id BIGINT NULL,
  channel_id BIGINT NULL,
  message VARCHAR(2000) NOT NULL,
  created_at DATETIME NOT NULL,
  read_at DATETIME NULL,
  delivered_at DATETIME NULL,
  delivery_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idx_notifications_workspace ON notifications (workspace_id, id);
CREATE INDEX IF NOT EXISTS idx_notifications_delivery ON notifications (delivered_at, id);
