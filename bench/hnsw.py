"""pgvector's HNSW index against exact search on the same vectors: recall and latency per ef_search.

Run as a child (`python -m bench.hnsw SQLITE_DB PG_URL QUESTIONS.json`): the SQLite corpus and its copy in
Postgres hold the same vectors under the same sentence ids, so the exact top k (float32 NumPy,
corpus/vectors.py) is the truth the HNSW results are scored against. Queries are the gold questions' real
vectors; recall is given both as the share of the exact ids found and as the share of results scoring at
least the exact k-th (ties count); latency is HnswIndex.top (corpus/pg_vectors.py), round trip included, as
the searcher pays it. Prints JSON."""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from typing import Any

from bench.answer import percentile
from bench.vectors import recall

EF_SEARCH = (40, 100, 200, 400)
TIE = 1e-5  # scores this close to the exact k-th count as tied with it
K = (10, 100)


def run(db_path: str, url: str, questions: list[str]) -> dict:
    """Exact top 10 and 100, then HNSW at each ef_search and at what gapbot asks (k = the search pool)."""
    from corpus.embed import MiniLMEmbedder
    from corpus.pg_store import PgStore
    from corpus.pg_vectors import EF_SEARCH as DEFAULT
    from corpus.pg_vectors import HnswIndex
    from corpus.search import POOL
    from corpus.vectors import ExactIndex, count

    emb = MiniLMEmbedder()
    queries = list(emb.encode(questions))
    db = sqlite3.connect(db_path)
    exact = ExactIndex.load(db, emb.name, emb.dim, count(db, emb.name))
    want = {k: [exact.top(q, k) for q in queries] for k in K}
    store = PgStore(url)
    out: dict[str, Any] = {"n": len(exact), "queries": len(queries), "default_ef_search": DEFAULT,
                           "pool": POOL, "runs": []}
    for ef in EF_SEARCH:
        for k in K:
            index = HnswIndex(store, emb.name, len(exact), ef_search=ef)
            _times(index, queries, k)  # first pass: pages into the cache
            ms, got, p95 = _times(index, queries, k)
            out["runs"].append({"ef_search": max(k, ef), "asked": ef, "k": k, "ms": ms, "p95": p95,
                                "recall": recall(got, want[k]), "tied_recall": tied_recall(got, want[k]),
                                "gapbot": k == POOL and ef == DEFAULT})
    store.close()
    return out


def tied_recall(got: list[dict], want: list[dict]) -> float:
    """Mean share of the results scoring at least the exact k-th score: a result tied with the exact ones
    counts (a third of the synthetic sentences repeat another's text, so share its vector, and exact search
    breaks such ties by position alone)."""
    return statistics.fmean(sum(s >= min(w.values()) - TIE for s in g.values()) / max(len(w), 1)
                            for g, w in zip(got, want))


def _times(index, queries, k: int) -> tuple[float, list, float]:
    """Median ms, results and p95 ms of index.top over the queries."""
    times, got = [], []
    for q in queries:
        t = time.perf_counter()
        got.append(index.top(q, k))
        times.append((time.perf_counter() - t) * 1000)
    return percentile(times, 50), got, percentile(times, 95)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("url")
    p.add_argument("questions")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with open(args.questions, encoding="utf-8") as f:
        questions = json.load(f)
    print(json.dumps(run(args.db, args.url, questions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
