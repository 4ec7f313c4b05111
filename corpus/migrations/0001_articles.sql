-- Articles, their paragraphs (passages) and sentences, full-text search and embeddings.
CREATE TABLE articles (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  publisher TEXT,
  author TEXT,
  date TEXT,
  modified TEXT,
  url TEXT,
  canonical_url TEXT,
  source TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  minhash BLOB,
  body TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '[]',
  added_at TEXT NOT NULL
);
CREATE UNIQUE INDEX articles_text_hash ON articles(text_hash);
CREATE INDEX articles_canonical_url ON articles(canonical_url);
CREATE INDEX articles_added_at ON articles(added_at);

CREATE TABLE duplicates (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  canonical_url TEXT,
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  similarity REAL,
  added_at TEXT NOT NULL
);

CREATE TABLE passages (
  id INTEGER PRIMARY KEY,
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX passages_article ON passages(article_id, idx);

CREATE TABLE sentences (
  id INTEGER PRIMARY KEY,
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  text TEXT NOT NULL,
  context TEXT NOT NULL DEFAULT '',
  hash TEXT NOT NULL
);
CREATE INDEX sentences_article ON sentences(article_id, idx);

CREATE VIRTUAL TABLE sentences_fts USING fts5(
  text, context, content='sentences', content_rowid='id',
  tokenize='porter unicode61 remove_diacritics 2'
);

CREATE TABLE embeddings (
  hash TEXT NOT NULL,
  model TEXT NOT NULL,
  vector BLOB NOT NULL,
  PRIMARY KEY (hash, model)
);

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
