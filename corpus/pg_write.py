"""The Postgres writer of an article: the same rows as corpus/write.py, plus each sentence's full-text row
(tokenized as FTS5 does, corpus/pg_text.py) and its vectors for HNSW, in the caller's transaction."""
from __future__ import annotations

import numpy as np

from corpus import pg_text
from corpus.models import Duplicate, Prepared
from corpus.near_duplicates import closest, minhash
from corpus.pg_schema import PgConnection
from corpus.sources import canonical_url
from corpus.write import INSERT_ARTICLE, article_values, insert_extracted


def find_duplicate(db: PgConnection, p: Prepared, *, after: int = 0) -> Duplicate | None:
    """(article id, kind, similarity) of the indexed article p repeats, among those past seq `after`."""
    url = canonical_url(p.url)
    row = db.execute("SELECT id FROM articles WHERE seq > ? AND (text_hash = ? OR canonical_url = ?)",
                     [after, p.text_hash, url]).fetchone()
    if row is not None:
        return row[0], "same text or URL", 1.0
    rows = db.execute("SELECT id, minhash FROM articles WHERE minhash IS NOT NULL AND seq > ?",
                      [after]).fetchall()
    near = closest(rows, minhash(p.art.body))
    return None if near is None else (near[0], "near-duplicate", near[1])


def stored_vectors(db: PgConnection, model: str, hashes: list[str]) -> dict[str, bytes]:
    """hash -> float32 vector blob of the sentence texts already embedded with `model`."""
    rows = db.execute("SELECT hash, vector FROM embeddings WHERE model = ? AND hash = ANY(?)",
                      [model, hashes])
    return {h: bytes(v) for h, v in rows}


def insert_article(db: PgConnection, p: Prepared, *, summary: list, spans: list, claims: list,
                   contexts: list[str], vectors: list[tuple[str, str, bytes]]) -> None:
    """The article, its new embeddings, passages, sentences (full-text rows, vectors), claims and spans."""
    db.execute(INSERT_ARTICLE, article_values(p, summary))
    db.executemany("INSERT INTO embeddings(hash, model, vector) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                   vectors)
    _insert_sentences(db, p, contexts)
    _insert_vectors(db, p)
    insert_extracted(db, p, claims=claims, spans=spans)


def _insert_sentences(db: PgConnection, p: Prepared, contexts: list[str]) -> None:
    """Passages, then sentences with their full-text rows; each sentence learns its row id."""
    pids = [db.execute("INSERT INTO passages(article_id, idx, kind, start, \"end\", text) "
                       "VALUES (?,?,?,?,?,?) RETURNING id", [p.id, i, kind, start, end, text]).fetchone()[0]
            for i, (kind, start, end, text) in enumerate(p.passages)]
    postings = []
    for s, ctx, (lex, n, freqs) in zip(p.sentences, contexts, lexical(
            [(s.text, ctx) for s, ctx in zip(p.sentences, contexts)])):
        s.id = db.execute("INSERT INTO sentences(article_id, passage_id, idx, kind, start, \"end\", text, "
                          "context, hash, lex, lex_len) VALUES (?,?,?,?,?,?,?,?,?,CAST(? AS tsvector),?) "
                          "RETURNING id",
                          [p.id, pids[s.passage], s.idx, s.kind, s.start, s.end, s.text, ctx, s.hash, lex, n]
                          ).fetchone()[0]
        postings += [(term, s.id, f, n) for term, f in freqs.items()]
    db.executemany("INSERT INTO sentence_terms(term, sentence_id, f, len) VALUES (?,?,?,?)", postings)


def lexical(rows: list[tuple[str, str]]) -> list[tuple[str, int, dict[str, float]]]:
    """Each (text, context)'s full-text row, tokenized as FTS5 does: (tsvector literal, token count,
    token -> weighted frequency for the postings)."""
    return [(pg_text.tsvector(words, ctx), len(words) + len(ctx), pg_text.frequencies(words, ctx))
            for words, ctx in pg_text.tokenize(rows)]


def _insert_vectors(db: PgConnection, p: Prepared) -> None:
    """Each sentence's vector of every model that embedded its text, for the HNSW index."""
    by_hash: dict[str, list[tuple[str, bytes]]] = {}
    for h, model, blob in db.execute("SELECT hash, model, vector FROM embeddings WHERE hash = ANY(?)",
                                     [list({s.hash for s in p.sentences})]):
        by_hash.setdefault(h, []).append((model, bytes(blob)))
    rows = [(s.id, model, literal(blob)) for s in p.sentences for model, blob in by_hash.get(s.hash, [])]
    db.executemany("INSERT INTO sentence_vectors(sentence_id, model, vector) "
                   "VALUES (?, ?, CAST(? AS vector)) ON CONFLICT DO NOTHING", rows)


def literal(blob: bytes | np.ndarray) -> str:
    """A float32 vector as pgvector's text form; each float is written so that it reads back exactly."""
    v = np.frombuffer(blob, dtype=np.float32) if isinstance(blob, bytes) else blob.astype(np.float32)
    return "[" + ",".join(map(repr, v.tolist())) + "]"  # tolist: Python floats, 4 x faster than numpy's
