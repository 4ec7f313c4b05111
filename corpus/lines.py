"""The lines of a plain-text scrape with the features the cleaner reads, and the article built from them."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from corpus.lexicon import (
    STOPWORDS,
    boilerplate_line,
    caption_credit,
    credit_line,
    interstitial_line,
    photo_credit,
)

END_PUNCT = re.compile(r"[.!?;:][\"'”’»)\]]*$|[.!?][\"'”’»)\]]*\s*\*+$")
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")  # a finished sentence (not ";" or ":")
BOLD = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*$")
MD_HEADING = re.compile(r"^\s*#{1,3}\s+(.+?)\s*#*\s*$")
INLINE_AD = re.compile(r"(?<=[.!?”\"’])[ \t]+(?:ADVERTISEMENT|Advertisement|(?:Story|Article) continues below"
                       r"(?: advertisement)?)[ \t]+(?=[A-Z“\"‘])")
MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^()\s]*\))*\)")  # [text](url) -> text
MD_EMPHASIS = re.compile(r"(?<![\w*_])([*_]{1,2})(?=\S)([^*_\n]+?)(?<=\S)\1(?![\w*_])")
SEPARATOR = re.compile(r"^\s*([-=*_~#])\1{2,}\s*$")
BYLINE = re.compile(r"^(?:[\s\-–—•]*|.{0,40}?\b(?:posted|published|updated)\b.{0,40}?\s)"
                    r"(?:by|written by|author:?)\s+(.*)$", re.I)
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
CAPTION_MAX_WORDS = 40  # a photo caption is a sentence or two; a longer line above a credit is body text


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
        # headlines seldom end with a full stop, so a line that does may carry more names ("Lab Chief Ann
        # Lee")
        limit = 0.7 if SENTENCE_END.search(text) else 0.6
        return stop >= 0.18 and title_case_ratio(w) < limit


@dataclass
class CleanArticle:
    """An article cut out of a scrape."""

    title: str
    paragraphs: list[str]
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    modified: str | None = None
    url: str | None = None
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
    # an ad slot left between two sentences of a flattened capture: "…said. Advertisement The company…"
    text = INLINE_AD.sub(" ", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def key(text: str) -> str:
    """Comparison key of a line: lower case, letters and digits only."""
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def lines_of(text: str) -> list[Line]:
    """The non-empty lines of a scrape, with markup noted and stripped, and in-story furniture left out."""
    out = []
    for i, raw in enumerate(normalise(text).split("\n")):
        s = raw.strip()
        if not s:
            continue
        s = MD_LINK.sub(r"\1", MD_IMAGE.sub("", s)).strip()
        if not s:
            continue  # a Markdown image on its own line
        bold = BOLD.match(s) or MD_HEADING.match(s)
        body = bold.group(1).strip() if bold else s
        body = re.sub(r"^[\u2022•·▪●\-–—*]\s+(?=\S)", "", body) if not bold else body
        body = MD_EMPHASIS.sub(r"\2", body)
        out.append(Line(i, body, s, bold=bool(bold), heading=bool(MD_HEADING.match(s))))
    out = without_inserts(out)
    counts = Counter(key(ln.text) for ln in out)
    for ln in out:
        ln.repeats = counts[key(ln.text)]
    return out


def without_inserts(lines: list[Line]) -> list[Line]:
    """Drop what a page inserts into a story without ending it: ad slots, photo credits and their captions.

    They are removed, not treated as furniture, because furniture between two paragraphs ends a story."""
    drop = set()
    for n, ln in enumerate(lines):
        if interstitial_line(ln.text) or caption_credit(ln.text):
            drop.add(n)
        elif credit_line(ln.text):
            drop.add(n)
            if n and photo_credit(ln.text) and _caption_shaped(lines[n - 1]):
                drop.add(n - 1)  # the caption printed above its credit
    return [ln for n, ln in enumerate(lines) if n not in drop]


def _caption_shaped(ln: Line) -> bool:
    """A line that can be a photo caption: a plain sentence of modest length, not a marked-up headline."""
    n = len(ln.words)
    return not ln.bold and SENTENCE_END.search(ln.text) is not None and 4 <= n <= CAPTION_MAX_WORDS
