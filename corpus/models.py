"""Small dataclasses the corpus hands out: articles, search hits, gap claims, entities, ingest results."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from corpus.lines import CleanArticle


@dataclass
class Article:
    """An indexed article and its metadata."""

    id: str
    title: str
    publisher: str | None
    author: str | None
    date: str | None
    url: str | None
    added_at: str
    body: str = ""
    modified: str | None = None
    summary: list[str] = field(default_factory=list)
    source: str = ""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Article":
        """Build from an `articles` row."""
        keys = cls.__dataclass_fields__
        data = {k: row[k] for k in keys if k in row}
        data["summary"] = json.loads(row.get("summary") or "[]")
        return cls(**data)

    def to_json(self, *, body: bool = True) -> dict[str, Any]:
        """The CLI.md `show --json` object (without body when body=False)."""
        d = {k: getattr(self, k) for k in ("id", "title", "publisher", "author", "date", "url", "added_at")}
        if body:
            d["body"] = self.body
        return d


@dataclass
class Hit:
    """One search result: a sentence of an article, with its paragraph for context."""

    sentence_id: int
    article_id: str
    title: str
    text: str
    score: float
    context: str = ""
    bm25: float = 0.0
    cosine: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The CLI.md `search --json` object."""
        return {"article_id": self.article_id, "title": self.title, "text": self.text,
                "score": round(self.score, 4)}


@dataclass
class Claim:
    """A statement of how far China trails or leads the US, with its size in years when given."""

    low_years: float | None
    high_years: float | None
    phrase: str
    direction: str
    dimension: str
    speaker: str | None
    affiliation: str | None
    quote: str
    article_id: str
    date: str | None
    sentence_id: int = 0
    as_of: str | None = None  # the time the estimate is about: a year it names, else the article's date
    sides: list[str] | None = None  # the two parties compared, China's side first
    historical: bool = False  # an estimate of how things stood before ("down from a year in 2023")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Claim":
        """Build from a `claims` row (sides stored as JSON text)."""
        data = {k: row[k] for k in cls.__dataclass_fields__ if k in row}
        if isinstance(data.get("sides"), str):
            data["sides"] = json.loads(data["sides"])
        data["historical"] = bool(data.get("historical"))
        return cls(**data)

    @property
    def sized(self) -> bool:
        """Whether the claim carries a time estimate."""
        return self.low_years is not None or self.high_years is not None

    def to_json(self) -> dict[str, Any]:
        """The CLI.md gap claim object (built field by field: asdict deep-copies, and /gap builds thousands)."""
        return {"low_years": self.low_years, "high_years": self.high_years, "phrase": self.phrase,
                "direction": self.direction, "dimension": self.dimension, "speaker": self.speaker,
                "affiliation": self.affiliation, "quote": self.quote, "article_id": self.article_id,
                "date": self.date, "as_of": self.as_of, "sides": self.sides, "historical": self.historical}


@dataclass
class IngestResult:
    """What happened to one source (or one article of a multi-article source)."""

    source: str
    status: str  # added | duplicate | rejected
    article_id: str | None = None
    title: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The CLI.md `index --json` line."""
        return asdict(self)


# --- the ingest pipeline's plain data: prepare -> extract -> write -----------------------------------------


@dataclass
class Sentence:
    """A sentence of an article body being prepared for the store."""

    idx: int
    passage: int
    kind: str
    start: int
    end: int
    text: str
    context: str
    hash: str
    id: int = 0


@dataclass
class Prepared:
    """An article ready to be written: metadata, passages, sentences and their vectors."""

    art: CleanArticle
    source: str
    url: str | None
    id: str = ""
    text_hash: str = ""
    passages: list[tuple[str, int, int, str]] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    vectors: np.ndarray | None = None


Duplicate = tuple[str, str, float]  # an indexed article a new one repeats: (article id, kind, similarity)
