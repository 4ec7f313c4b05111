"""Record every seed reply as users see it:
console text, --json, Slack blocks, Discord messages, digest dry-run.

Run as a script on an indexed seed database to print the recording (JSON) to stdout:
    python tests/replies/record.py DB
The byte-identity test (tests/test_seed_replies.py) runs it and compares with tests/replies/seed_replies.json.
Times that depend on the day of the run are replaced by placeholders, and the answer log's random answer ids
(in the vote buttons) by one fixed id; nothing else is touched.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

GOLD = ROOT / "tests" / "fixtures" / "seed_gold.json"
TOPICS = ["chips", "video", "talent", "models", "computing power", "no such topic at all"]
FIXED = ["/gap", "/sources", "/sources 3", "/help", "/help gap", "/who", "/ask", "/nonsense", "/sources x",
         "who is nobody-known-here", "hello there"]
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
ANSWER_ID = "0123456789ab"  # every answer's id in the recording: the real ones are random
_CLOCK = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}\b")


def cases() -> list[str]:
    """Every command the recording covers, in a fixed order."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    out = list(FIXED) + [f"/gap {t}" for t in TOPICS]
    out += [f"/who {e['name']}" for e in gold["entities"]]
    out += [f"/ask {q['question']}" for q in gold["questions"]]
    return out


def stable(text: str, today: str) -> str:
    """Replace run-day timestamps with placeholders."""
    text = _CLOCK.sub("<clock>", _STAMP.sub("<stamp>", text))
    return text.replace(today, "<today>")


def fixed_id(reply):
    """The reply with a fixed answer id in place of the random one (the vote buttons carry it)."""
    from dataclasses import replace

    return replace(reply, answer_id=ANSWER_ID) if reply.answer_id else reply


def one(text: str, corpus) -> dict[str, object]:
    """One command's reply in every form a user sees it."""
    from adapters.discord.render import render as discord_render
    from adapters.slack.render import render as slack_render
    from bot.core import handle
    from bot.reply import Request

    reply = fixed_id(handle(Request(text, platform="slack", user="U0USER1", channel="C0CHAN1"), corpus))
    d_reply = fixed_id(handle(Request(text, platform="discord", user="100", channel="200"), corpus))
    c_reply = handle(Request(text), corpus)  # the console's text and --json (Slack names commands after /gap)
    return {"text": c_reply.text, "json": json.dumps(c_reply.to_json(), ensure_ascii=False, sort_keys=True),
            "chart": hashlib.sha256(reply.image.data()).hexdigest() if reply.image else None,
            "slack": json.dumps(slack_render(reply), ensure_ascii=False, sort_keys=True, default=str),
            "slack_private": reply.private,
            "discord": json.dumps([m.to_json() for m in discord_render(d_reply)],
                                  ensure_ascii=False, sort_keys=True)}


def digest(db: str) -> dict[str, str]:
    """The digest dry-run, as text and JSON."""
    out: dict[str, str] = {}
    for key, extra in (("text", []), ("json", ["--json"])):
        run = subprocess.run([sys.executable, "-m", "bot", "--db", db, "--no-seed",
                              "digest", "--dry-run", *extra],
                             capture_output=True, text=True, cwd=ROOT, timeout=300, check=True)
        out[key] = run.stdout
    return out


def same_moment(db: str) -> None:
    """Give every article the same time of adding, so the digest's order does not hang on indexing speed."""
    import sqlite3

    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE articles SET added_at = (SELECT max(added_at) FROM articles)")
    conn.close()


def record(db: str) -> dict[str, object]:
    """The whole recording for the seed database at db."""
    from datetime import datetime, timezone

    from corpus.api import Corpus

    today = datetime.now(timezone.utc).date().isoformat()
    same_moment(db)
    corpus = Corpus.open(db, seed=False)
    rec: dict[str, object] = {c: one(c, corpus) for c in cases()}
    rec["digest --dry-run"] = digest(db)
    return json.loads(stable(json.dumps(rec, ensure_ascii=False, sort_keys=True), today))


if __name__ == "__main__":
    print(json.dumps(record(sys.argv[1]), ensure_ascii=False, indent=1, sort_keys=True))
