"""Vector search methods compared on one database: exact float32 NumPy against the IVF-SQ8 index.

Run as a child (`python -m bench.vectors DB QUESTIONS.json`): query ms (median over the gold questions' real
vectors), recall@10 and recall@100 against exact search, memory of the vectors and build time. Prints JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from typing import Any


def timed(fn, queries) -> tuple[float, list]:
    """Median ms of fn over the queries, and its results."""
    times, results = [], []
    for q in queries:
        t = time.perf_counter()
        results.append(fn(q))
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), results


def recall(got: list[dict], want: list[dict]) -> float:
    """Mean share of the exact top ids that the approximate search also returned."""
    return statistics.fmean(len(set(g) & set(w)) / max(len(w), 1) for g, w in zip(got, want))


def run(db_path: str, questions: list[str]) -> dict:
    """Both methods on the same vectors and queries."""
    from corpus.embed import MiniLMEmbedder
    from corpus.vectors import ExactIndex, IVFIndex, count

    emb = MiniLMEmbedder()
    queries = list(emb.encode(questions))
    db = sqlite3.connect(db_path)
    n = count(db, emb.name)
    t = time.perf_counter()
    exact = ExactIndex.load(db, emb.name, emb.dim, n)
    out: dict[str, Any] = {"n": n, "exact": {"load_s": time.perf_counter() - t,
                                             "mb": exact.vectors.nbytes / 2**20}}
    for k in (10, 100):
        ms, want = timed(lambda q, k=k: exact.top(q, k), queries)
        out["exact"][f"ms@{k}"] = ms
        out.setdefault("_want", {})[k] = want
    t = time.perf_counter()
    ivf = IVFIndex.build(db, emb.name, emb.dim, n)
    out["ivf"] = {"build_s": time.perf_counter() - t, "mb": n * ivf.index.code_size / 2**20,
                  "describe": ivf.describe()}
    for k in (10, 100):
        ms, got = timed(lambda q, k=k: ivf.top(q, k), queries)
        out["ivf"][f"ms@{k}"] = ms
        out["ivf"][f"recall@{k}"] = recall(got, out["_want"][k])
    del out["_want"]
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("questions")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with open(args.questions, encoding="utf-8") as f:
        questions = json.load(f)
    print(json.dumps(run(args.db, questions)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
