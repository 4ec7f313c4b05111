-- A sentence is also found by who is speaking when it does not name them, and, when it opens with "they"/"it",
-- by the names of the sentence before: the same as corpus/context.py search_contexts(), from the spans table.
UPDATE sentences SET context = trim(
  COALESCE((SELECT title FROM articles WHERE articles.id = sentences.article_id), '')
  || COALESCE((SELECT ' ' || sp.text || COALESCE(' ' || COALESCE((
                 SELECT r.role FROM spans r WHERE r.article_id = sp.article_id AND r.label = 'ROLE'
                 AND r.person_key = sp.person_key), sp.role), '')
               FROM spans sp WHERE sp.sentence_id = sentences.id AND sp.label = 'SPEAKER' ORDER BY sp.id LIMIT 1), '')
  || CASE WHEN sentences.idx > 0 AND anaphoric(sentences.text) THEN COALESCE((
       SELECT ' ' || group_concat(name, ' ') FROM (
         SELECT sp.text AS name FROM sentences prev JOIN spans sp ON sp.sentence_id = prev.id
         WHERE prev.article_id = sentences.article_id AND prev.idx = sentences.idx - 1
           AND sp.label NOT IN ('GPE', 'LOC', 'NORP', 'ROLE')
         GROUP BY sp.text ORDER BY min(sp.id))), '') ELSE '' END);
INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild');
INSERT INTO meta(key, value) VALUES ('generation', 1)
  ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1;
