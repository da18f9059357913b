-- index on targets
CREATE INDEX IF NOT EXISTS idx_targets_channel ON targets (workspace_id, channel_id, post_id);
