-- posting_slots
CREATE TABLE IF NOT EXISTS posting_slots (
  id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT NOT NULL,
  channel_id BIGINT NOT NULL,
  weekday INTEGER NOT NULL,
  minute_of_day INTEGER NOT NULL,
  CONSTRAINT uq_posting_slots UNIQUE (channel_id, weekday, minute_of_day),
  CONSTRAINT fk_posting_slots_channel FOREIGN KEY (channel_id) REFERENCES channels (id) ON DELETE CASCADE
);
