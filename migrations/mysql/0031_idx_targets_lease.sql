-- idx_targets_lease
CREATE INDEX idx_targets_lease ON targets (status, lease_expires_at);
