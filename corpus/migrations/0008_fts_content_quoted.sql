-- The full-text table names its content table in double quotes, as tools that find full-text tables by their
-- declaration expect (Datasette and sqlite-utils look for content="sentences" or content=[sentences]); the
-- index is rebuilt from the sentences, with the same columns and tokenizer as before.
DROP TABLE sentences_fts;
CREATE VIRTUAL TABLE sentences_fts USING fts5(
  text, context, content="sentences", content_rowid="id",
  tokenize="porter unicode61 remove_diacritics 2"
);
INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild');
