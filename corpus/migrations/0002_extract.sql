-- What extraction finds at index time: gap claims, named-entity spans, and the merged entity table.
CREATE TABLE claims (
  id INTEGER PRIMARY KEY,
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
  low_years REAL,
  high_years REAL,
  phrase TEXT NOT NULL,
  direction TEXT NOT NULL,
  dimension TEXT NOT NULL,
  speaker TEXT,
  affiliation TEXT,
  quote TEXT NOT NULL,
  date TEXT
);
CREATE INDEX claims_article ON claims(article_id);

CREATE TABLE spans (
  id INTEGER PRIMARY KEY,
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  label TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  person_key TEXT,
  role TEXT
);
CREATE INDEX spans_article ON spans(article_id);

CREATE TABLE entities (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  aliases TEXT NOT NULL DEFAULT '[]',
  roles TEXT NOT NULL DEFAULT '[]',
  related TEXT NOT NULL DEFAULT '[]',
  article_count INTEGER NOT NULL DEFAULT 0,
  mention_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entity_names (
  norm TEXT NOT NULL,
  entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  PRIMARY KEY (norm, entity_id)
);
CREATE TABLE entity_sentences (
  entity_id INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  sentence_id INTEGER NOT NULL REFERENCES sentences(id) ON DELETE CASCADE,
  article_id TEXT NOT NULL,
  direct INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (entity_id, sentence_id)
);
