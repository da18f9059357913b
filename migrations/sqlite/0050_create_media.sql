-- create_media: uploaded attachments. The bytes live in media_chunks, in the database, so every
-- herald process sharing one database can serve them; token is the unguessable part of the
-- public URL (/media/{token}.{ext}) that networks fetch without a session.
CREATE TABLE IF NOT EXISTS media (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  token VARCHAR(64) NOT NULL,
  kind VARCHAR(16) NOT NULL,
  mime VARCHAR(100) NOT NULL,
  file_name VARCHAR(255) NOT NULL DEFAULT '',
  size_bytes BIGINT NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  sha256 CHAR(64) NOT NULL,
  chunk_size INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  thumb_mime VARCHAR(100) NOT NULL DEFAULT '',
  thumb BLOB NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_media_token ON media (token);
CREATE INDEX IF NOT EXISTS idx_media_workspace ON media (workspace_id, id);
