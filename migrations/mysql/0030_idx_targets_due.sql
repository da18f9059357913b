-- idx_targets_due
-- The claim query filters status = 'pending' AND due_at <= now ORDER BY due_at, id: this index matches it exactly.
CREATE INDEX idx_targets_due ON targets (status, due_at, id);
