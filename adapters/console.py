"""Console sub-commands: index, ask, chat, search, show, backup."""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from bot.core import handle
from bot.reply import Reply, Request
from corpus.index import Corpus
from corpus.store import CorruptDatabase


class FatalError(Exception):
    """A problem that stops the command, shown as one line."""


def open_corpus(db: str, *, seed: bool) -> Corpus:
    """Open the database, turning a corrupt file into a one-line error."""
    try:
        return Corpus.open(db, seed=seed)
    except CorruptDatabase as e:
        raise FatalError(str(e)) from e


def run(args: argparse.Namespace, *, db: str, seed: bool) -> int:
    """Dispatch one console sub-command."""
    corpus = open_corpus(db, seed=seed)
    return {"index": cmd_index, "ask": cmd_ask, "chat": cmd_chat, "search": cmd_search,
            "show": cmd_show, "backup": cmd_backup}[args.cmd](args, corpus)


def cmd_index(args: argparse.Namespace, corpus: Corpus) -> int:
    """Index sources with a progress line on stderr and a summary on stdout."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task("", total=None)

        def step(done: int, total: int, source: str) -> None:
            bar.update(task, completed=done, total=total, description=source[-60:])

        results = corpus.index(args.sources, progress=step)
    for r in results:
        if args.json:
            print(json.dumps(r.to_json(), ensure_ascii=False))
        else:
            detail = r.title or r.reason or ""
            print(f"{r.status:9} {r.article_id or '-':10} {r.source}  {detail}")
    counts = {s: sum(r.status == s for r in results) for s in ("added", "duplicate", "rejected")}
    if not args.json:
        print(f"{counts['added']} added, {counts['duplicate']} duplicate, {counts['rejected']} rejected; "
              f"{corpus.count()} articles in {corpus.path}")
    return 1 if counts["rejected"] else 0


def render(reply: Reply, *, as_json: bool) -> str:
    """The reply as one JSON line or as plain text."""
    return json.dumps(reply.to_json(), ensure_ascii=False) if as_json else reply.text


def cmd_ask(args: argparse.Namespace, corpus: Corpus) -> int:
    """Run one chat command and print the reply."""
    reply = handle(Request(" ".join(args.text)), corpus)
    print(render(reply, as_json=args.json))
    if args.chart:
        if reply.image is None:
            print("gapbot: this reply has no chart", file=sys.stderr)
        else:
            Path(args.chart).write_bytes(reply.image.data())
    return 0


def cmd_chat(args: argparse.Namespace, corpus: Corpus) -> int:
    """Interactive console; with a pipe, one command per line and one reply per command."""
    interactive = sys.stdin.isatty()
    if interactive:
        print("gapbot console — type /help, a question, or Ctrl-D to quit.")
    while True:
        try:
            line = input("> " if interactive else "")
        except EOFError:
            return 0
        if not line.strip() and not interactive:
            continue
        print(render(handle(Request(line), corpus), as_json=args.json), flush=True)
        if interactive:
            print()


def cmd_search(args: argparse.Namespace, corpus: Corpus) -> int:
    """Print raw search hits."""
    hits = corpus.search(" ".join(args.query), limit=max(1, min(args.limit, 200)), mode=args.mode)
    if args.json:
        print(json.dumps([h.to_json() for h in hits], ensure_ascii=False))
    else:
        for i, h in enumerate(hits, 1):
            print(f"{i:2}. [{h.score:.3f}] {h.text}\n    — {h.title} ({h.article_id})")
    return 0


def cmd_show(args: argparse.Namespace, corpus: Corpus) -> int:
    """Print one article."""
    art = corpus.article(args.article_id)
    if art is None:
        print(f"gapbot: no article with id {args.article_id!r} (see `gapbot ask /sources`)", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(art.to_json(), ensure_ascii=False))
    else:
        # the date /sources shows: publication, else last update
        meta = " · ".join(x for x in (art.publisher, art.author, art.date or art.modified, art.url) if x)
        print(f"{art.title}\n{meta}\n\n{art.body}")
    return 0


def cmd_backup(args: argparse.Namespace, corpus: Corpus) -> int:
    """Copy the live database with SQLite's online backup API."""
    try:
        target = sqlite3.connect(args.path)
        try:
            with target:
                corpus.store.db.conn.backup(target)
        finally:
            target.close()
    except sqlite3.Error as e:
        raise FatalError(f"cannot write a backup to {args.path}: {e}") from e
    print(f"backed up {corpus.count()} articles to {args.path}")
    return 0
