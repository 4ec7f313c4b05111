-- Channels an admin asked gapbot to watch (/watch on), as SQLite migration 0120.
CREATE TABLE watched_channels (
  platform TEXT NOT NULL,
  channel TEXT NOT NULL,
  space TEXT,
  by_user TEXT,
  since TEXT NOT NULL,
  PRIMARY KEY (platform, channel)
);
