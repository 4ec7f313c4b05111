-- Articles shared from chat (/add): who asked, where, when, which URL, and what became of it.
CREATE TABLE adds (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,                     -- ISO time, UTC
  platform TEXT NOT NULL,               -- console | slack | discord
  user TEXT,                            -- the platform's user id (none in the console)
  space TEXT,                           -- Slack workspace or Discord server
  channel TEXT,
  url TEXT NOT NULL,
  status TEXT NOT NULL,                 -- added | duplicate | rejected | refused (not allowed, over quota)
  article_id TEXT,
  reason TEXT
);
CREATE INDEX adds_user ON adds(platform, user, at);
