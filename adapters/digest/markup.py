"""Text made safe for Slack mrkdwn and Discord markdown: escaped, never a ping, within a length."""
from __future__ import annotations

import re
import unicodedata

ZWSP = "\u200b"
_DISCORD_INLINE = re.compile(r"([\\*_~`|\[\]])")
_DISCORD_LINE_START = re.compile(r"^(\s*)([>#-])", re.M)
_MASS_PING = re.compile(r"@(everyone|here|channel)\b", re.I)


def plain(text: str | None) -> str:
    """Control and format characters (bidi overrides, zero-width, NUL) dropped; newlines kept."""
    kept = (ch for ch in text or "" if ch == "\n" or unicodedata.category(ch)[0] != "C")
    return "".join(kept).strip()


def slack_escape(text: str | None) -> str:
    """Slack's three control characters escaped, so no <!channel>, <@U…> or link can be formed."""
    return plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_plain(text: str | None) -> str:
    """Text for a plain_text object (a header): angle brackets swapped for look-alikes; nothing is parsed."""
    return plain(text).replace("<", "‹").replace(">", "›")


def slack_link(url: str | None, label: str) -> str:
    """A Slack link <url|label>, or the escaped label alone when the URL is not http(s)."""
    if not url or not re.match(r"^https?://", url):
        return slack_escape(label)
    safe = slack_escape(url).replace("|", "%7C").replace(" ", "%20")
    return f"<{safe}|{slack_escape(label)}>"


def discord_escape(text: str | None) -> str:
    """Discord markdown characters escaped and mentions defused (allowed_mentions is the real guard)."""
    text = _DISCORD_INLINE.sub(r"\\\1", plain(text))
    return discord_defuse(_DISCORD_LINE_START.sub(r"\1\\\2", text))


def discord_defuse(text: str | None) -> str:
    """Mentions defused in text that Discord shows without markdown (embed titles and footers)."""
    text = _MASS_PING.sub(lambda m: "@" + ZWSP + m[1], plain(text))
    return text.replace("<@", "<" + ZWSP + "@").replace("<#", "<" + ZWSP + "#")


def clip(text: str, limit: int) -> str:
    """text cut to at most limit characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def whole_sentences(sentences: list[str], budget: int) -> list[str]:
    """As many leading sentences as fit in budget characters (joined by spaces); never half a sentence."""
    kept: list[str] = []
    used = 0
    for s in sentences:
        if used + len(s) + 1 > budget:
            break
        kept.append(s)
        used += len(s) + 1
    return kept
