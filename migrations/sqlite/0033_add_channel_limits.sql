-- add_channel_limits
ALTER TABLE channels ADD COLUMN rate_limited_until DATETIME NULL;
ALTER TABLE channels ADD COLUMN refresh_lease_until DATETIME NULL;
ALTER TABLE channels ADD COLUMN status_reason VARCHAR(1000) NOT NULL DEFAULT '';
