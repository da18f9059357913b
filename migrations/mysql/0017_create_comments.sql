-- comments
CREATE TABLE IF NOT EXISTS comments (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  body MEDIUMTEXT NOT NULL,
  mentions MEDIUMTEXT NULL,
  created_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_comments_post FOREIGN KEY (post_id) REFERENCES posts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
