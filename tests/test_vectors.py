"""The vector index: exact for small corpora, a cached IVF index past the threshold,
same answers either way."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus import vectors
from corpus.api import Corpus
from corpus.embed import HashEmbedder

pytest.importorskip("faiss")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return Corpus.open(tmp_path_factory.mktemp("vec") / "v.db", seed=True, embedder=HashEmbedder())


def _load(corpus, exact_max):
    conn = corpus.store.db.conn
    return vectors.load(conn, db_path=corpus.store.path, model="hash-bow", dim=384,
                        generation=corpus.store.version(), exact_max=exact_max)


def test_small_corpus_is_searched_exactly(corpus):
    assert isinstance(_load(corpus, vectors.EXACT_MAX), vectors.ExactIndex)


def test_ivf_finds_what_exact_search_finds_and_is_cached(corpus, tmp_path):
    exact = _load(corpus, 10**9)
    ivf = _load(corpus, 10)
    assert isinstance(ivf, vectors.IVFIndex) and len(ivf) == len(exact)
    q = HashEmbedder().encode(["how far behind is China in generative AI"])[0]
    top_exact, top_ivf = exact.top(q, 10), ivf.top(q, 10)
    assert max(top_exact, key=top_exact.get) in top_ivf
    sid = next(iter(top_exact))
    assert np.dot(ivf.vector(sid), exact.vector(sid)) > 0.98
    cached = list(Path(corpus.store.path).parent.glob("*.ivf-*.faiss"))
    assert len(cached) == 1
    assert isinstance(_load(corpus, 10), vectors.IVFIndex)


def test_search_results_are_unchanged_by_the_index_choice(corpus, monkeypatch):
    question = "Who chairs iFLYTEK?"
    before = [h.sentence_id for h in corpus.search(question, limit=5)]
    monkeypatch.setattr(vectors, "EXACT_MAX", 10)
    corpus.searcher._index = None
    after = [h.sentence_id for h in corpus.search(question, limit=5)]
    assert after[0] == before[0]


def test_indexing_a_large_corpus_leaves_the_vector_index_cached(tmp_path, monkeypatch):
    """The indexing process builds the IVF cache for the new generation, so no answering process has to."""
    monkeypatch.setattr(vectors, "EXACT_MAX", 10)
    c = Corpus.open(tmp_path / "big.db", seed=False, embedder=HashEmbedder())
    art = tmp_path / "a.txt"
    art.write_text("Chip Gap Widens Again\n\n" + "\n\n".join(
        f"Analysts in city number {i} said the computing power gap with the United States grew this quarter."
        for i in range(30)))
    [r] = c.index([str(art)])
    assert r.status == "added"
    cached = list(tmp_path.glob("big.db.ivf-*.faiss"))
    assert len(cached) == 1
    expected = vectors.cache_path(c.store.path, c.store.db.conn, "hash-bow", c.store.version(),
                                  vectors.count(c.store.db.conn, "hash-bow"))
    assert cached[0] == expected  # made for the generation answering processes will open
