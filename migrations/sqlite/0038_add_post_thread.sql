-- add_post_thread
-- The later parts of a thread (JSON: [{"text":…,"media":[…]}]), published as replies to the first.
ALTER TABLE posts ADD COLUMN thread TEXT NULL;
