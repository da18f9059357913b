-- add_approval_client_link
ALTER TABLE approvals ADD COLUMN client_link_id BIGINT NULL;
