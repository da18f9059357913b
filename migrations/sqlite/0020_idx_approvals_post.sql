-- index on approvals
CREATE INDEX IF NOT EXISTS idx_approvals_post ON approvals (workspace_id, post_id, revision);
