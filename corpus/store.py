"""The SQLite store: one connection per thread, WAL mode, schema from numbered migrations."""
from __future__ import annotations

import sqlite3
import threading
from importlib import resources
from pathlib import Path

import sqlite_utils

from corpus.context import anaphoric


class CorruptDatabase(Exception):
    """The database file cannot be read as a gapbot database."""


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


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database at path and bring its schema up to date."""
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
    try:
        _configure(conn)  # the first statement to read the file: a damaged header fails here
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
    except sqlite3.DatabaseError as e:
        conn.close()
        raise CorruptDatabase(f"{path} is not a readable gapbot database ({e}). Restore it from a backup "
                              f"(see `gapbot backup` in README.md), or move it away to start afresh.") from e
    return sqlite_utils.Database(conn)


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


class Store:
    """Thread-safe access to one database file: each thread gets its own connection."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._local = threading.local()
        self._damage: str | None = None
        _ = self.db  # open once now so schema errors surface at start-up

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
                self._damage = (f"the database {self.path} is damaged ({problem[:200]}). Stop gapbot and restore "
                                f"it from a backup (see `gapbot backup` in README.md).")
        return self._damage

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None


class _Transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
