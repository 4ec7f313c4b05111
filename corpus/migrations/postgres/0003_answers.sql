-- What gapbot answered in chat, and the votes on it, as SQLite migration 0125. "user" is quoted: a reserved word.
CREATE TABLE answers (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  platform TEXT NOT NULL,
  space TEXT,
  channel TEXT,
  thread TEXT,
  "user" TEXT,
  question TEXT NOT NULL,
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  answered INTEGER NOT NULL,
  cited TEXT NOT NULL DEFAULT '[]',
  message TEXT
);
CREATE INDEX answers_place ON answers(platform, channel, thread, at);
CREATE INDEX answers_message ON answers(platform, channel, message);

CREATE TABLE votes (
  answer_id TEXT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
  "user" TEXT NOT NULL,
  value INTEGER NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (answer_id, "user")
);
