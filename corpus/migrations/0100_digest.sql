-- The daily digest: destinations, the exactly-once delivery log, leases, and subscribed feeds.
CREATE TABLE digest_destinations (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL UNIQUE,          -- slack:C123 | discord:123 | webhook:https://...
  platform TEXT NOT NULL,               -- slack | discord | webhook
  address TEXT NOT NULL,                -- channel id or webhook URL
  at TEXT NOT NULL DEFAULT '08:00',     -- local time of day, HH:MM
  tz TEXT NOT NULL DEFAULT 'UTC',       -- IANA time zone
  created_at TEXT NOT NULL,
  created_by TEXT,
  since TEXT NOT NULL,                  -- articles added after this are candidates (created_at - 24 h)
  last_run_at TEXT,
  last_ok_at TEXT,
  last_error TEXT,
  last_error_at TEXT,
  failures INTEGER NOT NULL DEFAULT 0,  -- consecutive failed runs, for the backoff
  retry_at TEXT                         -- earliest retry after a failure
);

-- One platform message. pending is written before the post and sent (with the message id) after it.
CREATE TABLE digest_posts (
  id INTEGER PRIMARY KEY,
  destination_id INTEGER NOT NULL REFERENCES digest_destinations(id) ON DELETE CASCADE,
  key TEXT NOT NULL UNIQUE,             -- marker in the message (Slack metadata, Discord nonce and footer)
  part INTEGER NOT NULL,
  parts INTEGER NOT NULL,
  thread TEXT,                          -- the message this one replies to (Slack threads)
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'unknown')),
  message_id TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX digest_posts_destination ON digest_posts(destination_id, status);

-- The delivery log: one row per (destination, article); the primary key means one live post per article.
CREATE TABLE digest_deliveries (
  destination_id INTEGER NOT NULL REFERENCES digest_destinations(id) ON DELETE CASCADE,
  article_id TEXT NOT NULL,
  post_id INTEGER NOT NULL REFERENCES digest_posts(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'unknown')),
  message_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (destination_id, article_id)
);
CREATE INDEX digest_deliveries_post ON digest_deliveries(post_id);

-- Only the holder of a lease posts to a destination (or polls the feeds).
CREATE TABLE digest_leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

CREATE TABLE digest_feeds (
  url TEXT PRIMARY KEY,
  added_at TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  last_polled_at TEXT,
  last_status TEXT,
  last_added INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  last_error_at TEXT,
  failures INTEGER NOT NULL DEFAULT 0
);
