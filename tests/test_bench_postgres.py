"""Both engines in the benchmarks (issue 16): an SQLite corpus copied into Postgres (corpus/pg_copy.py)
carries every sentence and vector and answers as the original does; the report puts the engines side by
side."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, ask

from bench import report
from corpus.api import Corpus
from corpus.embed import HashEmbedder
from corpus.pg_copy import copy_sqlite

SCRAPES = ROOT / "tests" / "fixtures" / "scrapes"
ARTICLES = [SCRAPES / "drone_rivals.txt", SCRAPES / "lab_rivalry.txt"]
QUERY = "drone makers and their rivals"


@pytest.fixture()
def copied(tmp_path: Path, pg_url: str) -> tuple[Corpus, Corpus, dict]:
    """(SQLite original, its Postgres copy, the copy's figures)."""
    sqlite = Corpus.open(tmp_path / "original.db", seed=False, embedder=HashEmbedder())
    sqlite.index([str(p) for p in ARTICLES])
    figures = copy_sqlite(tmp_path / "original.db", pg_url)
    return sqlite, Corpus.open(pg_url, seed=False, embedder=HashEmbedder()), figures


def test_the_copy_carries_every_sentence_and_its_vector(copied) -> None:
    sqlite, pg, figures = copied
    ids = set(range(1, sqlite.store.sentence_high_water() + 1))
    rows = sqlite.store.sentence_rows(ids)
    assert len(rows) == figures["sentences"] == figures["sentence_vectors"] > 10
    assert pg.store.sentence_rows(ids) == rows
    model = sqlite.embedder.name
    index = pg.store.vector_index(model, sqlite.embedder.dim, generation=pg.store.version())
    for sid in rows:
        vector = sqlite.store.sentence_vector(model, sid)
        assert vector is not None
        nearest = index.top(vector, 1)
        # its own vector, found through the HNSW index (a repeated text shares it)
        assert pytest.approx(float(np.dot(vector, vector)), abs=1e-5) == max(nearest.values())


def test_the_copy_answers_and_ranks_as_the_original(copied) -> None:
    sqlite, pg, _ = copied
    for text in ("/gap", "/sources", "/who Rosa Lindqvist"):
        assert ask(pg, text).text == ask(sqlite, text).text, text
    for mode in ("bm25", "hybrid"):
        got, want = ([(h.sentence_id, round(h.score, 5)) for h in c.search(QUERY, mode=mode)]
                     for c in (pg, sqlite))
        assert got == want and got, mode


def test_the_copy_takes_new_articles_after_the_copied_ids(copied, tmp_path: Path) -> None:
    _, pg, _ = copied
    before = pg.store.sentence_high_water()
    added = pg.index([str(SCRAPES / "robotics_fair.txt")])
    assert [r.status for r in added] == ["added"]
    assert pg.store.sentence_high_water() > before


def test_a_copy_into_a_database_that_has_articles_is_refused(copied, tmp_path: Path) -> None:
    _, pg, _ = copied
    with pytest.raises(ValueError, match="already holds articles"):
        copy_sqlite(tmp_path / "original.db", pg.store.url)


def _answer(ask_ms: float) -> dict:
    command = {"n": 200, "p50": ask_ms, "p95": ask_ms * 2, "mean": ask_ms, "max": ask_ms * 3,
               "first_ms": 6000.0}
    return {"commands": {"/ask": command, "/who iflytek": command, "/gap": command}, "peak_rss_mb": 500.0,
            "vector_index": "an index"}


def _clients(per_s: float) -> dict:
    return {"clients": 4, "seconds": 30.0, "commands": int(per_s * 30), "per_s": per_s, "load": "1.0",
            "by_command": {"/ask": {"n": 10, "p50": 1.0, "p95": 2.0}}}


def test_the_report_puts_the_engines_side_by_side() -> None:
    results = {
        "sizes": {"10k": {"answer": _answer(25.0), "clients": _clients(11.0), "built": "then", "load": "1"}},
        "postgres": {"server": {"server": "18.6", "pgvector": "0.8.6", "settings": {"fsync": "off"}},
                     "machine": {"commit": "abc", "load_start": "1", "load_end": "2"},
                     "sizes": {"10k": {"answer": _answer(42.0), "clients": _clients(7.5), "built": "now",
                                       "load": "2"}}}}
    latency, clients = report.engines_md(results), report.clients_md(results)
    assert "| ms, p50 / p95 | SQLite 10k | Postgres 10k |" in latency
    assert "| `/ask` | 25.0 / 50.0 | 42.0 / 84.0 |" in latency
    assert "| commands / s | **11.0** (330 in 30 s) | **7.5** (225 in 30 s) |" in clients
    assert "pgvector 0.8.6" in report.server_line(results)


def test_without_postgres_figures_the_report_says_so() -> None:
    results = {"sizes": {"10k": {"answer": _answer(25.0)}}}
    assert "not measured" in report.engines_md(results)
    assert report.server_line(results) == ""
