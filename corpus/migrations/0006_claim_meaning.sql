-- What a gap claim means beyond its size (corpus/extract/claims.py): the time it is about, the two parties it
-- compares, and whether it describes how things stood before. Claims indexed before this migration are about
-- their article's date; re-indexing fills the rest.
ALTER TABLE claims ADD COLUMN as_of TEXT;
ALTER TABLE claims ADD COLUMN sides TEXT;        -- JSON ["China", "United States"]
ALTER TABLE claims ADD COLUMN historical INTEGER NOT NULL DEFAULT 0;
UPDATE claims SET as_of = date;
