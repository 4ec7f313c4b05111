"""The one writer of an article: the duplicate check and every row, inside the caller's write transaction.

SQLite-specific, used by corpus.store.Store (the engine behind corpus.storage's protocols). Plain sqlite3
rather than sqlite-utils' insert(): that wraps each insert in `with conn:`, which would commit the caller's
open BEGIN IMMEDIATE, and it introspects the table on every call (thousands of rows per article)."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

from corpus.models import Claim, Duplicate, Prepared
from corpus.near_duplicates import minhash, near_duplicate
from corpus.sources import canonical_url

__all__ = ["Duplicate", "disk_full", "find_duplicate", "insert_article", "insert_extracted", "now",
           "record_duplicate", "stored_vectors"]


def find_duplicate(db, p: Prepared, *, after: int = 0) -> Duplicate | None:
    """(article id, kind, similarity) of the indexed article p repeats, among those past rowid `after`."""
    url = canonical_url(p.url)
    row = db.execute("SELECT id FROM articles WHERE rowid > ? AND (text_hash = ? OR (? IS NOT NULL AND "
                     "canonical_url = ?))", [after, p.text_hash, url, url]).fetchone()
    if row is not None:
        return row[0], "same text or URL", 1.0
    near = near_duplicate(db, minhash(p.art.body), after=after)
    return None if near is None else (near[0], "near-duplicate", near[1])


def record_duplicate(conn, p: Prepared, dup: Duplicate) -> None:
    """Note that p's source repeats an indexed article (portable SQL, on either engine's connection)."""
    conn.execute("INSERT INTO duplicates(source, canonical_url, article_id, kind, similarity, added_at) "
                 "VALUES (?,?,?,?,?,?)", [p.source, canonical_url(p.url), dup[0], dup[1], dup[2], now()])
    # a copy seen at an address gives the first copy (a file, a pasted text) that address for its citations
    conn.execute("UPDATE articles SET url = ?, canonical_url = ? WHERE id = ? AND url IS NULL",
                 [p.url, canonical_url(p.url), dup[0]])


def stored_vectors(db, model: str, hashes: list[str]) -> dict[str, bytes]:
    """hash -> float32 vector blob of the sentence texts already embedded with `model`."""
    have: dict[str, bytes] = {}
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        q = f"SELECT hash, vector FROM embeddings WHERE model = ? AND hash IN ({','.join('?' * len(chunk))})"
        have.update({h: v for h, v in db.execute(q, [model, *chunk])})
    return have


INSERT_ARTICLE = ("INSERT INTO articles(id, title, publisher, author, date, modified, url, canonical_url, "
                  "source, text_hash, minhash, body, summary, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


def article_values(p: Prepared, summary: list) -> list:
    """The values of an article's row, in INSERT_ARTICLE's order (the same on every engine)."""
    a = p.art
    return [p.id, a.title, a.publisher, a.author, a.date, a.modified, p.url, canonical_url(p.url), p.source,
            p.text_hash, minhash(a.body).tobytes(), a.body, json.dumps(summary, ensure_ascii=False), now()]


def insert_article(conn: sqlite3.Connection, p: Prepared, *, summary: list, spans: list, claims: list[Claim],
                   contexts: list[str], vectors: list[tuple[str, str, bytes]]) -> None:
    """The article, its new embeddings, passages, sentences (and their full-text rows), claims and spans."""
    conn.execute(INSERT_ARTICLE, article_values(p, summary))
    conn.executemany("INSERT OR IGNORE INTO embeddings(hash, model, vector) VALUES (?,?,?)",
                     vectors)
    _insert_sentences(conn, p, contexts)
    insert_extracted(conn, p, claims=claims, spans=spans)


def insert_extracted(conn, p: Prepared, *, claims: list[Claim], spans: list) -> None:
    """An article's gap claims and name spans, once its sentences know their row ids (portable SQL: the
    Postgres writer, corpus/pg_write.py, runs it too)."""
    a = p.art
    for c in claims:
        conn.execute("INSERT INTO claims(article_id, sentence_id, low_years, high_years, phrase, direction, "
                     "dimension, speaker, affiliation, quote, date, as_of, sides, historical) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     [p.id, p.sentences[c.sentence_id].id, c.low_years, c.high_years, c.phrase,
                      c.direction, c.dimension, c.speaker, c.affiliation, c.quote, a.date or a.modified,
                      c.as_of, json.dumps(c.sides) if c.sides else None, int(c.historical)])
    for sp in spans:
        conn.execute("INSERT INTO spans(article_id, sentence_id, text, label, start, \"end\", person_key, "
                     "role) VALUES (?,?,?,?,?,?,?,?)",
                     [p.id, p.sentences[sp.sentence].id, sp.text, sp.label, sp.start, sp.end,
                      sp.person_key, sp.role])


def _insert_sentences(conn: sqlite3.Connection, p: Prepared, contexts: list[str]) -> None:
    """Passages, then sentences with their full-text rows; each sentence learns its row id."""
    pids = []
    for i, (kind, start, end, text) in enumerate(p.passages):
        cur = conn.execute("INSERT INTO passages(article_id, idx, kind, start, \"end\", text) "
                           "VALUES (?,?,?,?,?,?)", [p.id, i, kind, start, end, text])
        pids.append(cur.lastrowid)
    for s, ctx in zip(p.sentences, contexts):
        cur = conn.execute("INSERT INTO sentences(article_id, passage_id, idx, kind, start, \"end\", text, "
                           "context, hash) VALUES (?,?,?,?,?,?,?,?,?)",
                           [p.id, pids[s.passage], s.idx, s.kind, s.start, s.end, s.text, ctx, s.hash])
        s.id = cur.lastrowid or 0
        conn.execute("INSERT INTO sentences_fts(rowid, text, context) VALUES (?,?,?)", [s.id, s.text, ctx])


def disk_full(e: sqlite3.Error) -> bool:
    """Whether SQLite failed because the database or its disk is full (SQLITE_FULL)."""
    return getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
