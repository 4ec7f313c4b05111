"""Copy an SQLite corpus into a new Postgres database: every table the bot reads, with the same rows and ids,
and the full-text rows, postings and vectors the Postgres writer makes (corpus/pg_write.py), so nothing is
embedded or extracted again. The benchmarks (bench/) use it to run both engines on the same corpus.

Rows go in with COPY in one transaction. The HNSW and GIN indexes are dropped first and built once at the end
from their own definitions (read from the database, so the migration stays the one place that says m and
ef_construction): filling them row by row is several times slower."""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from corpus.pg_schema import PgConnection
from corpus.pg_store import PgStore
from corpus.pg_write import lexical, literal

# parents before children; sentences and their postings are made by _copy_sentences
TABLES = ("articles", "duplicates", "passages", "sentences", "embeddings", "claims", "spans", "entities",
          "entity_names", "entity_sentences", "entity_facts", "gap_overview")
MADE_HERE = {"seq", "lex", "lex_len"}  # Postgres-only columns: its identity, and the full-text row
SEARCH_INDEXES = ("sentence_vectors_hnsw", "sentences_lex")
IDENTITIES = ("duplicates", "passages", "sentences", "claims", "spans", "entities")
META = ("generation", "articles_version", "derived_version", "answers_generation")
BATCH = 5_000

Progress = Callable[[str], None]


def copy_sqlite(path: str | Path, url: str, *, progress: Progress | None = None) -> dict[str, float]:
    """Copy the SQLite corpus at path into the empty Postgres corpus at url; rows per table and seconds."""
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    store = PgStore(url)
    try:
        db = store.db
        if db.execute("SELECT count(*) FROM articles").fetchone()[0]:
            raise ValueError(f"{store.path} already holds articles: copy into a new database")
        with db.conn.transaction():
            return _copy(src, db, progress or (lambda _msg: None))
    finally:
        src.close()
        store.close()


def _copy(src: sqlite3.Connection, db: PgConnection, progress: Progress) -> dict[str, float]:
    out: dict[str, float] = {}
    t = time.perf_counter()
    indexes = db.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(?)",
                         [list(SEARCH_INDEXES)]).fetchall()
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    for table in TABLES:
        copy = _copy_sentences if table == "sentences" else _copy_table
        out[table] = copy(src, db, table)
        progress(f"{table}: {out[table]:,} rows")
    out["sentence_vectors"] = _copy_vectors(src, db)
    _stamp(src, db)
    out["rows_s"] = time.perf_counter() - t
    db.execute("SET LOCAL maintenance_work_mem = '1GB'")  # the HNSW graph is built in memory
    for name, definition in indexes:
        t = time.perf_counter()
        db.execute(definition)
        out[f"{name}_s"] = time.perf_counter() - t
        progress(f"{name} built in {out[f'{name}_s']:.1f} s")
    db.execute("ANALYZE")
    return out


def _columns(src: sqlite3.Connection, db: PgConnection, table: str) -> list[str]:
    """The columns both engines' table has, in Postgres's order."""
    have = {r[1] for r in src.execute(f"PRAGMA table_info({table})")}
    cols = db.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                      "ORDER BY ordinal_position", [table]).fetchall()
    return [c for (c,) in cols if c in have and c not in MADE_HERE]


def _quoted(cols: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in cols)


def _batches(src: sqlite3.Connection, sql: str) -> Iterator[list[tuple]]:
    cur = src.execute(sql)
    while rows := cur.fetchmany(BATCH):
        yield rows


def _copy_table(src: sqlite3.Connection, db: PgConnection, table: str) -> int:
    """A table's rows as they are (articles in insertion order, so seq follows SQLite's rowid)."""
    cols = _columns(src, db, table)
    order = " ORDER BY rowid" if table == "articles" else ""
    n = 0
    with db.conn.cursor().copy(f"COPY {table} ({_quoted(cols)}) FROM STDIN") as cp:
        for rows in _batches(src, f"SELECT {_quoted(cols)} FROM {table}{order}"):
            for row in rows:
                cp.write_row(row)
            n += len(rows)
    return n


def _copy_sentences(src: sqlite3.Connection, db: PgConnection, table: str) -> int:
    """Sentences with their full-text rows, and their postings, as the Postgres writer makes them."""
    cols = _columns(src, db, table)
    text, context = cols.index("text"), cols.index("context")
    n = 0
    cursor = db.conn.cursor()
    for rows in _batches(src, f"SELECT {_quoted(cols)} FROM {table} ORDER BY id"):
        made = lexical([(r[text], r[context] or "") for r in rows])
        with cursor.copy(f"COPY sentences ({_quoted(cols)}, lex, lex_len) FROM STDIN") as cp:
            for row, (lex, length, _) in zip(rows, made):
                cp.write_row((*row, lex, length))
        with cursor.copy("COPY sentence_terms (term, sentence_id, f, len) FROM STDIN") as cp:
            for row, (_, length, freqs) in zip(rows, made):
                for term, f in freqs.items():
                    cp.write_row((term, row[0], f, length))
        n += len(rows)
    return n


def _copy_vectors(src: sqlite3.Connection, db: PgConnection) -> int:
    """Each sentence's vector of every model that embedded its text, from the by-hash cache."""
    n = 0
    with db.conn.cursor().copy("COPY sentence_vectors (sentence_id, model, vector) FROM STDIN") as cp:
        for rows in _batches(src, "SELECT s.id, e.model, e.vector FROM sentences s "
                                  "JOIN embeddings e ON e.hash = s.hash ORDER BY s.id"):
            for sid, model, blob in rows:
                cp.write_row((sid, model, literal(blob)))
            n += len(rows)
    return n


def _stamp(src: sqlite3.Connection, db: PgConnection) -> None:
    """Identity counters past the copied ids, and the generation stamps as the source had them (so the copy's
    entities and answer tables count as current, as they were there)."""
    for table in IDENTITIES:
        db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                   f"(SELECT COALESCE(max(id), 0) + 1 FROM {table}), false)")
    marks = src.execute(f"SELECT key, value FROM meta WHERE key IN ({','.join('?' * len(META))})", META)
    db.executemany("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                   "excluded.value", [(k, str(v)) for k, v in marks])
