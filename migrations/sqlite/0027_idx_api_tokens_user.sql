-- index on api_tokens
CREATE INDEX IF NOT EXISTS idx_api_tokens_user ON api_tokens (user_id);
