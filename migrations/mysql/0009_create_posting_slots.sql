-- posting_slots
CREATE TABLE IF NOT EXISTS posting_slots (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  workspace_id BIGINT NOT NULL,
  channel_id BIGINT NOT NULL,
  weekday INTEGER NOT NULL,
  minute_of_day INTEGER NOT NULL,
  CONSTRAINT uq_posting_slots UNIQUE (channel_id, weekday, minute_of_day),
  CONSTRAINT fk_posting_slots_channel FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
