-- idx_targets_due
CREATE INDEX IF NOT EXISTS idx_targets_due ON targets (status, due_at, id);
