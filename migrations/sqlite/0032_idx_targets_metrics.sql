-- idx_targets_metrics
CREATE INDEX IF NOT EXISTS idx_targets_metrics ON targets (next_metrics_at);
