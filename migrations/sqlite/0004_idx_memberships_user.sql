-- index on memberships
CREATE INDEX IF NOT EXISTS idx_memberships_user ON memberships (user_id);
