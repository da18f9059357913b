-- index on invitations
CREATE INDEX IF NOT EXISTS idx_invitations_workspace ON invitations (workspace_id, id);
