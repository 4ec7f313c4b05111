"""Hybrid sentence search: FTS5 BM25 and dense cosine over a NumPy matrix, fused on normalised scores."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from corpus.lexicon import STOPWORDS
from corpus.models import Hit

if TYPE_CHECKING:
    from corpus.index import Corpus

POOL = 100  # candidates taken from each side before fusion
DENSE_WEIGHT = 0.55
KIND_WEIGHT = {"para": 1.0, "faq": 0.8, "heading": 0.75}
QUESTION_WORDS = {"what", "which", "who", "whom", "how", "why", "when", "where", "is", "are", "was", "were",
                  "did", "does", "do", "according", "say", "said", "think", "tell"}


def terms(text: str) -> list[str]:
    """The content words of a query: lower case, no stop words or question words."""
    words = re.findall(r"[^\W_]+(?:[.'’\-][^\W_]+)*", text.lower())
    return [w for w in words if w not in STOPWORDS and w not in QUESTION_WORDS and len(w) > 1 or w.isdigit()]


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression that ORs the query's words, each quoted: no input can be a syntax error."""
    words = {t for w in terms(text) for t in re.findall(r"[^\W_]+", w)}
    if not words:
        return None
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in sorted(words))


@dataclass
class _Matrix:
    ids: np.ndarray
    vectors: np.ndarray
    version: int


class Searcher:
    """Search over one corpus; the vector matrix is loaded once and reloaded when the corpus changes."""

    def __init__(self, corpus: "Corpus"):
        self.corpus = corpus
        self._matrix: _Matrix | None = None
        self._lock = threading.Lock()

    def matrix(self) -> _Matrix:
        """All sentence vectors of the current embedder, as one float32 matrix."""
        version = self.corpus.store.version()
        with self._lock:
            if self._matrix is None or self._matrix.version != version:
                db = self.corpus.store.db
                rows = db.execute("SELECT s.id, e.vector FROM sentences s JOIN embeddings e ON e.hash = s.hash "
                                  "AND e.model = ? ORDER BY s.id", [self.corpus.embedder.name]).fetchall()
                ids = np.array([r[0] for r in rows], dtype=np.int64)
                vecs = (np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
                        if rows else np.zeros((0, self.corpus.embedder.dim), np.float32))
                self._matrix = _Matrix(ids, vecs, version)
            return self._matrix

    def bm25(self, query: str, limit: int = POOL) -> dict[int, float]:
        """sentence id -> BM25 score (higher is better)."""
        q = fts_query(query)
        if q is None:
            return {}
        rows = self.corpus.store.db.execute(
            "SELECT rowid, -bm25(sentences_fts, 1.0, 0.25) FROM sentences_fts WHERE sentences_fts MATCH ? "
            "ORDER BY bm25(sentences_fts, 1.0, 0.25) LIMIT ?", [q, limit]).fetchall()
        return {r[0]: r[1] for r in rows}

    def dense(self, query: str, limit: int = POOL) -> dict[int, float]:
        """sentence id -> cosine similarity with the query."""
        m = self.matrix()
        if not len(m.ids) or not query.strip():
            return {}
        q = self._query_vec(query)
        sims = m.vectors @ q
        k = min(limit, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        return {int(m.ids[i]): float(sims[i]) for i in top}

    def search(self, query: str, *, limit: int = 10, mode: str = "hybrid") -> list[Hit]:
        """The best sentences for the query, best first."""
        lexical = self.bm25(query) if mode in ("hybrid", "bm25") else {}
        semantic = self.dense(query) if mode in ("hybrid", "dense") else {}
        top_b = max(lexical.values(), default=0.0) or 1.0
        ids = set(lexical) | set(semantic)
        if not ids:
            return []
        rows = self._rows(ids)
        scored = []
        for sid, row in rows.items():
            b = lexical.get(sid, 0.0) / top_b
            c = semantic.get(sid)
            if c is None and mode == "hybrid":
                c = self._cosine_of(sid, query)
            if mode == "bm25":
                score = b
            elif mode == "dense":
                score = c or 0.0
            else:
                score = DENSE_WEIGHT * (c or 0.0) + (1 - DENSE_WEIGHT) * b
            score *= KIND_WEIGHT.get(row["kind"], 1.0) * _title_like(row["text"])
            scored.append(Hit(sid, row["article_id"], row["title"], row["text"], score, row["context"], b, c or 0.0))
        scored.sort(key=lambda h: -h.score)
        return scored[:limit]

    def _cosine_of(self, sid: int, query: str) -> float:
        m = self.matrix()
        pos = np.searchsorted(m.ids, sid)
        if pos >= len(m.ids) or m.ids[pos] != sid:
            return 0.0
        q = self._query_vec(query)
        return float(m.vectors[pos] @ q)

    def _query_vec(self, query: str) -> np.ndarray:
        cached = getattr(self, "_qcache", None)
        if cached and cached[0] == query:
            return cached[1]
        v = self.corpus.embedder.encode([query])[0]
        self._qcache = (query, v)
        return v

    def _rows(self, ids: set[int]) -> dict[int, dict]:
        ids_l = list(ids)
        out = {}
        for i in range(0, len(ids_l), 900):
            chunk = ids_l[i:i + 900]
            q = ("SELECT s.id, s.article_id, s.kind, s.text, p.text AS context, a.title FROM sentences s "
                 "JOIN passages p ON p.id = s.passage_id JOIN articles a ON a.id = s.article_id "
                 f"WHERE s.id IN ({','.join('?' * len(chunk))})")
            for r in self.corpus.store.db.query(q, chunk):
                out[r["id"]] = r
        return out


def _title_like(text: str) -> float:
    """Demote short title-case lines: they repeat the question's words without answering it."""
    words = re.findall(r"[A-Za-z]+", text)
    long = [w for w in words if len(w) > 3]
    if len(words) < 14 and long and sum(w[0].isupper() for w in long) / len(long) > 0.6:
        return 0.8
    return 1.0
