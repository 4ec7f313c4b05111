"""The Postgres implementation of CorpusReader (corpus/reader.py): the SQLite reader's portable queries, run
through corpus.pg_schema.PgConnection, with Postgres's own where the dialects differ: insertion order is
articles.seq rather than rowid, full-text lookups use the tsvector rows (tokenized as FTS5 does), and
instr() is strpos()."""
from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from corpus import pg_text
from corpus.models import Article, Entity, Fact
from corpus.sqlite_reader import SqliteReader

if TYPE_CHECKING:
    from corpus.pg_store import PgStore

# as the SQLite reader's NEWEST_FIRST, with seq standing for rowid
NEWEST_FIRST = "COALESCE(date, modified) IS NULL, COALESCE(date, modified) DESC, added_at DESC, seq DESC"


class PgReader(SqliteReader):
    """Reads a corpus's Postgres tables through its PgStore (one connection per thread)."""

    def __init__(self, store: "PgStore"):
        self.store = store  # type: ignore[assignment]  # PgStore offers what SqliteReader reads: db, version()
        self.pg = store

    def articles(self, *, since: str | None = None, limit: int | None = None) -> list[Article]:
        """Indexed articles, newest first (by publication date, then by when added; undated ones last)."""
        sql, params = "SELECT * FROM articles", []
        if since:
            sql += " WHERE added_at > ?"
            params.append(since)
        sql += f" ORDER BY {NEWEST_FIRST}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Article.from_row(r) for r in self.pg.db.query(sql, params)]

    def article(self, article_id: str) -> Article | None:
        """One article by id (a unique prefix of the id also works), in one query."""
        db = self.pg.db
        rows = list(db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
        if not rows:  # a unique prefix, as people type ids from /sources
            prefix = article_id.replace("%", "").replace("_", "")
            rows = list(db.query("SELECT * FROM articles WHERE id >= ? AND id < ? LIMIT 2",
                                 [prefix, prefix + "\uffff"])) if prefix else []
            return Article.from_row(rows[0]) if len(rows) == 1 else None
        return Article.from_row(rows[0])

    def articles_by_id(self, article_ids: Collection[str]) -> dict[str, Article]:
        """The articles with these exact ids, in one query (ids not indexed are left out)."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        rows = self.pg.db.query("SELECT * FROM articles WHERE id = ANY(?)", [ids])
        return {r["id"]: Article.from_row(r) for r in rows}

    def article_list(self) -> list[dict]:
        """Every article's metadata without its body, newest first."""
        return list(self.pg.db.query(
            f"SELECT id, title, publisher, date, url, added_at FROM articles ORDER BY {NEWEST_FIRST}"))

    def entities_with_keys(self, keys: list[str]) -> list[Entity]:
        """Entities one of whose name keys is given, most mentioned first (ties in the order made)."""
        rows = self.pg.db.query(
            "SELECT e.* FROM entities e WHERE e.id IN (SELECT entity_id FROM entity_names "
            "WHERE norm = ANY(?)) ORDER BY e.mention_count DESC, e.id", [keys])
        return [Entity.from_row(r) for r in rows]

    def people_with_name(self, word: str, *, limit: int) -> list[Entity]:
        """People one of whose names is this word (any case), most mentioned first."""
        rows = self.pg.db.query("SELECT * FROM entities WHERE kind = 'person' AND "
                                "strpos(' ' || lower(name) || ' ', ?) > 0 "
                                "ORDER BY mention_count DESC, id LIMIT ?", [f" {word.lower()} ", limit])
        return [Entity.from_row(r) for r in rows]

    def names_by_mentions(self, *, limit: int) -> list[str]:
        """Entity names, most mentioned first (ties in the order they were made, as SQLite returns them)."""
        rows = self.pg.db.execute("SELECT name FROM entities ORDER BY mention_count DESC, id LIMIT ?",
                                  [limit])
        return [r[0] for r in rows]

    def sentences_with_words(self, words: list[str], *, limit: int | None) -> list[Fact]:
        """Sentences whose text or context has the words as a phrase, in id order (as FTS5 returns them)."""
        tokens = pg_text.words(" ".join(words))
        if not tokens:
            return []
        sql = "SELECT id, article_id, text FROM sentences WHERE lex @@ CAST(? AS tsquery) ORDER BY id"
        params: list = [pg_text.phrase(tokens)]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [Fact.from_row(r) for r in self.pg.db.query(sql, params)]

    def names_word(self, word: str) -> bool:
        """Whether some sentence, title or publisher contains the word."""
        tokens = pg_text.words(word)
        db = self.pg.db
        return bool(tokens and db.execute("SELECT 1 FROM sentences WHERE lex @@ CAST(? AS tsquery) LIMIT 1",
                                          [pg_text.phrase(tokens)]).fetchone() or db.execute(
            "SELECT 1 FROM articles WHERE strpos(lower(title || ' ' || COALESCE(publisher, '')), ?) > 0 "
            "LIMIT 1",
            [word.lower()]).fetchone())

    def sentence_counts(self, token_sets: list[list[str]]) -> tuple[int, list[int]]:
        """How many sentences there are, and how many have every token of each set in their own text (not
        their context), kept until the corpus changes."""
        queries = []
        for tokens in token_sets:
            phrases = [t for t in (pg_text.words(w) for w in tokens) if t]
            queries.append(" & ".join(f"({pg_text.phrase(t, weight='A')})" for t in phrases))
        total, *counts = self.pg.counts(["", *[q for q in queries if q]])
        found = iter(counts)
        return total, [next(found) if q else 0 for q in queries]
