"""Digest destinations and the values they are made of: targets, times of day, time zones, timestamps."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.reply import UserError

PLATFORMS = ("slack", "discord", "webhook")
DEFAULT_AT = "08:00"
DEFAULT_TZ = "UTC"
FIRST_WINDOW = timedelta(hours=24)  # a new destination's first digest covers the day before it was created

_SLACK_CHANNEL = re.compile(r"^[A-Z0-9]{2,30}$")
_DISCORD_ID = re.compile(r"^\d{5,25}$")
_WEBHOOK_PATH = re.compile(r"/webhooks/\d+/[\w-]+/?$")


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


def parse_target(text: str) -> tuple[str, str]:
    """'slack:C123', 'discord:123' or 'webhook:URL' -> (platform, address); UserError if malformed."""
    platform, _, address = text.strip().partition(":")
    platform, address = platform.lower(), address.strip()
    if platform == "slack" and _SLACK_CHANNEL.match(address):
        return platform, address
    if platform == "discord" and _DISCORD_ID.match(address):
        return platform, address
    if platform == "webhook" and _valid_webhook(address):
        return platform, address
    raise UserError(f"Not a digest destination: {text[:80]!r}. Use slack:CHANNEL_ID, discord:CHANNEL_ID or "
                    "webhook:https://discord.com/api/webhooks/ID/TOKEN.")


def _valid_webhook(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and bool(_WEBHOOK_PATH.search(parts.path))


def parse_at(text: str) -> str:
    """'8:00', '08:00' or '0730' -> 'HH:MM'; UserError otherwise."""
    m = re.fullmatch(r"(\d{1,2}):?(\d{2})", text.strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise UserError(f"Not a time of day: {text[:20]!r}. Use HH:MM, e.g. 08:00.")
    return f"{int(m[1]):02d}:{m[2]}"


def parse_tz(text: str) -> str:
    """An IANA time zone name (Europe/Berlin, Asia/Shanghai, UTC); UserError if unknown."""
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder, or a name too long
        raise UserError(f"Unknown time zone {name[:40]!r}. Use an IANA name such as Europe/Berlin.") from None
    return name


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


def next_local(at: str, tz: str, now: datetime) -> datetime:
    """The next time the clock in zone tz shows at (HH:MM) after now."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    hour, minute = (int(x) for x in at.split(":"))
    for days in range(3):
        day = (local + timedelta(days=days)).date()
        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        if candidate > local:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover
