"""Digest text made safe for Discord markdown: controls dropped, markdown escaped, never a ping.

render.py's plain()/defang() do the same for replies (discord.py's escape_markdown, a zero-width space
after the '@'); the digest's posts keep their own form ('<' + zero-width space + '@', and @channel too), which
their tests pin ("<@" never appears), so what they post does not change with this move."""
from __future__ import annotations

import re

from bot.digest.fit import strip_controls

ZWSP = "\u200b"
_INLINE = re.compile(r"([\\*_~`|\[\]])")
_LINE_START = re.compile(r"^(\s*)([>#-])", re.M)
_MASS_PING = re.compile(r"@(everyone|here|channel)\b", re.I)



def escape(text: str | None) -> str:
    """Discord markdown characters escaped and mentions defused (allowed_mentions is the real guard)."""
    text = _INLINE.sub(r"\\\1", strip_controls(text))
    return defuse(_LINE_START.sub(r"\1\\\2", text))


def defuse(text: str | None) -> str:
    """Mentions defused in text that Discord shows without markdown (embed titles and footers)."""
    text = _MASS_PING.sub(lambda m: "@" + ZWSP + m[1], strip_controls(text))
    return text.replace("<@", "<" + ZWSP + "@").replace("<#", "<" + ZWSP + "#")
