"""Throughput with concurrent clients: N processes, each with its own corpus, answering through handle().

Run as a child (`python -m bench.clients DB_OR_URL QUESTIONS.json --clients 4 --seconds 30`). Each client is a
process (as each worker of a deployment is), opens the corpus, answers every command once (the model and
indexes load), waits for the others, then cycles through `/ask` (questions rotating), `/who iflytek` and
`/gap` until the time is up. Prints commands per second over all clients and p50 / p95 per command, as JSON.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from typing import Any

from bench.answer import percentile

MIX = ("/ask", "/who iflytek", "/gap")


def texts(questions: list[str], start: int):
    """(command, text) for call i of a client, the questions rotating from `start`."""
    def at(i: int) -> tuple[str, str]:
        name = MIX[i % len(MIX)]
        return name, "/ask " + questions[(start + i // len(MIX)) % len(questions)] if name == "/ask" else name
    return at


def client(db: str, questions: list[str], seconds: float, start: int, ready, results) -> None:
    """One client process: warm up, wait for the rest, then answer until the time is up."""
    from bot.core import handle
    from bot.reply import Request
    from corpus.api import Corpus

    corpus = Corpus.open(db, seed=False)
    at = texts(questions, start)
    for i in range(len(MIX)):
        handle(Request(at(i)[1]), corpus)
    ready.wait()
    times: dict[str, list[float]] = {name: [] for name in MIX}
    end, i = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        name, text = at(i)
        t = time.perf_counter()
        handle(Request(text), corpus)
        times[name].append((time.perf_counter() - t) * 1000)
        i += 1
    results.put(times)


def run(db: str, questions: list[str], *, clients: int, seconds: float) -> dict[str, Any]:
    """Start the clients, let them run together, and sum up what they answered."""
    ctx = mp.get_context("spawn")  # each client a fresh interpreter, as a worker process is
    ready, results = ctx.Barrier(clients + 1), ctx.Queue()
    procs = [ctx.Process(target=client, args=(db, questions, seconds, k * 7, ready, results))
             for k in range(clients)]
    for p in procs:
        p.start()
    ready.wait(timeout=600)
    t = time.perf_counter()
    got = [results.get(timeout=seconds + 600) for _ in procs]
    wall = time.perf_counter() - t
    for p in procs:
        p.join()
    merged = {name: [x for g in got for x in g[name]] for name in MIX}
    total = sum(len(v) for v in merged.values())
    return {"clients": clients, "seconds": wall, "commands": total, "per_s": total / wall,
            "by_command": {name: {"n": len(v), "p50": percentile(v, 50), "p95": percentile(v, 95)}
                           for name, v in merged.items()},
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("questions")
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--seconds", type=float, default=30.0)
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with open(args.questions, encoding="utf-8") as f:
        questions = json.load(f)
    print(json.dumps(run(args.db, questions, clients=args.clients, seconds=args.seconds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
