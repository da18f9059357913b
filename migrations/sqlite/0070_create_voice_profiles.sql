-- the brand voice profile of a workspace, one JSON document
CREATE TABLE IF NOT EXISTS voice_profiles (
  workspace_id BIGINT NOT NULL PRIMARY KEY,
  profile TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  updated_by BIGINT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  CONSTRAINT fk_voice_profiles_workspace FOREIGN KEY (workspace_id) REFERENCES workspaces (id)
);
