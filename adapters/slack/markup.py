"""Slack's message markup, both ways: user text in, escaped mrkdwn out (nothing can ping a channel or a
user)."""
from __future__ import annotations

import re

from bot.digest.fit import strip_controls

WORD_JOINER = "\u2060"  # invisible; placed after '@' it stops Slack reading @here as a broadcast
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_SPECIAL = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_LEADING_MENTIONS = re.compile(r"^\s*(?:<@[A-Z0-9]+(?:\|[^<>]*)?>\s*)+", re.IGNORECASE)
_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$", re.IGNORECASE)


def defuse(text: str) -> str:
    """Text with @channel, @here and @everyone made inert (they still read the same)."""
    return _BROADCAST.sub(lambda m: "@" + WORD_JOINER + m[1], text)


def escape(text: str) -> str:
    """Text safe inside mrkdwn: &, < and > escaped, so no <!channel>, <@U…> or link survives, and defused."""
    return defuse(_entities(text))


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped_len(text: str) -> int:
    """How long text becomes once escaped (what Slack's 3,000-character limit counts)."""
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">")) \
        + len(_BROADCAST.findall(text))



def plain_text(text: str | None) -> str:
    """Text for a plain_text object (a header): angle brackets swapped for look-alikes; nothing is parsed."""
    return strip_controls(text).replace("<", "‹").replace(">", "›")


def link(url: str | None, label: str) -> str:
    """A mrkdwn link to an http(s) URL labelled with escaped text; anything else is just the label."""
    label = escape(label.replace("|", "¦")) or "link"
    if not url or not _SAFE_URL.match(url):
        return label
    return f"<{url.replace('&', '&amp;')}|{label}>"


def encoded_link(url: str | None, label: str) -> str:
    """A link <url|label> for any http(s) URL, its |, spaces and angle brackets encoded; else the label.

    Unlike link(), which drops a URL Slack could misread, this keeps it (a digest item always links its
    article).
    """
    if not url or not re.match(r"^https?://", url):
        return escape(strip_controls(label))
    safe = _entities(strip_controls(url)).replace("|", "%7C").replace(" ", "%20")
    return f"<{safe}|{escape(strip_controls(label))}>"


def bold(text: str) -> str:
    """Escaped text in bold (asterisks inside would end the bold early, so they are dropped)."""
    inner = escape(text.replace("*", "")).strip()
    return f"*{inner}*" if inner else ""


def from_slack(text: str) -> str:
    """What the user typed, from Slack's markup: leading mentions dropped, links and names as words."""
    text = _LEADING_MENTIONS.sub("", text or "")
    text = _SPECIAL.sub(_plain_special, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def _plain_special(m: re.Match[str]) -> str:
    target, label = m[1], m[2]
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return "@" + (label or target[1:].split("^")[0])
    return label or target


def with_addresses(text: str) -> str:
    """A message's text with each link as its address (<url|label> becomes url), for /add to read."""
    def address(m: re.Match[str]) -> str:
        return m[1] if re.match(r"https?://", m[1], re.IGNORECASE) else _plain_special(m)

    text = _SPECIAL.sub(address, text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
