"""Metadata a capture tool writes in front of a saved page ("date 2023-03-27 …", "URL: https://…"), split off.

Scrapers and read-later tools often prefix the text with fields such as the capture date or the page's
address, on lines of their own or glued to the first sentence. Left in, the prefix becomes part of the first
sentence (and of any claim quoted from it); taken out, it is a date and a URL for the article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
# field name, optional ":" or "=", then a value of the shape the field fixes, followed by white space
_FIELDS = [
    ("date", re.compile(rf"(?:date|published|captured|retrieved|saved|fetched|crawled)(?:[ _]?(?:at|on))?"
                        rf"[ \t]*[:=]?[ \t]*({ISO_DATE})(?=\s|$)", re.I)),
    ("url", re.compile(r"(?:url|link|source|canonical)[ \t]*[:=]?[ \t]*(https?://\S+)(?=\s|$)", re.I)),
    ("title", re.compile(r"title[ \t]*[:=][ \t]*([^\n]{3,300})$", re.I | re.M)),  # only with ":" and a line
]


@dataclass
class Capture:
    """What the prefix said about the page."""

    date: str | None = None
    url: str | None = None
    title: str | None = None


def split_capture(text: str) -> tuple[Capture, str]:
    """The capture fields at the very start of a scrape, and the text without them."""
    cap, pos = Capture(), 0
    while True:
        start = len(text) - len(text[pos:].lstrip())
        for name, pattern in _FIELDS:
            m = pattern.match(text, start)
            if m and getattr(cap, name) is None:
                setattr(cap, name, m.group(1).strip()[:10] if name == "date" else m.group(1).strip())
                pos = m.end()
                break
        else:
            return cap, text[pos:] if pos else text
