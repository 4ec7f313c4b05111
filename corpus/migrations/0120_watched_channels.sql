-- Channels an admin asked gapbot to watch (/watch on): every link posted there is added to the corpus.
CREATE TABLE watched_channels (
  platform TEXT NOT NULL,               -- slack | discord
  channel TEXT NOT NULL,
  space TEXT,                           -- Slack workspace or Discord server
  by_user TEXT,                         -- the admin who turned watching on
  since TEXT NOT NULL,                  -- ISO time, UTC
  PRIMARY KEY (platform, channel)
);
