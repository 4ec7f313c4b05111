"""The `gapbot` command line (see docs/CLI.md): the console adapter and the launcher of the others."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from importlib import import_module, metadata
from pathlib import Path
from typing import Callable

from adapters import console, envfile, report
from corpus.storage import is_url

# Sub-commands owned by other adapters: name -> (module, help). Each module has main(argv, db) -> int.
DELEGATED = {
    "slack": ("adapters.slack", "run the Slack app (--socket or --http [--port N])"),
    "discord": ("adapters.discord", "run the Discord bot (--sync registers slash commands)"),
    "digest": ("adapters.digest", "post or preview the daily digest; manage destinations"),
    "feeds": ("adapters.digest", "manage subscribed RSS/Atom feeds"),
    "serve": ("adapters.digest", "run everything configured in one process"),
}
# options of delegated sub-commands that answer without opening the database
NO_DATABASE = {"-h", "--help", "--manifest"}


def version() -> str:
    """The installed package's version (or "unknown" when run from a bare checkout)."""
    try:
        return metadata.version("gapbot")
    except metadata.PackageNotFoundError:
        return "unknown"


def _sub(sub: argparse._SubParsersAction, name: str, text: str, *, json_help: str) -> argparse.ArgumentParser:
    """A sub-command whose --help shows a description, with its --json option."""
    s = sub.add_parser(name, help=text, description=text[:1].upper() + text[1:] + ".")
    s.add_argument("--json", action="store_true", help=json_help)
    return s


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: global --db/--no-seed, then a sub-command."""
    p = argparse.ArgumentParser(prog="gapbot", epilog="`gapbot COMMAND --help` explains a command.",
                                description="Answers, with citations, what the articles say "
                                "about the China-US AI gap.")
    p.add_argument("--version", action="version", version=f"gapbot {version()}")
    p.add_argument("--db", default=None, help="SQLite database file (default: $GAPBOT_DATABASE_URL, a "
                   "Postgres database, if set; else $GAPBOT_DB or ./gapbot.db)")
    p.add_argument("--no-seed", action="store_true",
                   help="do not index the bundled seed articles into a new db")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug output to stderr")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    s = _sub(sub, "index", "add articles: files, folders, URLs, RSS/Atom feeds",
             json_help="one JSON object per article or rejected source, instead of the table")
    s.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="a .txt/.html/.md file, a folder, an http(s) article URL, or an RSS/Atom feed")
    s = _sub(sub, "ask", "run one chat command exactly as a user would type it",
             json_help="print the Reply as one JSON object (see docs/CLI.md)")
    s.add_argument("text", nargs="+", help="e.g. /gap, /who iflytek, /sources, or a plain question")
    s.add_argument("--chart", metavar="FILE", help="write the reply's image (the /gap chart) to FILE")
    s = _sub(sub, "chat", "interactive console; reads one command per line from a pipe",
             json_help="one Reply JSON object per line")
    s = _sub(sub, "search", "raw hybrid search hits", json_help="a JSON list of hits, best first")
    s.add_argument("query", nargs="+", help="the words to search for")
    s.add_argument("--limit", type=int, default=10, help="how many hits (default 10, at most 200)")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid",
                   help="keyword (bm25), vector (dense) or both (hybrid, the default)")
    s = _sub(sub, "show", "one article: metadata and cleaned body",
             json_help="the article as one JSON object")
    s.add_argument("article_id", help="an id from /sources (a unique prefix is enough)")
    s = _sub(sub, "adds", "articles shared from chat with /add: who, where, when, what became of them",
             json_help="one JSON object per add, newest first (see docs/CLI.md)")
    s.add_argument("--limit", type=int, default=50, help="how many, newest first (default 50)")
    report.add_parser(sub)
    s = sub.add_parser("backup", help="copy the database safely while it is in use",
                       description="Copy the database safely while it is in use: SQLite's online backup, "
                       "or on Postgres a pg_dump archive (custom format) for pg_restore.")
    s.add_argument("path", help="where to write the copy")
    for name, (_, help_text) in DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gapbot` console script."""
    argv = sys.argv[1:] if argv is None else argv
    envfile.load(".env")  # before reading any setting; variables already set win
    # the model's "Loading weights" bar is noise in command output (and in service logs)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    db = args.db or os.environ.get("GAPBOT_DATABASE_URL") or os.environ.get("GAPBOT_DB") or "gapbot.db"
    if args.cmd is None:
        parser.print_help()
        return 2
    if args.cmd not in DELEGATED and rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if not args.no_seed and not NO_DATABASE & set(rest):
        first_run_note(db)
    return quiet_on_closed_pipe(lambda: dispatch(args, rest, db=db))


def dispatch(args: argparse.Namespace, rest: list[str], *, db: str) -> int:
    """Run the chosen sub-command: a console one here, the others in their adapters."""
    if args.cmd in DELEGATED:
        # lazy: each adapter loads its platform's SDK (about a second), so only the one asked for is imported
        module = import_module(DELEGATED[args.cmd][0])
        return int(module.main([args.cmd, *rest], db=db, seed=not args.no_seed) or 0)
    try:
        return console.run(args, db=db, seed=not args.no_seed)
    except KeyboardInterrupt:
        return 130
    except console.FatalError as e:
        print(f"gapbot: {e}", file=sys.stderr)
        return 1


def first_run_note(db: str) -> None:
    """Say on stderr why the first command on a new database file takes a while."""
    if is_url(db):  # Postgres: whether it is new is known once connected (and the URL may hold a password)
        return
    path = Path(db)
    if not path.exists() or path.stat().st_size == 0:
        print(f"gapbot: new database {db}: indexing the bundled articles first (about a minute, once)",
              file=sys.stderr, flush=True)


def quiet_on_closed_pipe(run: Callable[[], int]) -> int:
    """Run a command; if stdout's reader went away (`gapbot ask /gap | head -1`), stop quietly."""
    try:
        code = run()
        sys.stdout.flush()  # a closed pipe shows up here, not at exit where Python would print a traceback
        return code
    except BrokenPipeError:
        # point stdout at /dev/null so the interpreter's last flush has nowhere to fail
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def print_json(obj) -> None:
    """One JSON document on one line."""
    print(json.dumps(obj, ensure_ascii=False))
