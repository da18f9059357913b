-- index on approvals
CREATE INDEX idx_approvals_post ON approvals (workspace_id, post_id, revision);
