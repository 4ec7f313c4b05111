"""Turn a noisy plain-text scrape into articles: title, publisher, author, date and a clean body.

General signals only: prose shape (length, end punctuation, stop words, title case), line repetition,
a lexicon of web-page furniture (share bars, login forms, related lists), headline markup and position.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from corpus.lexicon import STOPWORDS, boilerplate_line

END_PUNCT = re.compile(r"[.!?;:][\"'”’»)\]]*$|[.!?][\"'”’»)\]]*\s*\*+$")
BOLD = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*$")
MD_HEADING = re.compile(r"^\s*#{1,3}\s+(.+?)\s*#*\s*$")
SEPARATOR = re.compile(r"^\s*([-=*_~#])\1{2,}\s*$")
BYLINE = re.compile(r"^(?:[\s\-–—•]*|.{0,40}?\b(?:posted|published|updated)\b.{0,40}?\s)"
                    r"(?:by|written by|author:?)\s+(.*)$", re.I)
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")


@dataclass
class Line:
    """One non-empty line of the scrape with the features the cleaner looks at."""

    i: int
    text: str
    raw: str
    bold: bool = False
    heading: bool = False
    repeats: int = 1

    @property
    def words(self) -> list[str]:
        """The alphabetic words of the line."""
        return WORD.findall(self.text)

    def is_prose(self) -> bool:
        """A sentence-shaped line: long enough, ends like a sentence, has function words, not title case."""
        w = self.words
        if self.bold or len(w) < 8 or boilerplate_line(self.text):
            return False
        text = self.text.rstrip()
        if text.endswith(("…", "...")) and not text.endswith(("”", '"')):
            return False  # a teaser cut short
        long_enough = len(w) >= 15 and re.search(r"[.!?][\"”’]?\s+[A-Z“\"]", text)
        if not (END_PUNCT.search(text) or long_enough):
            return False
        stop = sum(x.lower() in STOPWORDS for x in w) / len(w)
        return stop >= 0.18 and title_case_ratio(w) < 0.6


@dataclass
class CleanArticle:
    """An article cut out of a scrape."""

    title: str
    paragraphs: list[str]
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    modified: str | None = None
    headings: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        """Paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


def title_case_ratio(words: list[str]) -> float:
    """Share of longer words that start with a capital letter."""
    long = [w for w in words if len(w) > 3]
    return sum(w[0].isupper() for w in long) / len(long) if long else 1.0


def normalise(text: str) -> str:
    """NFC, unified newlines, no control characters, no trailing spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    # an article glued to the previous one's last sentence: "...companies.**Next Headline**"
    text = re.sub(r"(?<=[.!?”\"’])[ \t]*(\*\*[A-Z“\"‘])", r"\n\n\1", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def key(text: str) -> str:
    """Comparison key of a line: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def lines_of(text: str) -> list[Line]:
    """The non-empty lines of a scrape, with markup noted and stripped."""
    out = []
    for i, raw in enumerate(normalise(text).split("\n")):
        s = raw.strip()
        if not s:
            continue
        bold = BOLD.match(s) or MD_HEADING.match(s)
        body = bold.group(1).strip() if bold else s
        body = re.sub(r"^[\u2022•·▪●\-–—*]\s+(?=\S)", "", body) if not bold else body
        out.append(Line(i, body, s, bold=bool(bold), heading=bool(MD_HEADING.match(s))))
    counts = Counter(key(ln.text) for ln in out)
    for ln in out:
        ln.repeats = counts[key(ln.text)]
    return out


def clean(text: str) -> list[CleanArticle]:
    """Every article found in a plain-text (or Markdown) scrape, boilerplate removed."""
    lines = lines_of(text)
    spans = [s for s in _bodies(lines) if sum(len(ln.words) for ln in s if ln.is_prose()) >= 40]
    if not spans:
        return []
    from corpus.meta import describe

    arts, prev_end = [], 0
    for n, span in enumerate(spans):
        head = [ln for ln in lines if prev_end <= ln.i < span[0].i]
        arts.append(describe(head, span, lines, first=(n == 0)))
        prev_end = span[-1].i + 1
    for a in arts[1:]:
        a.publisher = a.publisher or arts[0].publisher
    return [a for a in arts if a.paragraphs]


def _clusters(lines: list[Line]) -> list[list[Line]]:
    """Runs of prose lines allowing short non-prose gaps (headings, captions, Q&A lines) between them."""
    clusters: list[list[Line]] = []
    cur: list[Line] = []
    gap: list[Line] = []
    for ln in lines:
        if ln.is_prose():
            if cur and _gap_ok(gap):
                cur.extend(gap)
            elif cur:
                clusters.append(cur)
                cur = []
            cur.append(ln)
            gap = []
        elif cur:
            gap.append(ln)
            if len(gap) > 4:
                clusters.append(cur)
                cur, gap = [], []
    if cur:
        clusters.append(cur)
    return clusters


def _gap_ok(gap: list[Line]) -> bool:
    """Whether the lines between two prose lines belong to the article (headings, FAQ questions)."""
    if len(gap) > 3:
        return False
    return not any(boilerplate_line(g.text) or g.repeats > 2 or SEPARATOR.match(g.raw) for g in gap)


def _bodies(lines: list[Line]) -> list[list[Line]]:
    """The article bodies: the main prose cluster, split where a new headline starts a new article."""
    clusters = _clusters(lines)
    if not clusters:
        return []
    weight = [sum(len(ln.words) for ln in c if ln.is_prose()) for c in clusters]
    best = max(weight)
    # several articles in one file: other big clusters with a headline of their own before them
    keep = [c for c, w in zip(clusters, weight) if w >= 40 and w >= 0.35 * best]
    spans = []
    for c in keep:
        spans.extend(_split_on_headlines(c))
    return spans


def _split_on_headlines(cluster: list[Line]) -> list[list[Line]]:
    """Split a cluster at headline lines (bold/Markdown, 5+ words) that are followed by prose."""
    cuts = [0]
    for j, ln in enumerate(cluster[1:], 1):
        nxt = cluster[j + 1] if j + 1 < len(cluster) else None
        if (ln.bold or SEPARATOR.match(ln.raw)) and len(ln.words) >= 5 and nxt is not None and nxt.is_prose():
            before = sum(len(x.words) for x in cluster[cuts[-1]:j] if x.is_prose())
            if before >= 80:
                cuts.append(j)
    parts = [cluster[a:b] for a, b in zip(cuts, cuts[1:] + [len(cluster)])]
    return [_trim(p) for p in parts if p]


def _trim(span: list[Line]) -> list[Line]:
    """Drop non-prose lines at either end (a headline opening the span stays outside the body)."""
    while span and not span[0].is_prose():
        span = span[1:]
    while span and not span[-1].is_prose():
        span = span[:-1]
    return span
