"""Sentence vectors on Postgres: pgvector's HNSW index answers the searcher's top-k, in the database.

The searcher holds no vector matrix (every worker would load a ~1 GB one at a million sentences): it asks
Postgres for the k nearest by inner product (the vectors are unit length, so this is cosine, as the SQLite
engine's exact index computes it). hnsw.ef_search is set per query, at least k, and the iterative scan lets
the model filter still return k rows."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from corpus.pg_write import literal

if TYPE_CHECKING:
    from corpus.pg_store import PgStore

# Candidates HNSW keeps while searching (the searcher asks for k = 100, so this is what it gets). Measured by
# `python -m bench` at 100k synthetic vectors, two builds (docs/benchmarks.md, "HNSW"): for k = 100,
# ef_search 100 found 0.86-0.90 of the exact top 100 (ties counted), 200 found 0.93-0.95 and 400 0.95, at
# 3.2-3.5, 2.8-4.3 and 4.4-6.4 ms a query, beside ~90 ms for all of /ask; so 200.
EF_SEARCH = 200
PRELOAD_MAX = 50_000  # preloaded vectors kept (75 MB) before the cache starts afresh


class HnswIndex:
    """The vectors of one model in one database, searched through its HNSW index."""

    def __init__(self, store: "PgStore", model: str, n: int, *, ef_search: int = EF_SEARCH):
        self.store, self.model, self.n, self.ef_search = store, model, n, ef_search
        self._read: dict[int, np.ndarray] = {}  # vectors preloaded for the searches of this generation

    def __len__(self) -> int:
        return self.n

    def top(self, q: np.ndarray, k: int) -> dict[int, float]:
        """sentence id -> inner product with q, of the k nearest (approximate past the exact-scan size)."""
        db = self.store.db
        with db.conn.transaction():
            db.execute(f"SET LOCAL hnsw.ef_search = {max(int(k), self.ef_search)}")
            db.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            rows = db.execute("SELECT sentence_id, -(vector <#> CAST(? AS vector)) FROM sentence_vectors "
                              "WHERE model = ? ORDER BY vector <#> CAST(? AS vector) LIMIT ?",
                              [literal(q), self.model, literal(q), int(k)]).fetchall()
        return {int(sid): float(score) for sid, score in rows}

    def vector(self, sid: int) -> np.ndarray | None:
        """A vector preload() read (else None: the searcher asks the store for it alone)."""
        return self._read.get(sid)

    def preload(self, ids: set[int]) -> None:
        """Read these sentences' vectors in one query (the float32 blobs of the embeddings cache)."""
        missing = [i for i in ids if i not in self._read]
        if not missing:
            return
        if len(self._read) > PRELOAD_MAX:
            self._read = {}
        rows = self.store.db.execute("SELECT s.id, e.vector FROM sentences s JOIN embeddings e "
                                     "ON e.hash = s.hash AND e.model = ? WHERE s.id = ANY(?)",
                                     [self.model, missing])
        self._read.update({int(sid): np.frombuffer(bytes(blob), dtype=np.float32) for sid, blob in rows})

    def describe(self) -> str:
        """What the index is, for logs and benchmarks."""
        return f"pgvector HNSW over {self.n} vectors (ef_search {self.ef_search})"
