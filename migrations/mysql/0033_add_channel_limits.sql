-- add_channel_limits
ALTER TABLE channels ADD COLUMN rate_limited_until DATETIME(6) NULL, ADD COLUMN refresh_lease_until DATETIME(6) NULL, ADD COLUMN status_reason VARCHAR(1000) NOT NULL DEFAULT '';
