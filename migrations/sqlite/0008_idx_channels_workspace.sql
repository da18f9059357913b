-- index on channels
CREATE INDEX IF NOT EXISTS idx_channels_workspace ON channels (workspace_id, id);
