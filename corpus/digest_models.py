"""The digest's records as the digest store returns them: destinations, posts, feeds; stored timestamps."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

LIVE = ("pending", "sent", "unknown")  # failed is the only delivery status whose articles are posted again


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def iso(dt: datetime) -> str:
    """A timestamp as stored: UTC, ISO 8601 to the second ('2025-05-01T08:00:00+00:00')."""
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    """A stored timestamp back into an aware datetime."""
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Destination:
    """Where a digest goes, when, and how its last runs went."""

    id: int
    target: str
    platform: str
    address: str
    at: str
    tz: str
    created_at: str
    since: str
    created_by: str | None = None
    space: str | None = None  # the Slack workspace or Discord server it was subscribed from (chat only)
    last_run_at: str | None = None
    last_ok_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    failures: int = 0
    retry_at: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Destination":
        """Build from a digest_destinations row."""
        return cls(**{f.name: row[f.name] for f in fields(cls) if f.name in row})

    @property
    def label(self) -> str:
        """The target as shown to people: a webhook's secret token is masked."""
        if self.platform != "webhook":
            return self.target
        return "webhook:" + re.sub(r"(/webhooks/\d+/)([\w-]{4})[\w-]*", r"\1\2…", self.address)

    @property
    def zone(self) -> ZoneInfo:
        """The destination's time zone."""
        return ZoneInfo(self.tz)

    @property
    def schedule(self) -> str:
        """'08:00 Europe/Berlin'."""
        return f"{self.at} {self.tz}"

    def local(self, stamp: str) -> datetime:
        """A stored UTC timestamp in the destination's local time."""
        return parse_iso(stamp).astimezone(self.zone)


@dataclass(frozen=True)
class Post:
    """One platform message of a digest, as logged."""

    id: int
    destination_id: int
    key: str
    part: int
    parts: int
    thread: str | None
    status: str
    message_id: str | None
    created_at: str
    article_ids: tuple[str, ...] = ()


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


class AlreadyDelivered(Exception):
    """An article is already in a live post to this destination (another process got there first)."""


class Fenced(Exception):
    """A delivery-log write refused: this process's lease on the destination expired or was taken over."""
