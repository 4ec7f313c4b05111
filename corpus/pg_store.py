"""The Postgres store: one connection per thread; the rows the ingest writer and the searcher read and write
(corpus.storage's protocols), as corpus/store.py does for SQLite. Writers take one advisory lock per
transaction, as SQLite's BEGIN IMMEDIATE makes them queue; indexers hold a shared advisory lock for the run,
freed by Postgres when their connection ends, however the process died."""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
import psycopg.conninfo

from corpus import pg_text, pg_write, write
from corpus.extract.entity_build import rebuild_entities
from corpus.pg_reader import PgReader
from corpus.pg_schema import MIGRATION_LOCK, PgConnection, migrate
from corpus.pg_vectors import HnswIndex
from corpus.shared_state import PgSharedState
from corpus.store import sentence_rows

if TYPE_CHECKING:
    from corpus.extract.entities import SpanOut
    from corpus.models import Claim, Duplicate, Prepared

WRITE_LOCK = 0x6761_7062_0002  # pg_advisory_xact_lock key of every write transaction
INDEXING_LOCK = 0x6761_7062_0003  # held shared by every indexing process
K1, B = 1.2, 0.75  # FTS5's bm25() constants
# FTS5's bm25() over the postings: per sentence, the sum over the query's terms of
# idf * f * (k1 + 1) / (f + k1 * (1 - b + b * length / average length)), f counting a context token as 0.25
# (corpus/pg_text.py frequencies), read from sentence_terms' index rather than by decoding each matching row's
# tsvector. OFFSET 0 keeps one index range scan per term: joined, the planner chose a scan of every posting.
BM25 = f"""
SELECT p.sentence_id, sum(q.idf * p.f * {K1 + 1}::float8
                          / (p.f + {K1}::float8 * ({1 - B}::float8 + {B}::float8 * p.len / ?))) AS score
FROM unnest(CAST(? AS text[]), CAST(? AS float8[])) AS q(term, idf)
CROSS JOIN LATERAL (SELECT sentence_id, f, len FROM sentence_terms t WHERE t.term = q.term OFFSET 0) p
GROUP BY p.sentence_id ORDER BY score DESC, p.sentence_id LIMIT ?"""


def shown(url: str) -> str:
    """The database URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


class PgStore:
    """Thread-safe access to one Postgres database: each thread gets its own connection."""

    errors: tuple[type[Exception], ...] = (psycopg.Error,)
    unavailable: tuple[type[Exception], ...] = (psycopg.OperationalError,
                                                 psycopg.errors.ReadOnlySqlTransaction)

    def __init__(self, url: str):
        self.url, self.path = url, shown(url)
        self.readonly = False
        self._local = threading.local()
        self._counts: dict[tuple[int, str], int] = {}  # (version, tsquery) -> sentences matching
        self._sizes: tuple[int, int, float] | None = None  # (version, sentences, tokens)
        db = self._local.db = PgConnection(psycopg.connect(url, autocommit=True))
        self.created = "0001_corpus.sql" in migrate(db)  # this process made the database's tables

    @property
    def db(self) -> PgConnection:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None or db.conn.closed:
            db = self._local.db = PgConnection(psycopg.connect(self.url, autocommit=True))
        return db

    def shared(self) -> PgSharedState:
        """The event ids, rate limits and notices every worker on this database shares."""
        return PgSharedState(lambda: self.db)

    def reader(self) -> PgReader:
        """The read side: every query the bot's questions run (corpus/reader.py)."""
        return PgReader(self)

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        """One write transaction on this thread's connection, queued behind any other writer's."""
        db = self.db
        with db.conn.transaction():
            db.execute("SELECT pg_advisory_xact_lock(?)", [WRITE_LOCK])
            yield db

    def _meta(self, key: str) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return int(row[0]) if row else 0

    def version(self) -> int:
        """A number that changes whenever the corpus changes (meta 'generation')."""
        return self._meta("generation")

    def bump(self) -> None:
        """Mark the corpus as changed, so answering processes reload what they keep."""
        self.db.execute("INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
                        "DO UPDATE SET value = (CAST(meta.value AS BIGINT) + 1)::text")

    def articles_version(self) -> int:
        """A counter every insert or delete of an article moves on (the migration's trigger)."""
        return self._meta("articles_version")

    def derived_stale(self) -> bool:
        """Whether entities and the answer tables were rebuilt from fewer articles than there are now."""
        return self._meta("derived_version") < self.articles_version()

    def damage(self, error: BaseException) -> str | None:
        """None: a Postgres server reports its own damage; gapbot has no file to check."""
        return None

    def backup(self, path: str) -> None:
        """A consistent pg_dump archive (custom format, one snapshot, so safe while workers write) of the
        database at path, to restore with pg_restore; OSError with pg_dump's reason if it cannot be made."""
        dump = shutil.which("pg_dump")
        if dump is None:
            raise OSError("pg_dump is not on PATH (install PostgreSQL's client tools, of the server's "
                          "version or newer)")
        params = psycopg.conninfo.conninfo_to_dict(self.url)
        secret = {"PGPASSWORD": str(params.pop("password"))} if "password" in params else {}
        # the password goes by the environment, never on a command line that `ps` shows
        done = subprocess.run([dump, "--format=custom", f"--file={path}", "--dbname",
                               psycopg.conninfo.make_conninfo("", **params)],
                              env={**os.environ, **secret}, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise OSError(pg_dump_reason(done.stderr) or f"pg_dump failed ({done.returncode})")

    @contextmanager
    def indexing(self) -> Iterator[None]:
        """Held (a shared advisory lock on a connection of its own) while this process indexes."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock_shared(%s)", [INDEXING_LOCK])
            try:
                yield
            finally:  # at once: the server ends a closed connection's session (and its locks) a moment later
                conn.execute("SELECT pg_advisory_unlock_shared(%s)", [INDEXING_LOCK])

    @contextmanager
    def changing_schema(self) -> Iterator[None]:
        """Held while this process adds tables of its own to the database: the migrations' advisory lock, on a
        connection of its own, so workers starting together take turns with each other and with migrations."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])

    def indexer_running(self) -> bool:
        """Whether any process holds indexing() now."""
        if self.db.execute("SELECT pg_try_advisory_lock(?)", [INDEXING_LOCK]).fetchone() == (True,):
            self.db.execute("SELECT pg_advisory_unlock(?)", [INDEXING_LOCK])
            return False
        return True

    # --- corpus.storage.IngestStore -------------------------------------------------------------------------
    def newest_article(self) -> int:
        """The seq of the newest article (0 when empty)."""
        return self.db.execute("SELECT COALESCE(max(seq), 0) FROM articles").fetchone()[0]

    def find_duplicate(self, p: Prepared, *, after: int = 0) -> Duplicate | None:
        """The indexed article (past seq `after`) that p repeats, if any."""
        return pg_write.find_duplicate(self.db, p, after=after)

    def record_duplicate(self, p: Prepared, dup: Duplicate) -> None:
        """Note, in its own transaction, that p's source repeats an indexed article."""
        with self.transaction() as db:
            write.record_duplicate(db, p, dup)

    def write_article(self, p: Prepared, *, after: int, summary: list[str], spans: list[SpanOut],
                      claims: list[Claim], contexts: list[str],
                      vectors: list[tuple[str, str, bytes]]) -> Duplicate | None:
        """Every row of p in one transaction, unless an article committed past `after` makes it a
        duplicate: then that is recorded instead and returned."""
        with self.transaction() as db:
            dup = pg_write.find_duplicate(db, p, after=after)
            if dup:
                write.record_duplicate(db, p, dup)
                return dup
            pg_write.insert_article(db, p, summary=summary, spans=spans, claims=claims, contexts=contexts,
                                    vectors=vectors)
        return None

    def stored_vectors(self, model: str, hashes: list[str]) -> dict[str, bytes]:
        """hash -> float32 vector blob of the sentence texts already embedded with `model`."""
        return pg_write.stored_vectors(self.db, model, hashes)

    def rebuild_derived(self) -> None:
        """Rebuild entities and the /who and /gap answer tables, and bump the generation (one transaction)."""
        rebuild_entities(self, self.reader())

    # --- corpus.storage.SearchStore -------------------------------------------------------------------------
    def vector_index(self, model: str, dim: int, *, generation: int) -> HnswIndex:
        """The HNSW index of `model`'s vectors (nothing is loaded: Postgres searches it)."""
        return HnswIndex(self, model, self.vector_count(model))

    def vector_count(self, model: str) -> int:
        """How many sentences have a vector from `model`."""
        return self.db.execute("SELECT count(*) FROM sentence_vectors WHERE model = ?", [model]).fetchone()[0]

    def match(self, expr: str, limit: int) -> dict[int, float]:
        """sentence id -> BM25 score (higher is better) of the sentences matching an FTS5 OR-expression,
        scored as SQLite's bm25() scores them."""
        phrases = [t for t in (pg_text.words(p) for p in pg_text.fts5_phrases(expr)) if t]
        if not phrases:
            return {}
        version = self.version()
        n, tokens = self._stats(version)
        hits = [self._hits(t, version) for t in phrases]
        idf = [max(math.log((n - c + 0.5) / (c + 0.5)), 1e-6) for c in hits]
        rows = self.db.execute(BM25, [tokens / n if n else 1.0, [t[0] for t in phrases], idf,
                                      int(limit)]).fetchall()
        return {int(sid): float(score) for sid, score in rows}

    def match_count(self, expr: str) -> int:
        """How many sentences an FTS5 OR-expression matches."""
        phrases = [t for t in (pg_text.words(p) for p in pg_text.fts5_phrases(expr)) if t]
        if len(phrases) == 1:
            return self._hits(phrases[0], self.version())
        return self.counts([_any(phrases)])[0] if phrases else 0

    def _hits(self, phrase: list[str], version: int) -> int:
        """How many sentences have the phrase: a single token's postings are counted from their index alone
        (a common word's GIN count reads every matching row)."""
        if len(phrase) > 1:
            return self.counts([_any([phrase])], version=version)[0]
        key = (version, "postings:" + phrase[0])
        if key not in self._counts:
            self._counts[key] = self.db.execute("SELECT count(*) FROM sentence_terms WHERE term = ?",
                                                phrase).fetchone()[0]
        return self._counts[key]

    def counts(self, tsqueries: list[str], *, version: int | None = None) -> list[int]:
        """How many sentences match each tsquery (every sentence for ''), kept until the corpus changes."""
        version = self.version() if version is None else version
        if len(self._counts) > 50_000:
            self._counts.clear()
        for q in tsqueries:
            if (version, q) not in self._counts:
                sql = "SELECT count(*) FROM sentences" + (" WHERE lex @@ CAST(? AS tsquery)" if q else "")
                self._counts[(version, q)] = self.db.execute(sql, [q] if q else []).fetchone()[0]
        return [self._counts[(version, q)] for q in tsqueries]

    def _stats(self, version: int) -> tuple[int, float]:
        """(sentences, their tokens) for BM25's idf and average length, kept until the corpus changes."""
        if self._sizes is None or self._sizes[0] != version:
            n, tokens = self.db.execute("SELECT count(*), COALESCE(sum(lex_len), 0)::float8 FROM sentences"
                                        ).fetchone()
            self._sizes = (version, n, tokens)
        return self._sizes[1], self._sizes[2]

    def sentence_high_water(self) -> int:
        """The highest sentence id."""
        return self.db.execute("SELECT COALESCE(max(id), 0) FROM sentences").fetchone()[0]

    def sentence_rows(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        """id -> {id, article_id, kind, text, context (its passage), title, prev_id} of these sentences."""
        return sentence_rows(self.db, ids)

    def sentence_vector(self, model: str, sid: int) -> np.ndarray | None:
        """One sentence's stored vector of `model`."""
        row = self.db.execute("SELECT e.vector FROM sentences s JOIN embeddings e ON e.hash = s.hash AND "
                              "e.model = ? WHERE s.id = ?", [model, sid]).fetchone()
        return np.frombuffer(bytes(row[0]), dtype=np.float32) if row else None

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _any(phrases: list[list[str]]) -> str:
    """A tsquery matching any of the phrases."""
    return " | ".join(f"({pg_text.phrase(t)})" for t in phrases)


def pg_dump_reason(stderr: str) -> str:
    """pg_dump's error and its detail (e.g. both versions of a mismatch) on one line."""
    said = [ln.removeprefix("pg_dump: ") for ln in stderr.splitlines() if ln.strip()]
    kept = [ln.removeprefix("error: ").removeprefix("detail: ") for ln in said
            if ln.startswith(("error: ", "detail: "))]
    return "; ".join(kept or said[:1])
