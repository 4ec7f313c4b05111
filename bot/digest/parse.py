"""What people type to set up a digest, checked: targets, times of day, time zones, feed URLs."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
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


def check_feed_url(url: str) -> str:
    """An http(s) URL, or UserError."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError(f"Not a feed URL: {url[:80]!r}. Give the http(s) address of an RSS or Atom feed.")
    return url
