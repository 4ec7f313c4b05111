"""Console sub-commands: index, ask, chat, search, show, backup, adds, report."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from adapters import report
from adapters.adding import intake_from_env
from bot.core import handle
from bot.intake import Intake
from bot.reply import Reply, Request
from corpus.api import Corpus
from corpus.stopping import StopFlag, stop_on_signals
from corpus.store import CorruptDatabase

if TYPE_CHECKING:
    from corpus.fetch import Fetcher


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
            "show": cmd_show, "backup": cmd_backup, "adds": cmd_adds,
            "report": report.cmd_report}[args.cmd](args, corpus)


def web_fetcher() -> Fetcher:
    """The fetcher for URLs given to `index`, with the reach the environment allows."""
    from corpus.fetch import Fetcher  # lazy: corpus.fetch loads httpx, needed only to index

    try:
        return Fetcher.from_env(os.environ)
    except ValueError as e:
        raise FatalError(str(e)) from e


def chat_intake() -> Intake:
    """What `/add` typed in the console uses: the environment's add rules and a fetcher made on first use (the
    same as Slack's and Discord's)."""
    try:
        return intake_from_env(os.environ)
    except ValueError as e:
        raise FatalError(str(e)) from e


def cmd_index(args: argparse.Namespace, corpus: Corpus) -> int:
    """Index sources with a progress line on stderr and a summary on stdout; Ctrl-C or SIGTERM stops it
    between articles, and what landed is still listed."""
    from rich.console import Console  # lazy: rich only draws the progress bar of `index`
    from rich.progress import (  # lazy: rich loads only for the progress bar of `index`
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    fetcher = web_fetcher()
    bar = Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
    flag = StopFlag()
    with stop_on_signals(flag), bar:
        task = bar.add_task("", total=None)

        def step(done: int, total: int, source: str) -> None:
            bar.update(task, completed=done, total=total, description=source[-60:])

        results = corpus.index(args.sources, progress=step, fetcher=fetcher, stop=flag)
    print_results(results, as_json=args.json, total=None if args.json else corpus.count(), path=corpus.path)
    if flag.reason:
        print(f"gapbot: {flag.reason}; the results above are what landed. /who and /gap catch up on the next "
              f"`gapbot index` or start.", file=sys.stderr)
    if flag.signum is not None:
        return 128 + flag.signum
    return 1 if flag.reason or any(r.status == "rejected" for r in results) else 0


def print_results(results: list, *, as_json: bool, total: int | None, path: str) -> None:
    """One line per result (JSON with --json), then the counts."""
    for r in results:
        if as_json:
            print(json.dumps(r.to_json(), ensure_ascii=False))
        else:
            detail = r.title or r.reason or ""
            print(f"{r.status:9} {r.article_id or '-':10} {r.source}  {detail}")
    counts = {s: sum(r.status == s for r in results) for s in ("added", "duplicate", "rejected")}
    if total is not None:
        print(f"{counts['added']} added, {counts['duplicate']} duplicate, {counts['rejected']} rejected; "
              f"{total} articles in {path}")


def render(reply: Reply, *, as_json: bool) -> str:
    """The reply as one JSON line or as plain text."""
    return json.dumps(reply.to_json(), ensure_ascii=False) if as_json else reply.text


def cmd_ask(args: argparse.Namespace, corpus: Corpus) -> int:
    """Run one chat command and print the reply."""
    reply = handle(Request(" ".join(args.text)), corpus, intake=chat_intake())
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
    intake = chat_intake()
    if interactive:
        print("gapbot console — type /help, a question, or Ctrl-D to quit.")
    while True:
        try:
            line = input("> " if interactive else "")
        except EOFError:
            return 0
        if not line.strip() and not interactive:
            continue
        print(render(handle(Request(line), corpus, intake=intake), as_json=args.json), flush=True)
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
    """Copy the live database: SQLite's online backup API, or a pg_dump archive of a Postgres database."""
    try:
        corpus.backup(args.path)
    except OSError as e:
        raise FatalError(f"cannot write a backup to {args.path}: {e}") from e
    print(f"backed up {corpus.count()} articles to {args.path}")
    return 0


def cmd_adds(args: argparse.Namespace, corpus: Corpus) -> int:
    """List the articles shared from chat (/add), newest first."""
    for add in corpus.add_log.recent(limit=max(1, min(args.limit, 10_000))):
        if args.json:
            print(json.dumps(add.to_json(), ensure_ascii=False))
        else:
            who = f"{add.platform}:{add.user}" if add.user else add.platform
            print(f"{add.at}  {add.status:9} {add.article_id or '-':10} {who:20} {add.channel or '-':12} "
                  f"{add.url}  {add.reason or ''}".rstrip())
    return 0
