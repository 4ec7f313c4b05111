"""Text helpers the commands and the door share: clean what users type, make it safe to repeat back."""
from __future__ import annotations

import re
import unicodedata

# a zero-width space after "@", and after "<" before "!", "@" or "#": shown the same, parsed as nothing
_DEFUSE = (("@", "@\u200b"), ("<!", "<\u200b!"), ("<@", "<\u200b@"), ("<#", "<\u200b#"))


def clean_text(text: str) -> str:
    """Drop control and format characters (NUL, zero-width, bidi overrides) and fold white space."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text or "")
    return re.sub(r"\s+", " ", kept).strip()


def safe_echo(text: str, limit: int = 120) -> str:
    """User text fit to repeat back: shortened, and unable to become a ping or a link on any platform."""
    text = clean_text(text)[:limit]
    for ping, inert in _DEFUSE:
        text = text.replace(ping, inert)
    return text
