-- /who and /gap answer from tables filled at index time (corpus/extract/answers.py), in the transaction that
-- rebuilds the entity tables after each indexing batch. They are stamped with the corpus generation they were
-- built for (meta 'answers_generation'): an existing database has no stamp yet, so they are filled on first use.
CREATE TABLE entity_facts (
  entity_id INTEGER NOT NULL,   -- entities.id (the rows are rebuilt whenever the entities are)
  kind TEXT NOT NULL CHECK (kind IN ('fact', 'claim')),
  rank INTEGER NOT NULL,        -- 0 = listed first
  ref INTEGER NOT NULL,         -- sentences.id of a fact, claims.id of a gap claim
  PRIMARY KEY (entity_id, kind, rank)
) WITHOUT ROWID;

CREATE TABLE gap_overview (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  sized_count INTEGER NOT NULL,  -- every sized claim in the corpus
  unsized_count INTEGER NOT NULL,
  range_low REAL,                -- the range and median /gap reports (NULL without sized claims)
  range_high REAL,
  median REAL,
  articles INTEGER NOT NULL,
  sized_claims TEXT NOT NULL,    -- JSON list of the newest sized claims in /gap order: [Claim.to_json(), sentence_id]
  unsized_claims TEXT NOT NULL
);
