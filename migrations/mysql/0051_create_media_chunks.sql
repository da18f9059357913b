-- create_media_chunks: an upload's bytes in pieces of at most 1 MiB, so no row is larger than
-- MySQL's max_allowed_packet (16 MiB by default on MariaDB) whatever the file's size.
CREATE TABLE IF NOT EXISTS media_chunks (
  media_id BIGINT NOT NULL,
  seq INT NOT NULL,
  workspace_id BIGINT NOT NULL,
  data MEDIUMBLOB NOT NULL,
  PRIMARY KEY (media_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
