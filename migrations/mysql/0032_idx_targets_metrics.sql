-- idx_targets_metrics
CREATE INDEX idx_targets_metrics ON targets (next_metrics_at);
