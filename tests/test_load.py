"""Faults and load: indexing while another process answers 50 commands a second; a corrupt database;
backups."""
from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from load import Answerer, Tally, article

from corpus.api import Corpus
from corpus.embed import HashEmbedder


def write_articles(folder: Path, first: int, count: int, seed: int = 0) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(first, first + count):
        path = folder / f"a{i:04d}.html"
        path.write_text(article(i, seed), encoding="utf-8")
        paths.append(str(path))
    return paths


def index_while_answering(tmp_path: Path, *, batch: int, rounds: int = 1) -> tuple[Tally, float, int]:
    """Index `rounds` batches into a database a chat process is answering from; its tally, the indexing
    seconds, and how many articles the database ends with."""
    db = tmp_path / "load.db"
    corpus = Corpus.open(db, seed=False, embedder=HashEmbedder())
    corpus.index(write_articles(tmp_path / "first", 0, 3))
    answerer = Answerer(db).start()
    indexing = 0.0
    try:
        time.sleep(1.0)  # the chat process starts and answers from the first articles
        for r in range(rounds):
            start = time.monotonic()
            results = corpus.index(write_articles(tmp_path / f"batch{r}", 3 + r * batch, batch, seed=r))
            indexing += time.monotonic() - start
            assert [x.status for x in results] == ["added"] * batch, results
        deadline = time.monotonic() + 10
        while ((not answerer.tally.counts or answerer.tally.counts[-1] < corpus.count())
               and time.monotonic() < deadline):
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        tally = answerer.stop()
    return tally, indexing, corpus.count()


def report(tally: Tally) -> str:
    lat = sorted(tally.latencies)
    return (f"{tally.answers} answers ({tally.asks} /ask) in {tally.seconds:.1f} s ({tally.rate:.1f}/s), "
            f"p50 {statistics.median(lat) * 1000:.0f} ms, p99 {lat[int(len(lat) * 0.99)] * 1000:.0f} ms, "
            f"{len(tally.errors)} errors, {len(tally.wrong)} wrong")


def test_indexing_a_batch_while_another_process_answers_50_a_second(tmp_path: Path) -> None:
    tally, indexing, total = index_while_answering(tmp_path, batch=20)
    print("\n" + report(tally) + f", indexing {indexing:.1f} s")
    assert tally.errors == [] and tally.wrong == []
    assert tally.counts[-1] == total == 23  # every committed article reached the answers
    assert tally.counts == sorted(tally.counts) and len(set(tally.counts)) > 2  # seen growing, never back
    assert tally.answers == tally.sent and tally.rate > 45
    assert len(tally.listed) == 23 and tally.asks > 50


@pytest.mark.stress
def test_stress_indexing_batches_while_answering(tmp_path: Path) -> None:
    tally, indexing, total = index_while_answering(tmp_path, batch=100, rounds=5)
    print("\n" + report(tally) + f", {total} articles, indexing {indexing:.0f} s")
    assert tally.errors == [] and tally.wrong == [] and tally.counts[-1] == total == 503
    assert tally.counts == sorted(tally.counts)
