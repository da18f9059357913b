-- create_media: uploaded attachments. The bytes live in media_chunks, in the database, so every
-- herald process sharing one database can serve them; token is the unguessable part of the
-- public URL (/media/{token}.{ext}) that networks fetch without a session.
CREATE TABLE IF NOT EXISTS media (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(16) NOT NULL,
  mime VARCHAR(100) NOT NULL,
  file_name VARCHAR(255) NOT NULL DEFAULT '',
  size_bytes BIGINT NOT NULL,
  width INT NOT NULL DEFAULT 0,
  height INT NOT NULL DEFAULT 0,
  sha256 CHAR(64) NOT NULL,
  chunk_size INT NOT NULL,
  chunks INT NOT NULL,
  thumb_mime VARCHAR(100) NOT NULL DEFAULT '',
  thumb MEDIUMBLOB NULL,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uq_media_token (token),
  KEY idx_media_workspace (workspace_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
