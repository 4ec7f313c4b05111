"""The `gapbot` command line (see CLI.md): the console adapter and the launcher of the others."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from importlib import import_module

# Sub-commands owned by other adapters: name -> (module, help). Each module has main(argv, db) -> int.
DELEGATED = {
    "slack": ("adapters.slack", "run the Slack app (--socket or --http [--port N])"),
    "discord": ("adapters.discord", "run the Discord bot (--sync registers slash commands)"),
    "digest": ("adapters.digest", "post or preview the daily digest; manage destinations"),
    "feeds": ("adapters.digest", "manage subscribed RSS/Atom feeds"),
    "serve": ("adapters.digest", "run everything configured in one process"),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: global --db/--no-seed, then a sub-command."""
    p = argparse.ArgumentParser(prog="gapbot", description="Answers, with citations, what the articles say "
                                "about the China-US AI gap.")
    p.add_argument("--db", default=None, help="database file (default $GAPBOT_DB or ./gapbot.db)")
    p.add_argument("--no-seed", action="store_true", help="do not index the bundled seed articles into a new db")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug output to stderr")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    s = sub.add_parser("index", help="add articles: files, folders, URLs, RSS/Atom feeds")
    s.add_argument("sources", nargs="+")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("ask", help="run one chat command exactly as a user would type it")
    s.add_argument("text", nargs="+")
    s.add_argument("--json", action="store_true")
    s.add_argument("--chart", metavar="FILE", help="write the reply's image (the /gap chart) to FILE")
    s = sub.add_parser("chat", help="interactive console; reads one command per line from a pipe")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("search", help="raw hybrid search hits")
    s.add_argument("query", nargs="+")
    s.add_argument("--limit", type=int, default=10)
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("show", help="one article: metadata and cleaned body")
    s.add_argument("article_id")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("backup", help="copy the database safely while it is in use")
    s.add_argument("path")
    for name, (_, help_text) in DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `gapbot` console script."""
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    db = args.db or os.environ.get("GAPBOT_DB") or "gapbot.db"
    if args.cmd is None:
        parser.print_help()
        return 2
    if args.cmd in DELEGATED:
        module = import_module(DELEGATED[args.cmd][0])
        return int(module.main([args.cmd, *rest], db=db, seed=not args.no_seed) or 0)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    from adapters import console

    try:
        return console.run(args, db=db, seed=not args.no_seed)
    except KeyboardInterrupt:
        return 130
    except console.FatalError as e:
        print(f"gapbot: {e}", file=sys.stderr)
        return 1


def print_json(obj) -> None:
    """One JSON document on one line."""
    print(json.dumps(obj, ensure_ascii=False))
