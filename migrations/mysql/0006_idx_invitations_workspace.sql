-- index on invitations
CREATE INDEX idx_invitations_workspace ON invitations (workspace_id, id);
