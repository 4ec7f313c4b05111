"""Sentence splitting with character offsets, aware of abbreviations, initials and quotations."""
from __future__ import annotations

import re
from dataclasses import dataclass

ABBREV = {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "co", "corp", "ltd", "llc", "plc", "vs",
          "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "e.u", "no", "fig", "gen", "gov", "sen", "rep", "rev",
          "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx",
          "est",
          "dept", "univ", "mt", "ft", "vol", "pp", "al"}
# a sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital, digit or quote
END = re.compile(r"([.!?…]+)([\"'”’»)\]]*)(\s+)(?=[\"'“‘«(\[]?(?:[A-Z0-9]|[a-z]{1,2}[A-Z]))")


@dataclass(frozen=True)
class Span:
    """A sentence and where it sits in the text it came from."""

    start: int
    end: int
    text: str


def split(text: str, offset: int = 0) -> list[Span]:
    """Split one paragraph into sentences; offsets are relative to the text plus offset."""
    spans, start = [], 0
    for m in END.finditer(text):
        if m.group(1) == "." and _abbreviation(text, m.start(1)):
            continue
        end = m.end(2)
        if text[start:end].strip():
            spans.append(_span(text, start, end, offset))
        start = m.end(3)
    if text[start:].strip():
        spans.append(_span(text, start, len(text), offset))
    return spans


def _span(text: str, a: int, b: int, offset: int) -> Span:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Span(a + offset, b + offset, text[a:b])


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` ends an abbreviation or an initial rather than a sentence."""
    m = re.search(r"([A-Za-z.]+)$", text[:dot])
    if not m:
        return False
    word = m.group(1).lower().strip(".")
    if word in ABBREV:
        return True
    return len(word) == 1 and text[dot - 1].isupper()  # an initial: "J. Smith"
