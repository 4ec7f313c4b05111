"""Digest destinations in the database: add, list, remove, and how their runs went (errors, backoff)."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from bot.digest.model import DEFAULT_AT, DEFAULT_TZ, FIRST_WINDOW, Destination, iso, parse_target

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


def add(db: sqlite_utils.Database, target: str, *, now: datetime, at: str = DEFAULT_AT, tz: str = DEFAULT_TZ,
        created_by: str | None = None) -> tuple[Destination, bool]:
    """Subscribe target (or change its time); returns (destination, created). Writes autocommit."""
    platform, address = parse_target(target)
    target = f"{platform}:{address}"
    if get(db, target) is not None:
        db.execute("UPDATE digest_destinations SET at = ?, tz = ? WHERE target = ?", [at, tz, target])
        return _must(db, target), False
    db.execute("INSERT INTO digest_destinations(target, platform, address, at, tz, created_at, created_by, "
               "since) VALUES (?,?,?,?,?,?,?,?)",
               [target, platform, address, at, tz, iso(now), created_by, iso(now - FIRST_WINDOW)])
    return _must(db, target), True


def get(db: sqlite_utils.Database, ref: str | int) -> Destination | None:
    """A destination by target ('slack:C123') or by its number in `digest list`."""
    ref = str(ref).strip()
    col = "id" if ref.isdigit() else "target"
    rows = list(db.query(f"SELECT * FROM digest_destinations WHERE {col} = ?", [ref]))
    if not rows and col == "target" and ":" in ref:
        rows = list(db.query("SELECT * FROM digest_destinations WHERE lower(target) = lower(?)", [ref]))
    return Destination.from_row(rows[0]) if rows else None


def _must(db: sqlite_utils.Database, ref: str | int) -> Destination:
    dest = get(db, ref)
    assert dest is not None, ref
    return dest


def all_destinations(db: sqlite_utils.Database) -> list[Destination]:
    """Every destination, oldest first."""
    return [Destination.from_row(r) for r in db.query("SELECT * FROM digest_destinations ORDER BY id")]


def remove(db: sqlite_utils.Database, ref: str | int) -> Destination | None:
    """Unsubscribe (the delivery log goes with it); returns what was removed."""
    dest = get(db, ref)
    if dest is not None:
        db.execute("DELETE FROM digest_destinations WHERE id = ?", [dest.id])
    return dest


def record_ok(db: sqlite_utils.Database, dest_id: int, *, now: datetime, posted: bool) -> None:
    """A run that went through: clear the error and the backoff."""
    db.execute("UPDATE digest_destinations SET last_run_at = ?, "
               "last_ok_at = CASE WHEN ? THEN ? ELSE last_ok_at END, "
               "last_error = NULL, failures = 0, retry_at = NULL WHERE id = ?",
               [iso(now), posted, iso(now), dest_id])


def record_error(db: sqlite_utils.Database, dest_id: int, error: str, *, now: datetime,
                 retry_after: float | None = None) -> datetime:
    """A failed run: keep the error for `digest list` and back off exponentially; returns the retry time."""
    row = db.execute("SELECT failures FROM digest_destinations WHERE id = ?", [dest_id]).fetchone()
    failures = (row[0] if row else 0) + 1
    delay = min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_MAX)
    retry = now + max(delay, timedelta(seconds=retry_after or 0))
    db.execute("UPDATE digest_destinations SET last_run_at = ?, last_error = ?, last_error_at = ?, "
               "failures = ?, retry_at = ? WHERE id = ?",
               [iso(now), error[:500], iso(now), failures, iso(retry), dest_id])
    return retry


def due_retries(db: sqlite_utils.Database, *, now: datetime) -> list[Destination]:
    """Destinations whose last run failed and whose backoff has passed."""
    rows = db.query("SELECT * FROM digest_destinations WHERE failures > 0 AND retry_at <= ? ORDER BY id",
                    [iso(now)])
    return [Destination.from_row(r) for r in rows]
