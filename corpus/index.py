"""Corpus: the one object the bot asks — articles, search, gap claims, entities — over one database."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from corpus.models import Article, Claim, Hit, IngestResult
from corpus.store import Store, indexer_running

if TYPE_CHECKING:
    from corpus.embed import Embedder
    from corpus.search import Searcher
    from corpus.stopping import StopFlag

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, source now being read)

# Publication (or update) date, newest first; an undated article sorts after every dated one rather than at
# the day it was added, which would put it above this week's news.
NEWEST_FIRST = "COALESCE(date, modified) IS NULL, COALESCE(date, modified) DESC, added_at DESC, rowid DESC"


class Corpus:
    """An indexed corpus in one SQLite file. Cheap to open; the embedding model loads on first search."""

    def __init__(self, path: str | Path, *, embedder: "Embedder | None" = None):
        self.store = Store(path)
        self.path = self.store.path
        self._embedder = embedder
        self._searcher: "Searcher | None" = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path, *, seed: bool = True, embedder: "Embedder | None" = None) -> "Corpus":
        """Open the database at path; a new one first indexes the bundled seed articles (unless seed=False)."""
        new = not Path(path).exists() or Path(path).stat().st_size == 0
        corpus = cls(path, embedder=embedder)
        if new and seed:
            from corpus.seeds import seed_paths

            corpus.index([str(p) for p in seed_paths()])
        corpus.catch_up()
        return corpus

    def catch_up(self) -> bool:
        """Rebuild entities and the /who and /gap answer tables if they are older than the articles (an indexing
        run stopped before its rebuild) and no indexer is at work (it rebuilds when it ends); True if rebuilt."""
        store = self.store
        if store.readonly or not store.derived_stale() or indexer_running(store.path):
            return False
        from corpus.extract.entities import rebuild_entities

        try:
            rebuild_entities(store)
        except sqlite3.OperationalError as e:  # full or busy: answer from the tables as they are, try next time
            log.warning("could not bring /who and /gap up to date in %s: %s", store.path, e)
            return False
        return True

    @property
    def embedder(self) -> "Embedder":
        """The embedder (the real model unless one was given), created on first use."""
        with self._lock:
            if self._embedder is None:
                from corpus.embed import default_embedder

                self._embedder = default_embedder()
            return self._embedder

    # --- writing -------------------------------------------------------------------------------
    def index(self, sources: Iterable[str], *, progress: Progress | None = None, fetcher=None,
              stop: "StopFlag | None" = None) -> list[IngestResult]:
        """Add articles from files, folders, URLs and feeds; each article is committed on its own. With `stop`
        (corpus/stopping.py), a signal or a full disk ends the run early and stop.reason says why."""
        from corpus.ingest import Ingester

        return Ingester(self, fetcher=fetcher).run(list(sources), progress=progress, stop=stop)

    # --- reading -------------------------------------------------------------------------------
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
        row = self.store.db.execute("SELECT * FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:  # a unique prefix, as people type ids from /sources
            prefix = article_id.replace("%", "").replace("_", "")
            rows = list(self.store.db.query("SELECT * FROM articles WHERE id >= ? AND id < ? LIMIT 2",
                                            [prefix, prefix + "\uffff"])) if prefix else []
            return Article.from_row(rows[0]) if len(rows) == 1 else None
        cols = [d[0] for d in self.store.db.execute("SELECT * FROM articles LIMIT 0").description]
        return Article.from_row(dict(zip(cols, row)))

    def count(self) -> int:
        """How many articles are indexed."""
        return self.store.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def search(self, query: str, *, limit: int = 10, mode: str = "hybrid") -> list[Hit]:
        """Hybrid (BM25 + dense) sentence search; mode 'bm25' or 'dense' for one side only."""
        return self.searcher.search(query, limit=limit, mode=mode)

    @property
    def searcher(self) -> "Searcher":
        """The search engine, built once and refreshed when the corpus changes."""
        with self._lock:
            if self._searcher is None:
                from corpus.search import Searcher

                self._searcher = Searcher(self)
            return self._searcher

    def claims(self, *, article_id: str | None = None, sized: bool | None = None, topic: str | None = None,
               limit: int | None = None) -> list[Claim]:
        """Gap claims extracted at index time (all, one article's, only sized ones, about a topic), newest first."""
        from corpus.extract.claims_store import load_claims

        return load_claims(self.store.db, article_id=article_id, sized=sized, topic=topic, limit=limit)

    def article_list(self) -> list[dict]:
        """Every article's metadata without its body, newest first (cheap even for a large corpus)."""
        return list(self.store.db.query(
            f"SELECT id, title, publisher, date, url, added_at FROM articles ORDER BY {NEWEST_FIRST}"))

    def entities_for(self, article_id: str, *, limit: int = 8) -> list[str]:
        """The notable entities an article names, most mentioned first."""
        rows = self.store.db.execute(
            "SELECT e.name FROM entity_sentences es JOIN entities e ON e.id = es.entity_id "
            "WHERE es.article_id = ? AND e.kind IN ('company','person','model','organisation') "
            "GROUP BY e.id ORDER BY count(*) DESC, e.name LIMIT ?", [article_id, limit]).fetchall()
        return [r[0] for r in rows]

    def entity_names(self, prefix: str, *, limit: int) -> list[str]:
        """Entity names for autocomplete, most mentioned first: those with a name or alias word starting with
        prefix, then those merely containing it; empty if there is no entity table yet."""
        try:
            rows = self.store.db.execute(
                "SELECT name, aliases FROM entities ORDER BY mention_count DESC, name").fetchall()
        except sqlite3.Error as e:
            log.warning("no entity names for autocomplete: %s", e)
            return []
        return _matching([(name, _aliases(aliases)) for name, aliases in rows if name], prefix, limit=limit)

    def backup(self, path: str | Path) -> None:
        """Copy the live database to path with SQLite's online backup API (OSError if it cannot be written)."""
        try:
            target = sqlite3.connect(path)
            try:
                with target:
                    self.store.db.conn.backup(target)
            finally:
                target.close()
        except sqlite3.Error as e:
            raise OSError(str(e)) from e  # callers outside corpus/ need not know the storage engine


def _matching(entities: list[tuple[str, list[str]]], typed: str, *, limit: int) -> list[str]:
    """Names whose name or alias has a word starting with what was typed, then those merely containing it."""
    typed = " ".join(typed.casefold().split())
    if not typed:
        return [name for name, _ in entities[:limit]]
    starts, contains = [], []
    for name, aliases in entities:
        keys = [k.casefold() for k in (name, *aliases)]
        if any(k.startswith(typed) or f" {typed}" in k for k in keys):
            starts.append(name)
        elif any(typed in k for k in keys):
            contains.append(name)
    return list(dict.fromkeys(starts + contains))[:limit]


def _aliases(raw: str | None) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [a for a in value if isinstance(a, str)] if isinstance(value, list) else []
