-- index on api_tokens
CREATE INDEX idx_api_tokens_user ON api_tokens (user_id);
