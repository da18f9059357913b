-- index on audit_events
CREATE INDEX idx_audit_workspace ON audit_events (workspace_id, id);
