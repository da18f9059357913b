-- index on audit_events
CREATE INDEX idx_audit_entity ON audit_events (workspace_id, entity_type, entity_id, id);
