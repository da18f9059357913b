-- index on post_labels
CREATE INDEX IF NOT EXISTS idx_post_labels_label ON post_labels (workspace_id, label, post_id);
