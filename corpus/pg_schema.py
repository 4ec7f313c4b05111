"""The Postgres database: connecting (psycopg 3), speaking to it as the SQLite code speaks (qmark parameters,
rows as tuples or dicts), and its numbered migrations (corpus/migrations/postgres), applied under an advisory
lock so that many workers can start at once against a new database."""
from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any, Iterable, Iterator, Sequence

import psycopg
from psycopg.rows import dict_row

from corpus.schema import ForeignDatabase

MIGRATION_LOCK = 0x6761_7062_0001  # pg_advisory_lock key held while a process migrates ("gapb" + 1)

@functools.lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """SQLite's qmark parameters (?) as psycopg's (%s), a literal % doubled; quoted text is left alone."""
    return re.sub(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")|\?|%""",
                  lambda m: m.group(1) or ("%s" if m.group(0) == "?" else "%%"), sql)


class PgConnection:
    """A psycopg connection with the calls the engine-neutral corpus code makes on a sqlite3 connection."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement with ? parameters; the cursor has fetchone(), fetchall() and iteration."""
        return self.conn.execute(pg_sql(sql), list(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""
        with self.conn.cursor() as cur:
            cur.executemany(pg_sql(sql), [list(r) for r in rows])

    def query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts, as sqlite_utils.Database.query yields them."""
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(pg_sql(sql), list(params))
            yield from cur.fetchall()

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def connect(url: str) -> PgConnection:
    """A new autocommit connection to the database at url, its schema brought up to date."""
    conn = PgConnection(psycopg.connect(url, autocommit=True))
    migrate(conn)
    return conn


def migrations() -> list[tuple[str, str]]:
    """(name, sql) of every Postgres migration shipped in corpus/migrations/postgres, in order."""
    folder = resources.files("corpus") / "migrations" / "postgres"
    files = sorted((p for p in folder.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def applied(conn: PgConnection) -> set[str]:
    """The names of the migrations this database has seen (none for a new database)."""
    if conn.execute("SELECT to_regclass('_migrations') IS NULL").fetchone() == (True,):
        return set()
    return {r[0] for r in conn.execute("SELECT name FROM _migrations")}


def migrate(conn: PgConnection) -> list[str]:
    """Apply the migrations this database has not seen yet, each in its own transaction; returns their names.
    Workers starting together queue on an advisory lock, and each re-reads what is applied once it holds it,
    so every migration runs once."""
    known = migrations()
    done = applied(conn)
    _refuse_newer(done, known)
    if all(name in done for name, _ in known):
        return []
    conn.execute("SELECT pg_advisory_lock(?)", [MIGRATION_LOCK])
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = applied(conn)
        out = []
        for name, sql in known:
            if name not in done:
                with conn.conn.transaction():
                    conn.conn.execute(sql.encode())  # several statements: the simple query protocol
                    conn.execute("INSERT INTO _migrations VALUES (?, now()::text)", [name])
                out.append(name)
        return out
    finally:
        conn.execute("SELECT pg_advisory_unlock(?)", [MIGRATION_LOCK])


def _refuse_newer(done: set[str], known: list[tuple[str, str]]) -> None:
    newer = sorted(done - {name for name, _ in known})
    if newer:
        raise ForeignDatabase(f"this Postgres database was written by a newer gapbot (migration {newer[0]} "
                              f"is unknown to this version); gapbot leaves it unchanged. Upgrade gapbot to "
                              f"open it.")
