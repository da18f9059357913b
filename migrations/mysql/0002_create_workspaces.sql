-- workspaces
CREATE TABLE IF NOT EXISTS workspaces (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
  required_approvals INTEGER NOT NULL DEFAULT 1,
  authors_may_self_approve BOOLEAN NOT NULL DEFAULT 0,
  editors_skip_review BOOLEAN NOT NULL DEFAULT 0,
  grace_period_seconds INTEGER NOT NULL DEFAULT 3600,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
