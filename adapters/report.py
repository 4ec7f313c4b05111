"""`gapbot report`: refused and voted-down questions, grouped by meaning (see bot/report.py, docs/CLI.md)."""
from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TYPE_CHECKING

from bot.report import lines, report

if TYPE_CHECKING:
    from corpus.api import Corpus


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The `report` sub-command and its options."""
    text = "refused and voted-down questions, grouped by meaning: what the articles are missing"
    s = sub.add_parser("report", help=text, description=text[:1].upper() + text[1:] + ".")
    s.add_argument("--json", action="store_true", help="one JSON object per group (see docs/CLI.md)")
    s.add_argument("--since", type=day, default=None, metavar="DATE",
                   help="only questions asked on or after DATE (YYYY-MM-DD; default: all)")
    s.add_argument("--limit", type=int, default=20, help="how many groups, largest first (default 20)")


def day(text: str) -> str:
    """A YYYY-MM-DD date, as argparse checks it."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def cmd_report(args: argparse.Namespace, corpus: Corpus) -> int:
    """Print the groups of questions the articles did not answer."""
    gaps = report(corpus, since=args.since or "", limit=max(1, min(args.limit, 1000)))
    if args.json:
        for gap in gaps:
            print(json.dumps(gap.to_json(), ensure_ascii=False))
    else:
        print("\n".join(lines(gaps)))
    return 0
