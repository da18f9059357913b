-- index on channels
CREATE INDEX idx_channels_workspace ON channels (workspace_id, id);
