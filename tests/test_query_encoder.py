"""The query side of search: the direct query encoder against SentenceTransformer.encode, the opt-in int8
encoder, and hybrid search with its dense half on a worker thread against the same halves run in turn."""
from __future__ import annotations

import os

import numpy as np
import pytest

from corpus.embed import HashEmbedder, MiniLMEmbedder, default_embedder, encode_query

TEXTS = [
    "How far behind the US is China in generative AI according to Jenny Xiao of Leonis Capital?",
    "  padded with spaces and a tab\t",
    "Ünïcödé, émigrés & “curly quotes” — 2024's figures: 12.5%!",
    "x",
    " ".join(["a long question about chips, export controls and models"] * 60),  # over 256 tokens: truncated
]


@pytest.fixture(scope="module")
def minilm():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return MiniLMEmbedder()


def test_the_direct_query_encoder_gives_the_sentence_transformers_vector(minilm):
    ref = minilm.encode(TEXTS)  # SentenceTransformer.encode, as passages are encoded
    for text, want in zip(TEXTS, ref):
        got = minilm.encode_query(text)
        assert got.dtype == np.float32 and got.shape == (384,)
        assert np.abs(got - want).max() < 1e-5, text
        assert abs(float(np.linalg.norm(got)) - 1.0) < 1e-5


def test_the_int8_query_encoder_is_close_and_leaves_the_float_model_alone(minilm):
    q8 = MiniLMEmbedder(quantize_queries=True)
    q8._model = minilm._model  # share the loaded model, as one process does
    ref = minilm.encode(TEXTS)
    cos = np.array([float(q8.encode_query(t) @ r) for t, r in zip(TEXTS, ref)])
    assert (cos > 0.93).all() and cos.mean() > 0.96, cos
    assert not np.allclose(q8.encode_query(TEXTS[0]), ref[0], atol=1e-4)  # it really is the int8 model
    # the float model is untouched: passages and float queries still give the same vectors
    assert np.abs(minilm.encode(TEXTS) - ref).max() < 1e-6
    assert np.abs(minilm.encode_query(TEXTS[0]) - ref[0]).max() < 1e-5


def test_the_int8_encoder_is_chosen_only_when_asked(monkeypatch):
    monkeypatch.delenv("GAPBOT_EMBEDDER", raising=False)
    monkeypatch.delenv("GAPBOT_QUERY_ENCODER", raising=False)
    assert default_embedder().quantize_queries is False
    monkeypatch.setenv("GAPBOT_QUERY_ENCODER", "int8")
    assert default_embedder().quantize_queries is True


def test_an_embedder_without_a_query_path_encodes_the_query_as_a_passage():
    emb = HashEmbedder()
    assert np.array_equal(encode_query(emb, "chips and models"), emb.encode(["chips and models"])[0])


QUERIES = ["How far behind are models after export controls?", "Beijing labs open models", "zzz unknown"]


def test_hybrid_search_with_the_dense_half_on_a_worker_matches_the_halves_run_in_turn(fake_corpus, tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Title: Chips and models\n\n" + "\n\n".join(
        f"Paragraph {i}. Export controls on advanced chips slowed model training by {i} months, the analyst "
        f"said. Open models from labs in Beijing closed part of the gap in {2015 + i}." for i in range(12)),
        encoding="utf-8")
    [r] = fake_corpus.index([str(doc)])
    assert r.status == "added"
    s = fake_corpus.searcher
    for q in QUERIES:
        lexical, semantic, rows = s._both(q)
        assert lexical == s.bm25(q)
        assert semantic == s.dense(q)
        assert rows == s._rows(set(lexical))
    overlapped = {q: fake_corpus.search(q, limit=10) for q in QUERIES}
    s._both = lambda q: (s.bm25(q), s.dense(q), {})  # the two halves one after the other, rows read after
    s._qcache = None
    for q in QUERIES:
        assert fake_corpus.search(q, limit=10) == overlapped[q]
    assert any(overlapped.values())
    assert fake_corpus.search("   ", limit=10) == []


def test_the_exact_index_top_k_by_faiss_matches_numpy():
    pytest.importorskip("faiss")
    from corpus.vectors import KNN_MIN, ExactIndex

    rng = np.random.default_rng(7)
    vecs = rng.standard_normal((KNN_MIN + 500, 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = ExactIndex(np.arange(10, 10 + len(vecs), dtype=np.int64) * 3, vecs)
    for q in (vecs[5], vecs[-1] + 0.1 * vecs[3], rng.standard_normal(384).astype(np.float32)):
        q = q / np.linalg.norm(q)
        fast, slow = index.top(q, 100), index.top_numpy(q, 100)
        assert set(fast) == set(slow)
        assert max(abs(fast[k] - slow[k]) for k in fast) < 1e-5
    small = ExactIndex(index.ids[:50], vecs[:50])
    assert set(small.top(vecs[0], 100)) == set(small.ids.tolist())  # k past the size: every vector
