-- create_notifications
CREATE TABLE IF NOT EXISTS notifications (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  post_id BIGINT NULL,
  target_id BIGINT NULL,
  channel_id BIGINT NULL,
  message VARCHAR(2000) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  read_at DATETIME(6) NULL,
  delivered_at DATETIME(6) NULL,
  delivery_attempts INTEGER NOT NULL DEFAULT 0,
  KEY idx_notifications_workspace (workspace_id, id),
  KEY idx_notifications_delivery (delivered_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
