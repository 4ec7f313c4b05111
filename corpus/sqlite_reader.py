"""The SQLite implementation of CorpusReader (corpus/reader.py): every read query the bot's questions run."""
from __future__ import annotations

import json
from collections.abc import Collection
from typing import TYPE_CHECKING

from corpus.extract import answers
from corpus.extract.claims_store import load_claims, topic_claims
from corpus.models import Article, Claim, Entity, Fact, GapOverview, Profile

if TYPE_CHECKING:
    from corpus.store import Store

# Publication (or update) date, newest first; an undated article sorts after every dated one rather than at
# the day it was added, which would put it above this week's news.
NEWEST_FIRST = "COALESCE(date, modified) IS NULL, COALESCE(date, modified) DESC, added_at DESC, rowid DESC"
_COUNTS: dict[tuple, int] = {}  # sentence counts by (path, generation, FTS expression)


class SqliteReader:
    """Reads a corpus's SQLite tables through its Store (one connection per thread)."""

    def __init__(self, store: "Store"):
        self.store = store

    # --- articles -------------------------------------------------------------------------------------------
    def articles(self, *, since: str | None = None, limit: int | None = None) -> list[Article]:
        """Indexed articles, newest first (by publication date, then by when added; undated ones last)."""
        sql = "SELECT * FROM articles"
        params: list = []
        if since:
            sql += " WHERE added_at > ?"
            params.append(since)
        sql += f" ORDER BY {NEWEST_FIRST}"
        if limit:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [Article.from_row(r) for r in self.store.db.query(sql, params)]

    def article(self, article_id: str) -> Article | None:
        """One article by id (a unique prefix of the id also works)."""
        db = self.store.db
        row = db.execute("SELECT * FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:  # a unique prefix, as people type ids from /sources
            prefix = article_id.replace("%", "").replace("_", "")
            rows = list(db.query("SELECT * FROM articles WHERE id >= ? AND id < ? LIMIT 2",
                                 [prefix, prefix + "\uffff"])) if prefix else []
            return Article.from_row(rows[0]) if len(rows) == 1 else None
        cols = [d[0] for d in db.execute("SELECT * FROM articles LIMIT 0").description]
        return Article.from_row(dict(zip(cols, row)))

    def articles_by_id(self, article_ids: Collection[str]) -> dict[str, Article]:
        """The articles with these exact ids, in one query (ids not indexed are left out)."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        rows = self.store.db.query(f"SELECT * FROM articles WHERE id IN ({', '.join('?' * len(ids))})", ids)
        return {r["id"]: Article.from_row(r) for r in rows}

    def count(self) -> int:
        """How many articles are indexed."""
        return self.store.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def article_list(self) -> list[dict]:
        """Every article's metadata without its body, newest first (cheap even for a large corpus)."""
        return list(self.store.db.query(
            f"SELECT id, title, publisher, date, url, added_at FROM articles ORDER BY {NEWEST_FIRST}"))

    def article_text(self, article_id: str) -> str:
        """An article's title and body, as one text ("" for an unknown id)."""
        row = self.store.db.execute("SELECT title || ' ' || body FROM articles WHERE id = ?",
                                    [article_id]).fetchone()
        return row[0] if row else ""

    # --- gap claims -----------------------------------------------------------------------------------------
    def claims(self, *, article_id: str | None = None, sized: bool | None = None, topic: str | None = None,
               limit: int | None = None) -> list[Claim]:
        """Gap claims extracted at index time, newest first."""
        return load_claims(self.store.db, article_id=article_id, sized=sized, topic=topic, limit=limit)

    def gap_overview(self, *, sized: int, unsized: int) -> GapOverview | None:
        """The stored /gap summary (refilled when stale); None when the table cannot serve it."""
        return answers.gap_overview(self.store, sized=sized, unsized=unsized)

    def topic_claims(self, topic: str, *, sized_limit: int, unsized_limit: int) -> GapOverview:
        """The newest claims about the topic, their counts, range and median, from one pass over them."""
        return topic_claims(self.store.db, topic, sized_limit=sized_limit, unsized_limit=unsized_limit)

    # --- entities -------------------------------------------------------------------------------------------
    def entities_with_keys(self, keys: list[str]) -> list[Entity]:
        """Entities one of whose name keys is given, most mentioned first."""
        rows = self.store.db.query(
            f"SELECT DISTINCT e.* FROM entity_names n JOIN entities e ON e.id = n.entity_id "
            f"WHERE n.norm IN ({','.join('?' * len(keys))}) ORDER BY e.mention_count DESC", keys)
        return [Entity.from_row(r) for r in rows]

    def people_with_name(self, word: str, *, limit: int) -> list[Entity]:
        """People one of whose names is this word (any case), most mentioned first."""
        rows = self.store.db.query("SELECT * FROM entities WHERE kind = 'person' AND "
                                   "instr(' ' || lower(name) || ' ', ?) "
                                   "ORDER BY mention_count DESC, id LIMIT ?", [f" {word.lower()} ", limit])
        return [Entity.from_row(r) for r in rows]

    def names_by_mentions(self, *, limit: int) -> list[str]:
        """Entity names, most mentioned first."""
        rows = self.store.db.execute("SELECT name FROM entities ORDER BY mention_count DESC LIMIT ?", [limit])
        return [r[0] for r in rows]

    def names_and_aliases(self) -> list[tuple[str, list[str]]]:
        """Every entity's name and aliases, most mentioned first."""
        rows = self.store.db.execute("SELECT name, aliases FROM entities ORDER BY mention_count DESC, name")
        return [(name, _aliases(aliases)) for name, aliases in rows.fetchall() if name]

    def entities_for(self, article_id: str, *, limit: int = 8) -> list[str]:
        """The notable entities an article names, most mentioned first."""
        rows = self.store.db.execute(
            "SELECT e.name FROM entity_sentences es JOIN entities e ON e.id = es.entity_id "
            "WHERE es.article_id = ? AND e.kind IN ('company','person','model','organisation') "
            "GROUP BY e.id ORDER BY count(*) DESC, e.name LIMIT ?", [article_id, limit]).fetchall()
        return [r[0] for r in rows]

    def profile(self, entity: Entity) -> Profile:
        """An entity's facts and claims: from the answer tables when fresh, else ranked on demand."""
        return answers.profile(self.store, entity)

    # --- sentences ------------------------------------------------------------------------------------------
    def sentences_with_words(self, words: list[str], *, limit: int | None) -> list[Fact]:
        """Sentences the full-text index finds the words in as a phrase (punctuation between them ignored), in
        id order (FTS5's order for a full-text query); every one when limit is None."""
        sql = "SELECT s.id, s.article_id, s.text FROM sentences_fts f JOIN sentences s ON s.id = f.rowid " \
              "WHERE sentences_fts MATCH ?"
        params: list = ['"' + " ".join(words).replace('"', "") + '"']
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [Fact.from_row(r) for r in self.store.db.query(sql, params)]

    def names_word(self, word: str) -> bool:
        """Whether some sentence, title or publisher contains the word."""
        db = self.store.db
        return bool(db.execute("SELECT 1 FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT 1",
                               ['"' + word.replace('"', "") + '"']).fetchone() or db.execute(
            "SELECT 1 FROM articles WHERE instr(lower(title || ' ' || COALESCE(publisher, '')), ?) LIMIT 1",
            [word.lower()]).fetchone())

    def surroundings(self, sentence_id: int) -> list[str]:
        """The paragraph before the sentence's own, and its context with its article's publisher."""
        row = self.store.db.execute(
            "SELECT COALESCE(prev.text, ''), s.context || ' ' || COALESCE(a.publisher, '') FROM sentences s "
            "JOIN passages p ON p.id = s.passage_id JOIN articles a ON a.id = s.article_id "
            "LEFT JOIN passages prev ON prev.article_id = p.article_id AND prev.idx = p.idx - 1 "
            "WHERE s.id = ?",
            [sentence_id]).fetchone()
        return list(row or ())

    def sentences_near(self, sentence_id: int, *, before: int, after: int) -> list[Fact]:
        """The sentence with up to `before` sentences of its article before it and `after` after, in order
        (empty if there is no such sentence)."""
        rows = self.store.db.query(
            "SELECT n.id, n.article_id, n.text FROM sentences s "
            "JOIN sentences n ON n.article_id = s.article_id "
            "AND n.idx BETWEEN s.idx - ? AND s.idx + ? WHERE s.id = ? ORDER BY n.idx",
            [before, after, sentence_id])
        return [Fact.from_row(r) for r in rows]

    def sentence_counts(self, token_sets: list[list[str]]) -> tuple[int, list[int]]:
        """How many sentences there are, and how many have every token of each set in their own text (the
        context column repeats titles and speakers), cached until the corpus changes."""
        version = (self.store.path, self.store.version())
        matches = ["text : (" + " ".join(f'"{t}"' for t in tokens) + ")" for tokens in token_sets]
        return self._count(version, None), [self._count(version, m) for m in matches]

    def _count(self, version: tuple, match: str | None) -> int:
        """Sentences matching an FTS expression (all sentences for None): counting a common word costs a
        second on a million sentences, so counts are kept until the corpus changes."""
        key = (*version, match)
        if key not in _COUNTS:
            if len(_COUNTS) > 50_000:
                _COUNTS.clear()
            db = self.store.db
            _COUNTS[key] = (db.execute("SELECT count(*) FROM sentences").fetchone()[0] if match is None else
                            db.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH ?",
                                       [match]).fetchone()[0])
        return _COUNTS[key]


def _aliases(raw: str | None) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [a for a in value if isinstance(a, str)] if isinstance(value, list) else []
