-- index on memberships
CREATE INDEX idx_memberships_user ON memberships (user_id);
