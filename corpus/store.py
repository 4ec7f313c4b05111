"""The SQLite store: one connection per thread; the rows the ingest writer and the searcher read and write
(corpus.storage's protocols); the schema itself is in corpus.schema."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager

import numpy as np
import sqlite_utils

from corpus import vectors, write
from corpus.extract.entity_build import rebuild_entities
from corpus.schema import (
    CorruptDatabase,
    ForeignDatabase,
    articles_version,
    changing_schema,
    connect,
    indexer_running,
    indexing,
    meta_int,
    migrate,
    read_only,
    stamp_derived,
)
from corpus.sqlite_reader import SqliteReader

if TYPE_CHECKING:
    from corpus.extract.entities import SpanOut
    from corpus.models import Claim, Duplicate, Prepared

__all__ = ["CorruptDatabase", "ForeignDatabase", "Store", "articles_version", "connect", "indexer_running",
           "indexing", "migrate", "read_only", "stamp_derived"]


class Store:
    """Thread-safe access to one database file: each thread gets its own connection."""

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)  # any failure of the database
    # cannot write now (busy, full, read-only): answer from the tables as they are
    unavailable: tuple[type[Exception], ...] = (sqlite3.OperationalError,)

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        self._damage: str | None = None
        self.readonly = read_only(path)
        self.created = not Path(path).exists() or Path(path).stat().st_size == 0  # a new, empty database
        _ = self.db  # open once now so schema errors surface at start-up

    def shared(self) -> None:
        """None: one process answers from an SQLite file and keeps its event ids and rate limits in memory."""
        return None

    def reader(self) -> SqliteReader:
        """The read side: every query the bot's questions run (corpus/reader.py)."""
        return SqliteReader(self)

    def indexing(self) -> ContextManager[None]:
        """Held while this process indexes (shared: indexers run side by side; freed if the process dies)."""
        return indexing(self.path)

    def indexer_running(self) -> bool:
        """Whether any process is indexing into this database now."""
        return indexer_running(self.path)

    def changing_schema(self) -> ContextManager[None]:
        """Held while this process adds tables of its own to the database (one process at a time)."""
        return changing_schema(self.path)

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = connect(self.path)
        return db

    def transaction(self) -> "_Transaction":
        """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK on error) on this thread's connection."""
        return _Transaction(self.db.conn)

    def version(self) -> int:
        """A number that changes whenever any connection commits a write (PRAGMA data_version + counts)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def bump(self) -> None:
        """Mark the corpus as changed, so answering processes reload their in-memory indexes."""
        self.db.execute("INSERT INTO meta(key, value) VALUES ('generation', 1) ON CONFLICT(key) "
                        "DO UPDATE SET value = CAST(value AS INTEGER) + 1")

    def articles_version(self) -> int:
        """A counter every insert or delete of an article moves on (migration 0007's triggers)."""
        return articles_version(self.db.conn)

    def derived_stale(self) -> bool:
        """Whether entities and the answer tables were rebuilt from fewer articles than there are now."""
        return meta_int(self.db.conn, "derived_version") < self.articles_version()

    def backup(self, path: str | Path) -> None:
        """Copy the live database to path with SQLite's online backup
        API (OSError if it cannot be written)."""
        try:
            target = sqlite3.connect(path)
            try:
                with target:
                    self.db.conn.backup(target)
            finally:
                target.close()
        except sqlite3.Error as e:
            raise OSError(str(e)) from e  # callers outside corpus/ need not know the storage engine

    def damage(self, error: BaseException) -> str | None:
        """After an unexpected error: why the file is damaged, if it is (PRAGMA quick_check), else None."""
        if isinstance(error, CorruptDatabase):  # a new thread's connection found it first
            return str(error)
        if not isinstance(error, sqlite3.Error):
            return None
        if self._damage is None:  # damage does not heal, so the check runs until it is first found
            try:
                rows = [r[0] for r in self.db.execute("PRAGMA quick_check(3)").fetchall()]
                problem = None if rows == ["ok"] else " ".join("; ".join(rows).split())
            except sqlite3.DatabaseError as e:
                problem = str(e)
            if problem is not None:
                self._damage = (f"the database {self.path} is damaged ({problem[:200]}). Stop gapbot and "
                                f"restore "
                                f"it from a backup (see `gapbot backup` in README.md).")
        return self._damage

    # --- corpus.storage.IngestStore: what the ingest writer needs -----------------------------------------
    def newest_article(self) -> int:
        """The rowid of the newest article (0 when empty)."""
        return self.db.execute("SELECT COALESCE(max(rowid), 0) FROM articles").fetchone()[0]

    def find_duplicate(self, p: Prepared, *, after: int = 0) -> Duplicate | None:
        """The indexed article (past rowid `after`) that p repeats, if any."""
        return write.find_duplicate(self.db, p, after=after)

    def record_duplicate(self, p: Prepared, dup: Duplicate) -> None:
        """Note, in its own transaction, that p's source repeats an indexed article."""
        with self.transaction() as conn:
            write.record_duplicate(conn, p, dup)

    def write_article(self, p: Prepared, *, after: int, summary: list[str], spans: list[SpanOut],
                      claims: list[Claim], contexts: list[str],
                      vectors: list[tuple[str, str, bytes]]) -> Duplicate | None:
        """Every row of p in one transaction, unless an article committed past rowid `after` (by another
        indexer) makes it a duplicate: then that is recorded instead and returned."""
        with self.transaction() as conn:
            dup = write.find_duplicate(conn, p, after=after)
            if dup:
                write.record_duplicate(conn, p, dup)
                return dup
            write.insert_article(conn, p, summary=summary, spans=spans, claims=claims, contexts=contexts,
                                 vectors=vectors)
        return None

    def stored_vectors(self, model: str, hashes: list[str]) -> dict[str, bytes]:
        """hash -> float32 vector blob of the sentence texts already embedded with `model`."""
        return write.stored_vectors(self.db, model, hashes)

    def rebuild_derived(self) -> None:
        """Rebuild entities and the /who and /gap answer tables, and bump the generation (one transaction)."""
        rebuild_entities(self, self.reader())

    # --- corpus.storage.SearchStore: what the searcher reads -------------------------------------------
    def vector_index(self, model: str, dim: int, *, generation: int) -> vectors.ExactIndex | vectors.IVFIndex:
        """The vector index of `model`, read in one snapshot while a writer may be adding rows."""
        conn = self.db.conn
        conn.execute("BEGIN")
        try:
            return vectors.load(conn, db_path=self.path, model=model, dim=dim, generation=generation)
        finally:
            conn.execute("COMMIT")

    def vector_count(self, model: str) -> int:
        """How many sentences have a vector from `model`."""
        return vectors.count(self.db.conn, model)

    def match(self, expr: str, limit: int) -> dict[int, float]:
        """sentence id -> BM25 score (higher is better) for an FTS5 MATCH expression."""
        rows = self.db.execute(
            "SELECT rowid, -bm25(sentences_fts, 1.0, 0.25) FROM sentences_fts WHERE sentences_fts MATCH ? "
            "ORDER BY bm25(sentences_fts, 1.0, 0.25) LIMIT ?", [expr, limit]).fetchall()
        return {r[0]: r[1] for r in rows}

    def match_count(self, expr: str) -> int:
        """How many sentences an FTS5 MATCH expression matches."""
        return self.db.execute("SELECT count(*) FROM sentences_fts WHERE sentences_fts MATCH ?",
                               [expr]).fetchone()[0]

    def sentence_high_water(self) -> int:
        """The highest sentence id."""
        return self.db.execute("SELECT max(rowid) FROM sentences").fetchone()[0] or 0

    def sentence_rows(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        """id -> {id, article_id, kind, text, context (its passage),
        title, prev_id} of the given sentences."""
        return sentence_rows(self.db, ids)

    def sentence_vector(self, model: str, sid: int) -> np.ndarray | None:
        """One sentence's stored vector of `model`."""
        row = self.db.execute(
            "SELECT e.vector FROM sentences s JOIN embeddings e ON e.hash = s.hash AND e.model = ? WHERE "
            "s.id = ?",
            [model, sid]).fetchone()
        return np.frombuffer(row[0], dtype=np.float32) if row else None

    # --- connections -----------------------------------------------------------------------------------
    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None


def sentence_rows(db, ids: set[int]) -> dict[int, dict[str, Any]]:
    """id -> {id, article_id, kind, text, context (its passage), title, prev_id} of the given sentences
    (portable SQL: the Postgres store runs it too)."""
    ids_l = list(ids)
    out = {}
    for i in range(0, len(ids_l), 900):
        chunk = ids_l[i:i + 900]
        q = ("SELECT s.id, s.article_id, s.kind, s.text, p.text AS context, a.title, (SELECT b.id FROM "
             "sentences b WHERE b.article_id = s.article_id AND b.idx = s.idx - 1) AS prev_id FROM "
             "sentences s "
             "JOIN passages p ON p.id = s.passage_id JOIN articles a ON a.id = s.article_id "
             f"WHERE s.id IN ({','.join('?' * len(chunk))})")
        for r in db.query(q, chunk):
            out[r["id"]] = r
    return out


class _Transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if not exc_type:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:  # SQLite has already rolled back after some errors (SQLITE_FULL)
            self.conn.execute("ROLLBACK")
