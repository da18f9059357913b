-- idx_targets_lease
CREATE INDEX IF NOT EXISTS idx_targets_lease ON targets (status, lease_expires_at);
