-- index for the approval deadline sweep: open posts by planned time
CREATE INDEX IF NOT EXISTS idx_posts_review_due ON posts (status, scheduled_at);
