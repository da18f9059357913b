-- index on audit_events
CREATE INDEX IF NOT EXISTS idx_audit_workspace ON audit_events (workspace_id, id);
