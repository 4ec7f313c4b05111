"""`gapbot digest`, `gapbot feeds` and `gapbot serve`: argv[0] names the sub-command (see CLI.md)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from typing import Any, Callable, Mapping

from adapters.digest import report
from adapters.platforms import Config, digest_service
from adapters.serve import run_scheduler, serve
from bot.digest.content import Digest
from bot.digest.deliver import Outcome, Part
from bot.digest.parse import DEFAULT_AT, DEFAULT_TZ, check_feed_url, parse_at, parse_tz
from bot.digest.service import DigestService
from bot.reply import UserError
from corpus.api import Corpus
from corpus.feeds import check_feed
from corpus.sources import Rejected
from corpus.store import CorruptDatabase


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def digest_parser() -> argparse.ArgumentParser:
    """`gapbot digest [--dry-run] [--json] [--schedule] | add | list | remove`."""
    p = argparse.ArgumentParser(prog="gapbot digest", description="Post (or preview) the daily digest to "
                                "every destination; manage destinations.")
    p.add_argument("--dry-run", action="store_true", help="show what would be posted; post nothing")
    p.add_argument("--json", action="store_true", help="one JSON object per destination")
    p.add_argument("--schedule", action="store_true", help="run the scheduler: each digest at its local time")
    p.add_argument("--only", metavar="DESTINATION", help="just this destination (target or number)")
    sub = p.add_subparsers(dest="action", metavar="{add,list,remove}")
    a = sub.add_parser("add", help="add a destination: slack:C123, discord:123 or webhook:URL")
    a.add_argument("target")
    a.add_argument("--at", default=DEFAULT_AT, help="local time of day, HH:MM (default 08:00)")
    a.add_argument("--tz", default=DEFAULT_TZ, help="IANA time zone, e.g. Europe/Berlin (default UTC)")
    s = sub.add_parser("list", help="destinations, their schedule and last error")
    s.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    r = sub.add_parser("remove", help="remove a destination (target or number from `digest list`)")
    r.add_argument("target")
    return p


def feeds_parser() -> argparse.ArgumentParser:
    """`gapbot feeds add URL | list | remove URL | poll`."""
    p = argparse.ArgumentParser(prog="gapbot feeds", description="RSS/Atom feeds polled for new articles.")
    sub = p.add_subparsers(dest="action", required=True)
    sub.add_parser("add", help="subscribe a feed").add_argument("url")
    sub.add_parser("list", help="subscribed feeds and their last poll").add_argument("--json",
                                                                                     action="store_true")
    sub.add_parser("remove", help="unsubscribe a feed").add_argument("url")
    sub.add_parser("poll", help="poll every feed now").add_argument("--json", action="store_true")
    return p


def main(argv: list[str] | None = None, *, db: str = "gapbot.db", seed: bool = True,
         env: Mapping[str, str] | None = None) -> int:
    """Entry point for argv[0] in digest, feeds, serve; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command, rest = (argv[0], argv[1:]) if argv else ("digest", [])
    handlers: dict[str, Callable[..., int]] = {"digest": digest_main, "feeds": feeds_main,
                                               "serve": serve_main}
    if command not in handlers:
        print(f"gapbot: unknown command {command!r} (digest, feeds, serve)", file=sys.stderr)
        return 2
    try:
        return handlers[command](rest, db=db, seed=seed, env=os.environ if env is None else env)
    except UserError as e:
        print(f"gapbot: {e}", file=sys.stderr)
        return 2
    except Fatal as e:
        print(f"gapbot: {e}", file=sys.stderr)
        return 1
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return int(e.code or 0)


class Fatal(Exception):
    """A problem that stops the command (exit 1), shown as one line."""


def _open(db: str, seed: bool) -> Corpus:
    try:
        return Corpus.open(db, seed=seed)
    except CorruptDatabase as e:
        raise Fatal(str(e)) from e


def digest_main(argv: list[str], *, db: str, seed: bool, env: Mapping[str, str]) -> int:
    """The `digest` sub-command."""
    args = digest_parser().parse_args(argv)
    corpus = _open(db, seed)
    if args.action == "add":
        return _add(DigestService(corpus), args)
    if args.action == "list":
        return _list(DigestService(corpus), as_json=args.json)
    if args.action == "remove":
        return _remove(DigestService(corpus), args.target)
    config = Config.from_env(env, db=db)
    if args.schedule:
        return run_scheduler(corpus, config)
    return _run(corpus, config, args)


def _add(service: DigestService, args: argparse.Namespace) -> int:
    dest, created = service.add_destination(args.target, at=parse_at(args.at), tz=parse_tz(args.tz),
                                            created_by="cli")
    verb = "added" if created else "updated"
    print(f"{verb} {dest.id}. {dest.label}: daily at {dest.schedule}; the first digest covers articles added "
          f"since {report.when(dest.since)}")
    return 0


def _list(service: DigestService, *, as_json: bool) -> int:
    dests = service.destinations()
    for d in dests:
        counts = service.delivery_counts(d.id)
        if as_json:
            _print_json(report.destination_json(d, counts))
        else:
            print("\n".join(report.destination_lines(d, counts)))
    if not dests and not as_json:
        print("No digest destinations. Add one: gapbot digest add slack:CHANNEL_ID [--at 08:00 --tz UTC]")
    return 0


def _remove(service: DigestService, target: str) -> int:
    gone = service.remove_destination(target)
    if gone is None:
        print(f"gapbot: no digest destination {target!r} (see `gapbot digest list`)", file=sys.stderr)
        return 1
    print(f"removed {gone.label}")
    return 0


def _run(corpus: Corpus, config: Config, args: argparse.Namespace) -> int:
    fetcher = config.fetcher()
    service: DigestService
    # a one-shot digest polls first, within a minute (plus one fetch's 30 s) however slow a feed is
    service = digest_service(corpus, config, poll=lambda: service.poll_feeds(fetcher=fetcher, budget=60.0))
    outcomes = service.run_all(dry_run=args.dry_run, only=args.only)
    if not outcomes and args.dry_run and not args.only:
        outcomes = [_console_preview(service)]
    for out in outcomes:
        if args.json:
            _print_json(out.to_json())
        elif args.dry_run and out.digest:
            print(f"== {report.outcome_line(out)} ==\n{out.digest.to_reply().text}\n")
        else:
            print(report.outcome_line(out))
    return 1 if any(o.status == "failed" for o in outcomes) else 0


class TextPoster:
    """A stand-in destination for previews with none configured: one plain-text message."""

    def plan(self, digest: Digest) -> list[Part]:
        """Everything in one part."""
        return [Part(digest.items, 0, 1, header=True, footer=True)]

    def render(self, digest: Digest, part: Part, *, key: str) -> dict[str, Any]:
        """The plain text."""
        return {"text": digest.to_reply().text}


def _console_preview(service: DigestService) -> Outcome:
    """What the first digest of a destination added now would post (the last 24 hours)."""
    dest = replace(service.draft("(a destination added now)"), platform="console")
    return service.preview(dest, TextPoster())  # type: ignore[arg-type]


def feeds_main(argv: list[str], *, db: str, seed: bool, env: Mapping[str, str]) -> int:
    """The `feeds` sub-command."""
    args = feeds_parser().parse_args(argv)
    config = Config.from_env(env)
    service = DigestService(_open(db, seed))
    if args.action == "add":
        return _feeds_add(service, args.url, config)
    elif args.action == "remove":
        if not service.remove_feed(args.url):
            print(f"gapbot: not subscribed: {args.url}", file=sys.stderr)
            return 1
        print(f"removed {args.url}")
    elif args.action == "list":
        return _feeds_list(service, as_json=args.json)
    else:
        return _feeds_poll(service, config, as_json=args.json)
    return 0


def _feeds_add(service: DigestService, url: str, config: Config) -> int:
    """Subscribe a feed only if it answers now with a feed, from an address gapbot may fetch."""
    url = check_feed_url(url)
    try:
        check_feed(url, config.fetcher())
    except Rejected as e:
        print(f"gapbot: not subscribed: {url}: {e}", file=sys.stderr)
        return 1
    added = service.add_feed(url)
    print(("subscribed " if added else "already subscribed: ") + url)
    return 0


def _feeds_list(service: DigestService, *, as_json: bool) -> int:
    subscribed = service.feeds()
    for f in subscribed:
        _print_json(f.__dict__) if as_json else print(report.feed_line(f))
    if not subscribed and not as_json:
        print("No feeds. Add one: gapbot feeds add https://example.com/feed.xml")
    return 0


def _feeds_poll(service: DigestService, config: Config, *, as_json: bool) -> int:
    results = service.poll_feeds(fetcher=config.fetcher())
    for r in results:
        _print_json(r.__dict__) if as_json else print(f"{r.status:12} {r.url}  {r.added} added"
                                                      + (f"  {r.error}" if r.error else ""))
    return 1 if any(r.status == "error" for r in results) else 0


def serve_main(argv: list[str], *, db: str, seed: bool, env: Mapping[str, str]) -> int:
    """The `serve` sub-command: everything configured, in one process."""
    parser = argparse.ArgumentParser(prog="gapbot serve", description=(
        "Run the Slack app, the Discord bot, the digest scheduler and feed polling (whichever are "
        "configured) in one process."))
    parser.parse_args(argv)
    return serve(db=db, seed=seed, env=env)
