"""The sentence-vector index: exact float32 NumPy up to EXACT_MAX vectors, quantised IVF (faiss) past it.

Measured on this project's 2-core machine (docs/benchmarks.md): an exact float32 scan costs ~0.3 ms per 1k
vectors and 1.5 KB each, so at 1M passages it is 1.5 GB and hundreds of ms a query; an IVF index over 8-bit
codes is 384 bytes a vector and a few ms a query with recall@10 near 0.95. The large index is built once per
corpus generation and cached beside the database, so a restart does not rebuild it.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import math
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

EXACT_MAX = 200_000  # above this many vectors, use the IVF index when faiss is installed
FETCH = 20_000  # rows read from SQLite per query while loading
_SELECT = ("SELECT s.id, e.vector FROM sentences s JOIN embeddings e ON e.hash = s.hash AND e.model = ? "
           "WHERE s.id > ? ORDER BY s.id LIMIT ?")


def count(db: sqlite3.Connection, model: str) -> int:
    """How many sentences have a vector from this model."""
    return db.execute("SELECT count(*) FROM sentences s JOIN embeddings e ON e.hash = s.hash AND e.model = ?",
                      [model]).fetchone()[0]


def chunks(db: sqlite3.Connection, model: str, dim: int, *, every: int = 1):
    """(ids, vectors) in id order, FETCH rows at a time (every k-th row only, for a training sample)."""
    last = 0
    while True:
        rows = db.execute(_SELECT, [model, last, FETCH * every]).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        rows = rows[::every]
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
        yield ids, vecs


@dataclass
class ExactIndex:
    """Every vector in one float32 matrix: exact cosine by one matrix-vector product."""

    ids: np.ndarray
    vectors: np.ndarray

    @classmethod
    def load(cls, db: sqlite3.Connection, model: str, dim: int, n: int) -> ExactIndex:
        """Read the vectors into preallocated arrays (no second copy of the blobs)."""
        ids = np.empty(n, dtype=np.int64)
        vecs = np.empty((n, dim), dtype=np.float32)
        at = 0
        for cid, cvec in chunks(db, model, dim):
            take = min(len(cid), n - at)
            ids[at:at + take], vecs[at:at + take] = cid[:take], cvec[:take]
            at += take
        return cls(ids[:at], vecs[:at])

    def __len__(self) -> int:
        return len(self.ids)

    def top(self, q: np.ndarray, k: int) -> dict[int, float]:
        """sentence id -> cosine for the k nearest vectors.

        With faiss installed, its brute-force kernel (faiss.knn, over this same matrix, no copy) on one
        thread: 5.6-6.5 ms at 100k here against 7.5 ms for NumPy's matrix-vector product on two BLAS threads
        (14 ms on one) and 15 ms for faiss on two OpenMP threads; the same top k, cosines to ~1e-7.
        """
        k = min(k, len(self.ids))
        if k <= 0:
            return {}
        knn = _knn() if len(self.ids) >= KNN_MIN else None
        if knn is not None:
            with _faiss_one_thread():
                sims, pos = knn[0](np.ascontiguousarray(q[None, :], dtype=np.float32), self.vectors, k,
                                   metric=knn[1])
            return {int(self.ids[i]): float(s) for i, s in zip(pos[0], sims[0]) if i >= 0}
        return self.top_numpy(q, k)

    def top_numpy(self, q: np.ndarray, k: int) -> dict[int, float]:
        """top() by one NumPy matrix-vector product (without faiss, and for small corpora)."""
        sims = self.vectors @ q
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        return {int(self.ids[i]): float(sims[i]) for i in top}

    def vector(self, sid: int) -> np.ndarray | None:
        """The stored vector of one sentence."""
        pos = np.searchsorted(self.ids, sid)
        return self.vectors[pos] if pos < len(self.ids) and self.ids[pos] == sid else None

    def preload(self, ids: set[int]) -> None:
        """Nothing to do: every vector is in memory."""

    def describe(self) -> str:
        """One line for logs and benchmarks."""
        return f"exact float32 NumPy, {len(self):,} vectors, {self.vectors.nbytes / 2**20:.0f} MB"


class IVFIndex:
    """faiss IndexIVFScalarQuantizer (8-bit codes, inner product) with a
    hash map from sentence id to vector."""

    def __init__(self, index, n: int):
        self.index = index
        self.n = n

    @classmethod
    def build(cls, db: sqlite3.Connection, model: str, dim: int, n: int) -> IVFIndex:
        """Train the coarse quantiser on a sample, then add every vector chunk by chunk."""
        import faiss  # lazy: faiss is needed only past 200k sentences

        nlist = max(16, int(math.sqrt(n)))
        sample = np.vstack([v for _, v in chunks(db, model, dim, every=max(1, n // (32 * nlist)))])
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = 10
        index.train(sample)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # faiss stubs lag
        for ids, vecs in chunks(db, model, dim):
            index.add_with_ids(vecs, ids)
        return cls(cls._tuned(index, nlist), n)

    @staticmethod
    def _tuned(index, nlist: int):
        index.nprobe = max(16, nlist // 8)  # 1/8 of the lists: see the recall figures in docs/benchmarks.md
        return index

    @classmethod
    def read(cls, path: Path, n: int) -> IVFIndex:
        """Load an index written by save()."""
        import faiss  # lazy: faiss, as above

        index = faiss.read_index(str(path))
        return cls(cls._tuned(index, index.nlist), n)  # type: ignore[attr-defined]  # an IVF index read back

    def save(self, path: Path) -> None:
        """Write the index atomically next to the database."""
        import faiss  # lazy: faiss, as above

        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self.index, str(tmp))
        tmp.replace(path)

    def __len__(self) -> int:
        return self.n

    def top(self, q: np.ndarray, k: int) -> dict[int, float]:
        """sentence id -> approximate cosine for about the k nearest vectors."""
        sims, ids = self.index.search(np.ascontiguousarray(q[None, :], dtype=np.float32), min(k, self.n))
        return {int(i): float(s) for i, s in zip(ids[0], sims[0]) if i >= 0}

    def vector(self, sid: int) -> np.ndarray | None:
        """The stored (8-bit, decoded) vector of one sentence."""
        try:
            return self.index.reconstruct(int(sid))
        except RuntimeError:
            return None

    def preload(self, ids: set[int]) -> None:
        """Nothing to do: every code is in memory."""

    def describe(self) -> str:
        """One line for logs and benchmarks."""
        return (f"faiss IVF{self.index.nlist},SQ8 nprobe {self.index.nprobe}, {self.n:,} vectors, "
                f"{self.n * self.index.code_size / 2**20:.0f} MB of codes")


@functools.lru_cache(maxsize=1)
def _knn():
    """(faiss.knn, its inner-product metric), or None without faiss."""
    try:
        import faiss  # lazy: faiss, as above
    except ImportError:
        return None
    return faiss.knn, faiss.METRIC_INNER_PRODUCT


@contextmanager
def threads(get, set_, n: int = 1):
    """Run a block with a library's thread count set to n (torch, faiss), restoring it after."""
    before = get()
    set_(n)
    try:
        yield
    finally:
        set_(before)


def _faiss_one_thread():
    """faiss on one OpenMP thread for one query: a second thread only splits a 5 ms scan and waits."""
    import faiss  # lazy: faiss, as above

    return threads(faiss.omp_get_max_threads, faiss.omp_set_num_threads)


KNN_MIN = 1_000  # below this many vectors NumPy is as fast and faiss need not be imported; at 10k NumPy's
# two BLAS threads took 0.5 ms idle but up to 8 ms while other processes were busy, faiss 0.5 ms either way


def have_faiss() -> bool:
    """Whether the optional faiss-cpu package can be imported."""
    try:
        import faiss  # noqa: F401  # lazy: faiss, as above
    except ImportError:
        return False
    return True


def cache_path(db_path: str, db: sqlite3.Connection, model: str, generation: int, n: int) -> Path | None:
    """Where the IVF index of this exact corpus state is cached (None for an in-memory database)."""
    if not db_path or db_path == ":memory:":
        return None
    edge = db.execute("SELECT group_concat(hash) FROM (SELECT hash FROM sentences WHERE id IN "
                      "((SELECT min(id) FROM sentences), (SELECT max(id) FROM sentences)))").fetchone()[0]
    key = hashlib.sha1(f"{model}|{generation}|{n}|{edge}".encode()).hexdigest()[:16]
    return Path(f"{db_path}.ivf-{key}.faiss")


def load(db: sqlite3.Connection, *, db_path: str, model: str, dim: int, generation: int,
         exact_max: int | None = None):
    """The right index for the corpus's size: exact up to exact_max (or without faiss), else cached IVF."""
    n = count(db, model)
    if n <= (EXACT_MAX if exact_max is None else exact_max) or not have_faiss():
        return ExactIndex.load(db, model, dim, n)
    path = cache_path(db_path, db, model, generation, n)
    if path is not None and path.exists():
        try:
            return IVFIndex.read(path, n)
        except Exception:  # noqa: BLE001 -- a torn or foreign file: rebuild it
            log.warning("vector index cache %s unreadable; rebuilding", path)
    index = IVFIndex.build(db, model, dim, n)
    if path is not None:
        for old in path.parent.glob(Path(db_path).name + ".ivf-*.faiss"):
            old.unlink(missing_ok=True)
        index.save(path)
    return index
