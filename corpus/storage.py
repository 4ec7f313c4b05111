"""What the ingest writer and the searcher need from a storage engine: the seam a second engine plugs into.

corpus.store.Store (SQLite) implements both protocols; nothing in the pipeline or the search reaches past
them."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ContextManager, Protocol

if TYPE_CHECKING:
    import numpy as np

    from corpus.extract.entities import SpanOut
    from corpus.models import Claim, Duplicate, Prepared


URL_SCHEMES = ("postgresql://", "postgres://")


class SqlConnection(Protocol):
    """What portable corpus SQL calls on a connection: sqlite3's, and corpus.pg_schema.PgConnection."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any:
        """Run one statement with ? parameters; returns a cursor."""
        ...


class VectorIndex(Protocol):
    """The searcher's vector index: in memory (corpus/vectors.py) or in Postgres (corpus/pg_vectors.py)."""

    def __len__(self) -> int:
        ...

    def top(self, q: np.ndarray, k: int) -> dict[int, float]:
        """sentence id -> cosine with q, of the k nearest."""
        ...

    def vector(self, sid: int) -> np.ndarray | None:
        """One sentence's vector when the index holds it (else None: ask the store)."""
        ...

    def preload(self, ids: set[int]) -> None:
        """Make vector() cheap for these sentences (one read for all, when vectors live in the database)."""
        ...

    def describe(self) -> str:
        """What the index is, for logs and benchmarks."""
        ...


def is_url(location: str) -> bool:
    """Whether a database location is a Postgres URL (GAPBOT_DATABASE_URL) rather than an SQLite file."""
    return location.startswith(URL_SCHEMES)


def sqlalchemy_url(location: str) -> str:
    """The same database as SQLAlchemy addresses it: Postgres through psycopg 3, or the SQLite file."""
    if is_url(location):
        return "postgresql+psycopg://" + location.split("://", 1)[1]
    return f"sqlite:///{Path(location).resolve()}"


class IngestStore(Protocol):
    """Where the ingest pipeline writes an article and its derived rows."""

    path: str

    def indexing(self) -> ContextManager[None]:
        """Held while this process indexes; other processes see it through indexer_running()."""
        ...

    def newest_article(self) -> int:
        """A marker past every article committed so far (find_duplicate's `after`)."""
        ...

    def find_duplicate(self, p: Prepared, *, after: int = 0) -> Duplicate | None:
        """The indexed article (committed past `after`) that p repeats, if any."""
        ...

    def record_duplicate(self, p: Prepared, dup: Duplicate) -> None:
        """Note, in its own write, that p's source repeats an indexed article."""
        ...

    def write_article(self, p: Prepared, *, after: int, summary: list[str], spans: list[SpanOut],
                      claims: list[Claim], contexts: list[str],
                      vectors: list[tuple[str, str, bytes]]) -> Duplicate | None:
        """Every row of p in one write, unless an article committed past `after` makes p a duplicate: then
        that is recorded instead and returned."""
        ...

    def stored_vectors(self, model: str, hashes: list[str]) -> dict[str, bytes]:
        """hash -> float32 vector blob of the sentence texts already embedded with `model`."""
        ...

    def derived_stale(self) -> bool:
        """Whether entities and the answer tables are older than the articles."""
        ...

    def rebuild_derived(self) -> None:
        """Rebuild entities and the answer tables from every article, and mark the corpus changed."""
        ...


class SearchStore(Protocol):
    """What the searcher reads: the generation, full-text matches, sentence rows and vectors."""

    def version(self) -> int:
        """A number that changes whenever the corpus changes."""
        ...

    def vector_index(self, model: str, dim: int, *, generation: int) -> VectorIndex:
        """Every sentence vector of `model`, as one consistent snapshot, in an index to search."""
        ...

    def vector_count(self, model: str) -> int:
        """How many sentence vectors of `model` there are."""
        ...

    def match(self, expr: str, limit: int) -> dict[int, float]:
        """sentence id -> BM25 score (higher is better) of the sentences matching a full-text expression."""
        ...

    def match_count(self, expr: str) -> int:
        """How many sentences match a full-text expression."""
        ...

    def sentence_high_water(self) -> int:
        """The highest sentence id (a cheap size of the corpus)."""
        ...

    def sentence_rows(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        """id -> {id, article_id, kind, text, context, title, prev_id} of the given sentences."""
        ...

    def sentence_vector(self, model: str, sid: int) -> np.ndarray | None:
        """One sentence's stored vector of `model`."""
        ...


class CorpusStore(IngestStore, SearchStore, Protocol):
    """Both sides: an indexing run writes, then refreshes the searcher's vector index after its batch."""
