-- What gapbot answered in chat (so a thread follow-up can carry its subject, and a vote knows what it rates),
-- and the votes on those answers.
CREATE TABLE answers (
  id TEXT PRIMARY KEY,                  -- a short random token; buttons and thread lookups carry it
  at TEXT NOT NULL,                     -- ISO time, UTC
  platform TEXT NOT NULL,               -- slack | discord
  space TEXT,                           -- Slack workspace or Discord server
  channel TEXT,
  thread TEXT,                          -- the thread the answer went to, if any
  user TEXT,                            -- who asked
  question TEXT NOT NULL,               -- the request's text, as the core read it
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,                   -- the reply's plain text
  answered INTEGER NOT NULL,            -- 0: refused, an error, or help
  cited TEXT NOT NULL DEFAULT '[]',     -- JSON: [{"article_id", "quote", "sentence_id"}], in citation order
  message TEXT                          -- the platform's id of the posted reply (Slack ts, Discord message id)
);
CREATE INDEX answers_place ON answers(platform, channel, thread, at);
CREATE INDEX answers_message ON answers(platform, channel, message);

CREATE TABLE votes (
  answer_id TEXT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
  user TEXT NOT NULL,
  value INTEGER NOT NULL,               -- 1 up, -1 down
  at TEXT NOT NULL,
  PRIMARY KEY (answer_id, user)
);
