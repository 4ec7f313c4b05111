"""Hybrid sentence search: FTS5 BM25 and dense cosine over a NumPy matrix, fused on normalised scores."""
from __future__ import annotations

import math
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from corpus import vectors
from corpus.context import points_back
from corpus.embed import Embedder, encode_query
from corpus.lexicon import STOPWORDS
from corpus.models import Hit
from corpus.question import KIND_NOUNS, answer_kind, coverage, fits, wh_noun

if TYPE_CHECKING:
    from corpus.storage import SearchStore, VectorIndex

POOL = 100  # candidates taken from each side before fusion
LARGE = 50_000  # sentences past which BM25 leaves out the commonest words (see Searcher._rare_terms)
COMMON = 0.05  # share of sentences that makes a word common
KEEP = 2  # words kept when every word is common
DENSE_WEIGHT = 0.65
KIND_WEIGHT = {"para": 1.0, "faq": 0.8, "heading": 0.75}
MISFIT = 0.8  # a sentence without the kind of answer asked for ("how long?" and no length of time); 0.75-0.82
# gave the same answers on both eval sets (docs/benchmarks.md)
UNNAMED = 0.9  # a sentence that never names the noun a what/which question asks for; 0.8-0.95 gave the same
QUESTION_WORDS = {"what", "which", "who", "whom", "how", "why", "when", "where", "is", "are", "was", "were",
                  "did", "does", "do", "according", "say", "said", "think", "tell"}


# Words that frame a question rather than name what it is about: "how long will it take", "how far behind",
# "according to the … article". They are in no answer, so they must neither rank nor gate one.
META_WORDS = {"article", "articles", "story", "stories", "piece", "author", "writer"}
HOW_FRAME = re.compile(r"\bhow\s+(long|far|soon|often|much|many|big|large|quickly|fast)\b")
TAKE_FRAME = re.compile(r"\bhow\s+long\b.*\b(take|takes|took)\b")


def terms(text: str) -> list[str]:
    """The content words of a query: lower case, no stop words, question words or question frames."""
    low = text.lower()
    frame = set(META_WORDS)
    frame.update(m.group(1) for m in HOW_FRAME.finditer(low))
    frame.update(m.group(1) for m in TAKE_FRAME.finditer(low))
    words = re.findall(r"[^\W_]+(?:[.'’\-][^\W_]+)*", low)
    return [w for w in words
            if w not in STOPWORDS and w not in QUESTION_WORDS and w not in frame and len(w) > 1
            or w.isdigit()]


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression that ORs the query's words, each quoted: no input can be a syntax error."""
    words = {t for w in terms(text) for t in re.findall(r"[^\W_]+", w)}
    if not words:
        return None
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in sorted(words))


class Searcher:
    """Search over one store with one embedder; the vector index is loaded once and reloaded when the corpus
    changes."""

    def __init__(self, store: SearchStore, embedder: Embedder):
        self.store = store
        self.embedder = embedder
        self._index: tuple[int, VectorIndex] | None = None
        self._lock = threading.Lock()
        self._df: tuple[int, int, dict[str, int]] | None = None  # (version, size, word -> sentence count)

    def index(self) -> VectorIndex:
        """The vector index of the current embedder (exact float32, or quantised IVF for large corpora)."""
        version = self.store.version()
        with self._lock:
            if self._index is None or self._index[0] != version:
                index = self.store.vector_index(self.embedder.name, self.embedder.dim, generation=version)
                self._index = (version, index)
            return self._index[1]

    def describe(self) -> str:
        """What vector index is in use, for logs and benchmarks."""
        return self.index().describe()

    def bm25(self, query: str, limit: int = POOL) -> dict[int, float]:
        """sentence id -> BM25 score (higher is better)."""
        q = fts_query(query)
        if q is None:
            return {}
        return self.store.match(self._rare_terms(q), limit)

    def _rare_terms(self, q: str) -> str:
        """In a large corpus, the MATCH expression without the words in over COMMON of the sentences.

        FTS5 scores every row that matches any word, so at 1M sentences "china" or "ai" (in half of them) cost
        ~1 s a query; their IDF is near zero, so ranking by the rarer words alone loses little
        (benchmarks.md).
        """
        version = self.store.version()
        if self._df is None or self._df[0] != version:
            self._df = (version, self.store.sentence_high_water(), {})
        _, size, df = self._df
        if size <= LARGE:
            return q
        words = q.split(" OR ")
        for w in words:
            if w not in df:
                df[w] = self.store.match_count(w)
        rare = [w for w in words if df[w] <= COMMON * size] or sorted(words, key=df.__getitem__)[:KEEP]
        return " OR ".join(rare)

    def dense(self, query: str, limit: int = POOL) -> dict[int, float]:
        """sentence id -> cosine similarity with the query."""
        index = self.index()
        if not len(index) or not query.strip():
            return {}
        return index.top(self._query_vec(query), limit)

    def search(self, query: str, *, limit: int = 10, mode: str = "hybrid") -> list[Hit]:
        """The best sentences for the query, best first."""
        rows: dict[int, dict] = {}
        if mode == "hybrid":
            lexical, semantic, rows = self._both(query)
        else:
            lexical = self.bm25(query) if mode == "bm25" else {}
            semantic = self.dense(query) if mode == "dense" else {}
        top_b = max(lexical.values(), default=0.0) or 1.0
        ids = set(lexical) | set(semantic)
        if not ids:
            return []
        rows.update(self._rows(ids - set(rows)))
        if mode != "bm25" and self._index is not None:
            self._index[1].preload(self._wanted(rows, semantic))
        scored = []
        kind = answer_kind(query)
        noun = {w: 1.0 for w in terms(wh_noun(query)) if w not in KIND_NOUNS}
        for sid, row in rows.items():
            # log-damped: a sentence that only repeats the question's names must not take the whole lexical
            # score
            b = math.log1p(lexical.get(sid, 0.0)) / math.log1p(top_b)
            c = semantic.get(sid)
            if c is None and mode == "hybrid":
                c = self._cosine_of(sid, query)
            if mode != "bm25" and row["prev_id"] is not None and points_back(row["text"]):
                c = max(c or 0.0, self._cosine_with_antecedent(sid, row["prev_id"], query))
            if mode == "bm25":
                score = b
            elif mode == "dense":
                score = c or 0.0
            else:
                score = DENSE_WEIGHT * (c or 0.0) + (1 - DENSE_WEIGHT) * b
            score *= KIND_WEIGHT.get(row["kind"], 1.0) * _title_like(row["text"]) * _about_itself(row["text"])
            fit = 1.0 if fits(kind, row["text"]) else MISFIT
            named = UNNAMED if noun and not coverage(noun, row["text"]) else 1.0
            score *= fit * named
            scored.append(Hit(sid, row["article_id"], row["title"], row["text"], score, row["context"], b,
                              c or 0.0))
        scored.sort(key=lambda h: -h.score)
        return scored[:limit]

    def _both(self, query: str) -> tuple[dict[int, float], dict[int, float], dict[int, dict]]:
        """BM25 results, dense results and the rows of the BM25 hits. The dense side (query embedding and
        vector scan) runs on a worker thread while this thread runs the FTS query and reads its hits' rows:
        torch, NumPy/faiss and SQLite all release the GIL, so on two cores the two overlap and a query costs
        about the longer of them instead of their sum. The worker touches no SQLite connection: the index is
        loaded here first."""
        index = self.index()
        if not len(index) or not query.strip():
            return self.bm25(query), {}, {}
        pending = _worker().submit(lambda: index.top(self._query_vec(query), POOL))
        try:
            lexical = self.bm25(query)
            rows = self._rows(set(lexical))
        finally:
            semantic = pending.result()
        return lexical, semantic, rows

    @staticmethod
    def _wanted(rows: dict[int, dict], semantic: dict[int, float]) -> set[int]:
        """The sentences whose vectors the scoring reads: hits without a dense score, and those that point
        back with the sentence before them."""
        back = {sid for sid, row in rows.items() if row["prev_id"] is not None and points_back(row["text"])}
        return (set(rows) - set(semantic)) | back | {rows[sid]["prev_id"] for sid in back}

    def _cosine_of(self, sid: int, query: str) -> float:
        v = self._vector(sid)
        return 0.0 if v is None else float(v @ self._query_vec(query))

    def _cosine_with_antecedent(self, sid: int, prev: int, query: str) -> float:
        """Cosine of the query with a sentence that points back ("Its chief said…") read together with the
        sentence before it: alone, its embedding never sees the name the question asks about."""
        a, b = (self._vector(i) for i in (sid, prev))
        if a is None or b is None:
            return 0.0
        v = a + b
        return float(v @ self._query_vec(query)) / (float(np.linalg.norm(v)) or 1.0)

    def _vector(self, sid: int) -> np.ndarray | None:
        index = self._index[1] if self._index is not None else self.index()  # as loaded for this search
        v = index.vector(sid)  # None when committed after the index was loaded: read it from the store
        return v if v is not None else self.store.sentence_vector(self.embedder.name, sid)

    def _query_vec(self, query: str) -> np.ndarray:
        cached = getattr(self, "_qcache", None)
        if cached and cached[0] == query:
            return cached[1]
        with _one_thread():
            v = encode_query(self.embedder, query)
        self._qcache = (query, v)
        return v

    def _rows(self, ids: set[int]) -> dict[int, dict]:
        return self.store.sentence_rows(ids)


def _title_like(text: str) -> float:
    """Demote short title-case lines: they repeat the question's words without answering it."""
    words = re.findall(r"[A-Za-z]+", text)
    long = [w for w in words if len(w) > 3]
    if len(words) < 14 and long and sum(w[0].isupper() for w in long) / len(long) > 0.6:
        return 0.8
    return 1.0


SELF_REFERENCE = re.compile(r"^(?:the|this|that)\s+(?:article|report|story|piece|post|essay|video|podcast)\s+"
                            r"(?:\w+ly\s+)?(?:discusses|explores|examines|looks|describes|covers|"
                            r"highlights|outlines|analy[sz]es|reviews|argues|notes|suggests|focuses|delves|"
                            r"is\s+about)\b", re.I)


def _about_itself(text: str) -> float:
    """Demote a sentence that describes the article instead of the world ("The article discusses the
    challenges…"): it shares the question's topic words and carries no fact of its own."""
    return 0.9 if SELF_REFERENCE.match(text) else 1.0


_WORKER: ThreadPoolExecutor | None = None
_WORKER_LOCK = threading.Lock()


def _worker() -> ThreadPoolExecutor:
    """One thread for the dense half of hybrid searches (one at a time: torch runs a query on one thread)."""
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None:
            _WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gapbot-dense")
        return _WORKER


@contextmanager
def _one_thread():
    """Run torch on one thread for a single query: intra-op threads only add spin-waits for one short text,
    and under CPU contention two threads made a query 5x slower here (docs/benchmarks.md)."""
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with vectors.threads(torch.get_num_threads, torch.set_num_threads):
        yield
