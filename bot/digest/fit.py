"""Digest text made to fit any platform: invisible controls dropped, cut at a word, or whole sentences."""
from __future__ import annotations

import unicodedata


def strip_controls(text: str | None) -> str:
    """Control and format characters (bidi overrides, zero-width, NUL) dropped, newlines kept; stripped."""
    kept = (ch for ch in text or "" if ch == "\n" or unicodedata.category(ch)[0] != "C")
    return "".join(kept).strip()


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
