"""Text made safe for Discord markdown, for replies and digest posts alike: markdown escaped, never a ping.

allowed_mentions=none is the real guard against pings; defusing also keeps a mention from rendering as one.
One rule for every post: a zero-width space between '<' and '@' or '#' (<@id>, <@!id>, <@&id>, <#channel>)
and after the '@' of @everyone, @here and @channel."""
from __future__ import annotations

import re

import discord

from bot.digest.fit import strip_controls

ZWSP = "\u200b"
_MASS_PING = re.compile(r"@(everyone|here|channel)\b", re.I)
_TAG = re.compile(r"<(?=[@#])")
_INLINE = re.compile(r"([\\*_~`|\[\]])")
_LINE_START = re.compile(r"^(\s*)([>#-])", re.M)


def defuse(text: str | None) -> str:
    """Mentions made inert in text Discord shows as it is (embed titles, footers, escaped text)."""
    return _TAG.sub("<" + ZWSP, _MASS_PING.sub(lambda m: "@" + ZWSP + m[1], text or ""))


def plain(text: str) -> str:
    """The core's plain text as Discord markdown: markdown escaped (discord.py's rules) and defused."""
    return defuse(discord.utils.escape_markdown(text))


def escape(text: str | None) -> str:
    """Text from articles (titles, summaries) as Discord markdown: control characters dropped, every markdown
    character and a line-opening quote, heading or list mark escaped, defused; stricter than plain() because
    article text is nobody's chat message."""
    text = _INLINE.sub(r"\\\1", strip_controls(text))
    return defuse(_LINE_START.sub(r"\1\\\2", text))
