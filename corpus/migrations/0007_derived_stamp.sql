-- The derived tables (entities, entity_names, entity_sentences, entity_facts, gap_overview) are rebuilt from the
-- articles after an indexing run. meta 'articles_version' counts every change to the articles (these triggers, so
-- any writer counts); meta 'derived_version' is the articles_version they were last rebuilt from
-- (corpus/extract/entity_build.py). derived_version < articles_version means a run stopped before its rebuild
-- (kill -9, SIGTERM, Ctrl-C, a full disk): the next run or the next open rebuilds them.
INSERT INTO meta(key, value) VALUES ('articles_version', 1) ON CONFLICT(key) DO NOTHING;
-- An existing database is behind when an article with extracted mentions has no entity link at all (it was added
-- after the last rebuild); otherwise it is taken as current, so a database built by other means is left alone.
INSERT INTO meta(key, value) VALUES ('derived_version', CASE WHEN EXISTS (
    SELECT article_id FROM spans EXCEPT SELECT article_id FROM entity_sentences) THEN 0 ELSE 1 END)
  ON CONFLICT(key) DO NOTHING;
CREATE TRIGGER articles_version_insert AFTER INSERT ON articles BEGIN
  UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'articles_version';
END;
CREATE TRIGGER articles_version_delete AFTER DELETE ON articles BEGIN
  UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'articles_version';
END;
