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
        """The CLI.md gap claim object (built field by field: asdict
        deep-copies, and /gap builds thousands)."""
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


@dataclass
class Fact:
    """A sentence of an article that says something about an entity."""

    sentence_id: int
    article_id: str
    text: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Fact":
        """Build from a `sentences` row (its id as `id`)."""
        return cls(row["id"], row["article_id"], row["text"])


@dataclass
class Entity:
    """A company, person, model or organisation the articles name, as extraction listed it.

    A name extraction did not list but the articles contain has no id; its `mentions` are the sentences found
    by searching for the name as a phrase."""

    id: int | None
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    article_count: int = 0
    mention_count: int = 0
    mentions: list[Fact] | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Entity":
        """Build from an `entities` row (aliases, roles and related stored as JSON text)."""
        return cls(row["id"], row["name"], row["kind"], json.loads(row.get("aliases") or "[]"),
                   json.loads(row.get("roles") or "[]"), json.loads(row.get("related") or "[]"),
                   row.get("article_count") or 0, row.get("mention_count") or 0)

    def to_json(self) -> dict[str, Any]:
        """The CLI.md /who entity object, without its facts."""
        return {"name": self.name, "kind": self.kind, "aliases": self.aliases,
                "article_count": self.article_count, "roles": self.roles, "related": self.related}


@dataclass
class Profile:
    """What /who lists for one entity: its most informative sentences and the sized gap claims about it."""

    facts: list[Fact]
    claims: list[Claim]


@dataclass
class GapOverview:
    """The /gap summary over every claim (or every claim about a topic), and the newest claims it lists."""

    sized: list[Claim]
    unsized: list[Claim]
    sized_count: int
    unsized_count: int
    range_years: list[float] | None
    median_years: float | None
    articles: int | None = None  # articles in the corpus, when the summary covers all of it
    sized_json: list[dict] | None = None  # the listed claims as Claim.to_json() gives them, when stored so
    unsized_json: list[dict] | None = None

    def claims_json(self) -> list[dict]:
        """The listed claims, sized then unsized, as Claim.to_json() gives them (kept so when stored so)."""
        if self.sized_json is not None and self.unsized_json is not None:
            return self.sized_json + self.unsized_json
        return [c.to_json() for c in self.sized + self.unsized]


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
