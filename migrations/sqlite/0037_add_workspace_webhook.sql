-- add_workspace_webhook
ALTER TABLE workspaces ADD COLUMN webhook_url VARCHAR(1000) NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN webhook_secret TEXT NULL;
ALTER TABLE workspaces ADD COLUMN notify_email VARCHAR(254) NOT NULL DEFAULT '';
