"""cProfile of one command through handle() (or of indexing), summarised as JSON for the report.

`python -m bench.profile DB "/gap" --calls 3` or `python -m bench.profile DB --index SOURCE...`.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
from pathlib import Path

PROJECT = ("/bot/", "/corpus/", "/adapters/")


def summarise(prof: cProfile.Profile, *, calls: int, top: int = 8) -> dict:
    """The functions that cost most, per call: overall by own time, and project code by cumulative time."""
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows = []
    for (file, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.items():
        where = f"{Path(file).name}:{line}({name})" if file != "~" else name
        project = any(p in file for p in PROJECT) and "/.venv/" not in file
        rows.append({"func": where, "project": project, "ncalls": ncalls // calls,
                     "own_ms": tottime * 1000 / calls, "cum_ms": cumtime * 1000 / calls})
    own = sorted(rows, key=lambda r: -r["own_ms"])[:top]
    cum = sorted((r for r in rows if r["project"]), key=lambda r: -r["cum_ms"])[:top]
    return {"calls": calls, "by_own_time": own, "project_by_cumulative": cum}


def profile_command(db: str, text: str, calls: int) -> dict:
    """Profile `calls` warm calls of one command (after one unprofiled call)."""
    from bot.core import handle
    from bot.reply import Request
    from corpus.api import Corpus

    corpus = Corpus.open(db, seed=False)
    handle(Request(text), corpus)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        handle(Request(text), corpus)
    prof.disable()
    return summarise(prof, calls=calls)


def profile_index(db: str, sources: list[str]) -> dict:
    """Profile indexing the sources into a fresh database with a warm model."""
    from corpus.api import Corpus
    from corpus.embed import MiniLMEmbedder

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    from corpus.extract.entities import nlp

    emb = MiniLMEmbedder()
    emb.encode(["warm up"])
    nlp()
    corpus = Corpus.open(db, seed=False, embedder=emb)
    prof = cProfile.Profile()
    prof.enable()
    corpus.index(sources)
    prof.disable()
    return summarise(prof, calls=1, top=10)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    p = argparse.ArgumentParser()
    p.add_argument("db")
    p.add_argument("text", nargs="*", help="the command, or with --index the sources")
    p.add_argument("--calls", type=int, default=5)
    p.add_argument("--index", action="store_true")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.index:
        out = profile_index(args.db, args.text)
    else:
        out = profile_command(args.db, " ".join(args.text), args.calls)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
