"""Markdown pieces the report is made of: tables and figures."""
from __future__ import annotations


def table(head: list[str], rows: list[list]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def ms(c: dict | None) -> str:
    """p50 / p95 of one command's timings (with n when fewer than 200 calls)."""
    if not c:
        return "—"
    if c.get("stopped_after_s"):
        return f"> {c['stopped_after_s'] * 1000:,.0f} (one call stopped)"
    n = f" (n={c['n']})" if c["n"] < 200 else ""
    return f"{c['p50']:.1f} / {c['p95']:.1f}{n}"


def seconds(ms_: float) -> str:
    """Milliseconds as seconds, or 'stopped'."""
    return "stopped" if ms_ == float("inf") else f"{ms_ / 1000:.1f}"
