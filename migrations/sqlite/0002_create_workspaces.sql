-- workspaces
CREATE TABLE IF NOT EXISTS workspaces (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(200) NOT NULL,
  time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC',
  required_approvals INTEGER NOT NULL DEFAULT 1,
  authors_may_self_approve BOOLEAN NOT NULL DEFAULT 0,
  editors_skip_review BOOLEAN NOT NULL DEFAULT 0,
  grace_period_seconds INTEGER NOT NULL DEFAULT 3600,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
