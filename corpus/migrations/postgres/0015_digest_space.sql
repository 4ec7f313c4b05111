-- The workspace (Slack team id) or server (Discord guild id) a destination was subscribed from, when it was
-- subscribed from chat: a Slack app installed in several workspaces posts there with that workspace's token.
ALTER TABLE digest_destinations ADD COLUMN space TEXT;
