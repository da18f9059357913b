-- approval deadlines and submit checks of a workspace
CREATE TABLE IF NOT EXISTS review_settings (
  workspace_id BIGINT NOT NULL PRIMARY KEY,
  approval_lead_minutes INTEGER NOT NULL DEFAULT 0,
  reminder_minutes INTEGER NOT NULL DEFAULT 0,
  duplicate_window_days INTEGER NOT NULL DEFAULT 0,
  duplicate_similarity INTEGER NOT NULL DEFAULT 90,
  conflict_window_minutes INTEGER NOT NULL DEFAULT 0,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_review_settings_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
