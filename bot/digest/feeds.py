"""Subscribed RSS/Atom feeds in the database, with what conditional GET needs (ETag, Last-Modified)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from bot.digest.model import iso
from bot.reply import UserError


@dataclass(frozen=True)
class Feed:
    """A subscribed feed and how its last poll went."""

    url: str
    added_at: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: str | None = None
    last_status: str | None = None
    last_added: int = 0
    last_error: str | None = None
    last_error_at: str | None = None
    failures: int = 0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Feed":
        """Build from a digest_feeds row."""
        return cls(**{f.name: row[f.name] for f in fields(cls) if f.name in row})


def check_url(url: str) -> str:
    """An http(s) URL, or UserError."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"Not a feed URL: {url[:80]!r}. Give the http(s) address of an RSS or Atom feed.")
    return url


def add(db: sqlite_utils.Database, url: str, *, now: datetime) -> bool:
    """Subscribe a feed; False if it already was."""
    url = check_url(url)
    cur = db.execute("INSERT OR IGNORE INTO digest_feeds(url, added_at) VALUES (?, ?)", [url, iso(now)])
    return cur.rowcount == 1


def remove(db: sqlite_utils.Database, url: str) -> bool:
    """Unsubscribe a feed; False if it was not subscribed."""
    return db.execute("DELETE FROM digest_feeds WHERE url = ?", [url.strip()]).rowcount == 1


def all_feeds(db: sqlite_utils.Database) -> list[Feed]:
    """Every subscribed feed, oldest first."""
    return [Feed.from_row(r) for r in db.query("SELECT * FROM digest_feeds ORDER BY added_at, url")]


def record_poll(db: sqlite_utils.Database, url: str, *, now: datetime, status: str, added: int = 0,
                etag: str | None = None, last_modified: str | None = None) -> None:
    """A poll that worked: 'not modified', or new validators and how many articles it added."""
    db.execute("UPDATE digest_feeds SET last_polled_at = ?, last_status = ?, last_added = ?, "
               "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), last_error = NULL, "
               "failures = 0 WHERE url = ?", [iso(now), status, added, etag, last_modified, url])


def record_error(db: sqlite_utils.Database, url: str, error: str, *, now: datetime) -> None:
    """A poll that failed: kept for `feeds list`."""
    db.execute("UPDATE digest_feeds SET last_polled_at = ?, last_status = 'error', last_error = ?, "
               "last_error_at = ?, failures = failures + 1 WHERE url = ?",
               [iso(now), error[:300], iso(now), url])
