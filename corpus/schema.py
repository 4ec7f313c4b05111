"""The SQLite file: opening it (WAL mode, owner checks), its numbered migrations, and the meta counters and
locks every connection shares."""
from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import sqlite_utils

from corpus.context import anaphoric

if TYPE_CHECKING:
    from corpus.storage import SqlConnection


class CorruptDatabase(Exception):
    """The database file cannot be read as a gapbot database."""


class ForeignDatabase(CorruptDatabase):
    """A readable SQLite file gapbot must not change: another application's, or from a newer gapbot."""


def migrations() -> list[tuple[str, str]]:
    """(name, sql) of every migration shipped in corpus/migrations, in order."""
    folder = resources.files("corpus") / "migrations"
    files = sorted((p for p in folder.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.create_function("anaphoric", 1, anaphoric, deterministic=True)  # used by migration 0004


def read_only(path: str | Path) -> bool:
    """Whether this process cannot write the database: the file or its
    folder (WAL needs -wal/-shm beside it)."""
    p = Path(path)
    return p.exists() and not (os.access(p, os.W_OK) and os.access(p.parent, os.W_OK))


def _open(path: str | Path, readonly: bool) -> sqlite3.Connection:
    if not readonly:
        return sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    # without -wal/-shm files and no right to create them, SQLite reads a WAL database only as immutable
    p = Path(path)
    wal = Path(f"{p}-wal")
    immutable = not (wal.exists() and wal.stat().st_size) and not Path(f"{p}-shm").exists()
    uri = f"{p.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False, isolation_level=None)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at path and bring its schema up to date; a database this process
    cannot write is opened read-only, as it is."""
    readonly = read_only(path)
    conn = _open(path, readonly)
    try:
        _configure(conn)  # the first statement to read the file: a damaged header fails here
        check_owner(conn, path)
        if not readonly:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise CorruptDatabase(f"{path} is not a readable gapbot database ({e}). Restore it from a backup "
                              f"(see `gapbot backup` in README.md), or move it away to start afresh.") from e
    except CorruptDatabase:
        conn.close()
        raise
    return sqlite_utils.Database(conn)


def check_owner(conn: sqlite3.Connection, path: str | Path) -> None:
    """Refuse another application's SQLite file and one written by a newer gapbot (never convert either)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    if tables and "_migrations" not in tables:
        shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise ForeignDatabase(f"{path} is another application's SQLite database (tables: {shown}), not a "
                              f"gapbot "
                              f"one; gapbot leaves it unchanged. Give gapbot a new file with --db.")
    if tables:
        known = {name for name, _ in migrations()}
        newer = sorted({r[0] for r in conn.execute("SELECT name FROM _migrations")} - known)
        if newer:
            raise ForeignDatabase(f"{path} was written by a newer gapbot (migration {newer[0]} is unknown "
                                  f"to this "
                                  f"version); gapbot leaves it unchanged. Upgrade gapbot to open it.")


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations this database has not seen yet; returns their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
    applied = []
    for name, sql in migrations():
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone() is None:
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (name,))
                applied.append(name)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows where each ends)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def meta_int(conn: SqlConnection, key: str) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return int(row[0]) if row else 0


def articles_version(conn: sqlite3.Connection) -> int:
    """A counter every insert or delete of an article moves on (migration 0007's triggers)."""
    return meta_int(conn, "articles_version")


def stamp_derived(conn: SqlConnection, version: int) -> bool:
    """In the rebuild's write transaction: record that the derived tables reflect articles_version `version`.
    False (and nothing recorded) when a rebuild from more articles has already committed: its tables are
    newer."""
    if meta_int(conn, "derived_version") > version:
        return False
    conn.execute("INSERT INTO meta(key, value) VALUES ('derived_version', ?) ON CONFLICT(key) "
                 "DO UPDATE SET value = excluded.value", [version])
    return True


@contextmanager
def indexing(path: str) -> Iterator[None]:
    """Held (shared, so indexers run side by side) while a process indexes into the database at path; the
    kernel drops it when the process dies, even by kill -9."""
    with open(f"{path}-indexing", "a") as f:
        fcntl.flock(f, fcntl.LOCK_SH)
        yield


@contextmanager
def changing_schema(path: str) -> Iterator[None]:
    """Held (alone) while a process adds tables beside the corpus's own, so workers starting together take
    turns; the kernel drops it when the process dies."""
    with open(f"{path}-schema", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def indexer_running(path: str) -> bool:
    """Whether any process holds indexing(path) now (False also when the lock file cannot be made)."""
    try:
        with open(f"{path}-indexing", "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return False
    except BlockingIOError:
        return True
    except OSError:
        return False
