"""The Postgres schema (corpus/pg_schema.py): numbered migrations applied once, even by workers starting
together against a new database; the qmark-to-psycopg parameter translation the shared SQL relies on."""
from __future__ import annotations

import threading

import psycopg
import pytest

from corpus.pg_schema import PgConnection, connect, migrate, migrations, pg_sql
from corpus.schema import ForeignDatabase


def test_question_marks_become_parameters_but_not_inside_quoted_text() -> None:
    assert pg_sql("SELECT a FROM t WHERE b = ? AND c LIKE '%?%' AND d = ?") == \
        "SELECT a FROM t WHERE b = %s AND c LIKE '%?%' AND d = %s"
    assert pg_sql('SELECT "x?" , 5 % 2 FROM t') == 'SELECT "x?" , 5 %% 2 FROM t'


def test_a_new_database_gets_every_migration_and_the_corpus_tables(pg_url: str) -> None:
    conn = connect(pg_url)
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == [name for name, _ in migrations()]
    tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"articles", "sentences", "claims", "entities", "sentence_vectors", "meta"} <= tables
    assert conn.execute("SELECT count(*) FROM articles").fetchone() == (0,)


def test_workers_opening_a_new_database_at_once_apply_each_migration_once(pg_url: str) -> None:
    start, errors, applied = threading.Barrier(8), [], []

    def worker() -> None:
        start.wait()
        try:
            with psycopg.connect(pg_url, autocommit=True) as raw:
                applied.append(migrate(PgConnection(raw)))
        except Exception as e:  # noqa: BLE001 -- every failure is reported by the assert below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(applied, key=len) == [[]] * 7 + [[name for name, _ in migrations()]]
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM _migrations").fetchone() == (len(migrations()),)


def test_a_database_from_a_newer_gapbot_is_refused(pg_url: str) -> None:
    connect(pg_url).execute("INSERT INTO _migrations VALUES ('9999_future.sql', now()::text)")
    with pytest.raises(ForeignDatabase, match="newer gapbot"):
        connect(pg_url)
