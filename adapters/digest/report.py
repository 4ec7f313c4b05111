"""Plain-text lines the digest command line prints: run outcomes, destinations, feeds."""
from __future__ import annotations

from typing import Any

from bot.digest.deliver import Outcome
from corpus.digest_models import Destination, Feed


def when(stamp: str | None) -> str:
    """'2025-05-13 08:00 UTC', or 'never'."""
    return f"{stamp[:10]} {stamp[11:16]} UTC" if stamp else "never"


def outcome_line(out: Outcome) -> str:
    """One line per destination of a run."""
    n, m = len(out.articles), out.messages
    detail = {
        "posted": f"{n} article{'s' if n != 1 else ''} in {m} message{'s' if m != 1 else ''}",
        "nothing": "no new articles, no post",
        "busy": out.error or "",
        "preview": f"would post {n} article{'s' if n != 1 else ''} in {m} message{'s' if m != 1 else ''}",
    }.get(out.status)
    if out.status == "failed":
        posted = f" after posting {n} article{'s' if n != 1 else ''}" if n else ""
        detail = f"{out.error}{posted}; retry after {when(out.retry_at)}"
    return f"{out.status:8} {out.target}  {detail}"


def destination_lines(dest: Destination, counts: dict[str, int]) -> list[str]:
    """A destination in `digest list`: schedule, history, and its last error if the last run failed."""
    sent = counts.get("sent", 0)
    history = f"added {when(dest.created_at)} · last digest {when(dest.last_ok_at)}"
    lines = [f"{dest.id}. {dest.label} — daily at {dest.schedule}",
             f"   {history} · {sent} article{'s' if sent != 1 else ''} posted"]
    waiting = {k: v for k, v in counts.items() if k in ("pending", "unknown", "failed") and v}
    if waiting:
        lines.append("   " + ", ".join(f"{v} {k}" for k, v in sorted(waiting.items())))
    if dest.last_error:
        lines.append(f"   last error ({when(dest.last_error_at)}): {dest.last_error}; "
                     f"{dest.failures} failure{'s' if dest.failures != 1 else ''} in a row, "
                     f"next retry {when(dest.retry_at)}")
    return lines


def destination_json(dest: Destination, counts: dict[str, int]) -> dict[str, Any]:
    """A destination for `digest list --json` (a webhook's token masked)."""
    return {"id": dest.id, "destination": dest.label, "platform": dest.platform, "at": dest.at, "tz": dest.tz,
            "created_at": dest.created_at, "since": dest.since, "last_run_at": dest.last_run_at,
            "last_ok_at": dest.last_ok_at, "last_error": dest.last_error, "last_error_at": dest.last_error_at,
            "failures": dest.failures, "retry_at": dest.retry_at, "deliveries": counts}


def feed_line(feed: Feed) -> str:
    """A feed in `feeds list`."""
    line = f"{feed.url}  polled {when(feed.last_polled_at)}"
    if feed.last_status == "error":
        return f"{line}  error: {feed.last_error}"
    if feed.last_status:
        line += f"  ({feed.last_status}, {feed.last_added} added)"
    return line
