-- the posts a client review link shows
CREATE TABLE IF NOT EXISTS client_link_posts (
  link_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  workspace_id BIGINT NOT NULL,
  PRIMARY KEY (link_id, post_id),
  CONSTRAINT fk_client_link_posts_link FOREIGN KEY (link_id) REFERENCES client_links (id),
  CONSTRAINT fk_client_link_posts_post FOREIGN KEY (post_id) REFERENCES posts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
