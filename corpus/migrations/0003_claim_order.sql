-- /gap lists claims newest first and splits sized from unsized ones: let SQLite read them in that order.
CREATE INDEX claims_date ON claims(date DESC, article_id, sentence_id);
CREATE INDEX claims_sized ON claims(low_years, high_years);
