"""An answering process: warm latency of each command through handle(), and its own peak RSS.

Run as a child (`python -m bench.answer DB QUESTIONS.json`) so each corpus size gets a fresh process and the
RSS figure is that of a process that has answered every command at that size. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import psutil


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def timed_loop(call: Callable[[int], object], *, calls: int, budget_s: float, min_calls: int = 3) -> dict:
    """Run call(i) up to `calls` times (fewer, but at least min_calls, when over budget); ms figures."""
    times: list[float] = []
    start = time.perf_counter()
    for i in range(calls):
        t = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - t) * 1000)
        if i + 1 >= min_calls and time.perf_counter() - start > budget_s:
            break
    return {"n": len(times), "p50": percentile(times, 50), "p95": percentile(times, 95),
            "mean": statistics.fmean(times), "max": max(times)}


T = TypeVar("T")


class TooSlow(BaseException):
    """One call ran past its limit (a BaseException, so handle()'s catch-all does not swallow it)."""


def within(seconds: float, fn: Callable[[], T]) -> T:
    """fn(), or TooSlow once it has run `seconds` (checked between Python steps,
    so a long SQL call ends first)."""
    def alarm(_sig, _frame):
        raise TooSlow

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def commands(questions: list[str]) -> dict[str, Callable[[int], str]]:
    """name -> the text typed for call i (/ask rotates through the questions so each call embeds anew)."""
    return {"/gap": lambda i: "/gap", "/who iflytek": lambda i: "/who iflytek",
            "/ask": lambda i: "/ask " + questions[i % len(questions)], "/sources": lambda i: "/sources"}


def run(db: str, questions: list[str], *, calls: int, budget_s: float, embedder: str,
        call_limit_s: float = 120.0) -> dict:
    """Open the corpus, answer each command once (first call), then time warm calls."""
    from bot.core import handle
    from bot.reply import Request
    from corpus.api import Corpus

    proc = psutil.Process()
    emb = None
    if embedder == "hash":
        from corpus.embed import HashEmbedder

        emb = HashEmbedder()
    t = time.perf_counter()
    corpus = Corpus.open(db, seed=False, embedder=emb)
    out: dict = {"open_ms": (time.perf_counter() - t) * 1000, "commands": {}, "rss_after_mb": {}}
    for name, text in commands(questions).items():
        t = time.perf_counter()
        try:
            reply = within(call_limit_s, lambda: handle(Request(text(0)), corpus))
        except TooSlow:
            out["commands"][name] = {"n": 0, "p50": float("inf"), "p95": float("inf"), "mean": float("inf"),
                                     "max": float("inf"), "first_ms": float("inf"),
                                     "stopped_after_s": call_limit_s}
            out["rss_after_mb"][name] = proc.memory_info().rss / 2**20
            continue
        first = (time.perf_counter() - t) * 1000
        res = timed_loop(lambda i: handle(Request(text(i)), corpus),  # runs before the loop moves on
                         calls=calls, budget_s=budget_s, min_calls=1 if first > budget_s * 1000 / 3 else 3)
        res.update(first_ms=first, answered=reply.answered, chars=len(reply.text))
        out["commands"][name] = res
        out["rss_after_mb"][name] = proc.memory_info().rss / 2**20
    for mode in ("hybrid", "bm25", "dense"):
        out["commands"][f"search {mode}"] = timed_loop(
            lambda i: corpus.search(questions[i % len(questions)], limit=10, mode=mode),
            calls=calls, budget_s=budget_s)
    out["peak_rss_mb"] = peak_rss_mb()
    out["vector_index"] = corpus.searcher.describe() if hasattr(corpus.searcher,
                                                                "describe") else "numpy float32"
    out["loaded_torch"] = "torch" in sys.modules
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("questions", help="JSON list of questions for /ask")
    p.add_argument("--calls", type=int, default=200)
    p.add_argument("--budget", type=float, default=60.0, help="seconds per command before stopping early")
    p.add_argument("--embedder", default="minilm", choices=["minilm", "hash"])
    p.add_argument("--call-limit", type=float, default=120.0,
                   help="seconds one call may take before it is stopped")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with open(args.questions, encoding="utf-8") as f:
        questions = json.load(f)
    res = run(args.db, questions, calls=args.calls, budget_s=args.budget, embedder=args.embedder,
              call_limit_s=args.call_limit)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
