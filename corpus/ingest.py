"""Ingest: sources -> clean articles -> dedupe -> sentences, embeddings, extraction -> one transaction each."""
from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

import numpy as np

from corpus import sentences as sent
from corpus.context import search_contexts
from corpus.clean import CleanArticle, clean
from corpus.dedupe import minhash, near_duplicate
from corpus.models import IngestResult
from corpus.htmlpage import html_articles
from corpus.meta import date_from_url
from corpus.sources import Document, Rejected, canonical_url, expand, read_file

if TYPE_CHECKING:
    from corpus.index import Corpus

log = logging.getLogger(__name__)
MAX_ARTICLE_CHARS = 500_000  # about 80,000 words, far past any article; keeps every later step bounded
ENCODE_CHUNK = 8  # sentences per model call, sorted by length (see encode_sorted)
MAX_SENTENCES = 4_000  # the summary compares every pair of sentences: 4,000² float32 is 64 MB


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


def text_key(body: str) -> str:
    """Hash of the normalised text: same words, same hash, whatever the spacing, case or quotes."""
    norm = re.sub(r"[\W_]+", " ", body.lower()).strip()
    return hashlib.sha256(norm.encode()).hexdigest()


def passage_kind(text: str) -> str:
    """heading, faq (a question line) or para."""
    if text.rstrip().endswith("?") and len(text.split()) <= 30:
        return "faq"
    if not re.search(r"[.!?:;][\"'”’)]*$", text.rstrip()) and len(text.split()) <= 14:
        return "heading"
    return "para"


def prepare(art: CleanArticle, *, source: str, url: str | None) -> Prepared:
    """Cut the body into passages and sentences with offsets into the body text."""
    p = Prepared(art, source, url)
    p.text_hash = text_key(art.body)
    p.id = p.text_hash[:10]
    pos = 0
    for pi, para in enumerate(art.paragraphs):
        kind = passage_kind(para)
        p.passages.append((kind, pos, pos + len(para), para))
        for s in sent.split(para, offset=pos):
            h = hashlib.sha1(s.text.encode()).hexdigest()
            p.sentences.append(Sentence(len(p.sentences), pi, kind, s.start, s.end, s.text, para, h))
        pos += len(para) + 2
    return p


def documents_to_articles(doc: Document) -> list[CleanArticle]:
    """The articles in one document (HTML through trafilatura, text through the scrape cleaner)."""
    if doc.kind == "html":
        return html_articles(doc)
    arts = clean(doc.content)
    for a in arts:
        a.date = a.date or doc.date or date_from_url(a.url or doc.url)
        a.publisher = a.publisher or doc.publisher
    return arts


class Ingester:
    """Runs one batch of sources into the corpus; a bad source is rejected and the rest still land."""

    def __init__(self, corpus: "Corpus", *, fetcher=None):
        self.corpus = corpus
        self._fetcher = fetcher

    @property
    def fetcher(self):
        """The HTTP fetcher, made on first use."""
        if self._fetcher is None:
            from corpus.feeds import Fetcher

            self._fetcher = Fetcher()
        return self._fetcher

    def run(self, sources: list[str], *,
            progress: Callable[[int, int, str], None] | None = None) -> list[IngestResult]:
        """Index every source; returns one result per article or rejected source."""
        results: list[IngestResult] = []
        added = False
        todo = [f for s in sources for f in expand(s)]
        for n, source in enumerate(todo):
            if progress:
                progress(n, len(todo), source)
            for r in self._one_source(source):
                results.append(r)
                added |= r.status == "added"
        if added:
            from corpus.extract.entities import rebuild_entities

            rebuild_entities(self.corpus.store)  # also fills the answer tables and bumps the generation
            prepare_vectors(self.corpus)
        return results

    def _one_source(self, source: str) -> list[IngestResult]:
        try:
            docs = self._documents(source)
            out = []
            for doc in docs:
                arts = [a for a in documents_to_articles(doc) if a.paragraphs]
                if not arts:
                    out.append(IngestResult(doc.source, "rejected", reason="no article text found"))
                for art in arts:
                    out.append(self._one_article(art, doc))
            return out
        except Rejected as e:
            return [IngestResult(source, "rejected", reason=str(e))]
        except Exception as e:  # a bug on one source must not lose the batch
            log.exception("indexing %s failed", source)
            return [IngestResult(source, "rejected", reason=f"could not be indexed ({type(e).__name__})")]

    def _documents(self, source: str) -> list[Document]:
        if re.match(r"^https?://", source, re.I):
            from corpus.feeds import fetch_documents

            return fetch_documents(source, self.fetcher)
        return read_file(source)

    def _one_article(self, art: CleanArticle, doc: Document) -> IngestResult:
        if len(art.body) > MAX_ARTICLE_CHARS:
            return IngestResult(doc.source, "rejected", title=art.title, reason=f"too long for one article "
                                f"({len(art.body):,} characters; at most {MAX_ARTICLE_CHARS:,})")
        p = prepare(art, source=doc.source, url=art.url or doc.url)  # the page's own (canonical) address first
        if len(p.sentences) < 2:
            return IngestResult(doc.source, "rejected", title=art.title, reason="too little article text")
        if len(p.sentences) > MAX_SENTENCES:
            return IngestResult(doc.source, "rejected", title=art.title, reason=f"too long for one article "
                                f"({len(p.sentences):,} sentences; at most {MAX_SENTENCES:,})")
        dup = self._duplicate_of(p)
        if dup:
            return IngestResult(doc.source, "duplicate", article_id=dup, title=art.title,
                                reason="already indexed")
        self._embed(p)
        self._write(p)
        return IngestResult(doc.source, "added", article_id=p.id, title=art.title)

    def _duplicate_of(self, p: Prepared) -> str | None:
        db = self.corpus.store.db
        url = canonical_url(p.url)
        row = db.execute("SELECT id FROM articles WHERE text_hash = ? OR (? IS NOT NULL AND canonical_url = ?)",
                         [p.text_hash, url, url]).fetchone()
        kind, sim = "same text or URL", 1.0
        if row is None:
            near = near_duplicate(db, minhash(p.art.body))
            if near is None:
                return None
            row, kind, sim = (near[0],), "near-duplicate", near[1]
        with self.corpus.store.transaction() as conn:
            conn.execute("INSERT INTO duplicates(source, canonical_url, article_id, kind, similarity, added_at) "
                         "VALUES (?,?,?,?,?,?)", [p.source, url, row[0], kind, sim, now()])
            # a copy seen at an address gives the first copy (a file, a pasted text) that address for its citations
            conn.execute("UPDATE articles SET url = ?, canonical_url = ? WHERE id = ? AND url IS NULL",
                         [p.url, url, row[0]])
        return row[0]

    def _embed(self, p: Prepared) -> None:
        """Vectors for the article's sentences, encoding only text never embedded before."""
        emb = self.corpus.embedder
        db = self.corpus.store.db
        have = {}
        hashes = [s.hash for s in p.sentences]
        for i in range(0, len(hashes), 500):
            chunk = hashes[i:i + 500]
            q = f"SELECT hash, vector FROM embeddings WHERE model = ? AND hash IN ({','.join('?' * len(chunk))})"
            have.update({h: v for h, v in db.execute(q, [emb.name, *chunk])})
        todo = [s for s in p.sentences if s.hash not in have]
        new = encode_sorted(emb, [s.text for s in todo])
        for s, v in zip(todo, new):
            have[s.hash] = v.astype(np.float32).tobytes()
        p.vectors = np.vstack([np.frombuffer(have[s.hash], dtype=np.float32) for s in p.sentences])
        self._new_vectors = [(s.hash, emb.name, have[s.hash]) for s in todo]

    def _write(self, p: Prepared) -> None:
        """Everything about one article in one transaction."""
        from corpus.extract.claims import extract_claims
        from corpus.extract.entities import extract_spans
        from corpus.summarize import summarize

        a = p.art
        summary = summarize([s.text for s in p.sentences], p.vectors, [s.kind for s in p.sentences])
        spans = extract_spans(p)
        contexts = search_contexts(a.title, [s.text for s in p.sentences], spans)
        with self.corpus.store.transaction() as conn:
            conn.execute(
                "INSERT INTO articles(id, title, publisher, author, date, modified, url, canonical_url, source, "
                "text_hash, minhash, body, summary, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [p.id, a.title, a.publisher, a.author, a.date, a.modified, p.url, canonical_url(p.url), p.source,
                 p.text_hash, minhash(a.body).tobytes(), a.body, json.dumps(summary, ensure_ascii=False), now()])
            conn.executemany("INSERT OR IGNORE INTO embeddings(hash, model, vector) VALUES (?,?,?)",
                             self._new_vectors)
            pids = []
            for i, (kind, start, end, text) in enumerate(p.passages):
                cur = conn.execute("INSERT INTO passages(article_id, idx, kind, start, \"end\", text) "
                                   "VALUES (?,?,?,?,?,?)", [p.id, i, kind, start, end, text])
                pids.append(cur.lastrowid)
            for s, ctx in zip(p.sentences, contexts):
                cur = conn.execute("INSERT INTO sentences(article_id, passage_id, idx, kind, start, \"end\", text, "
                                   "context, hash) VALUES (?,?,?,?,?,?,?,?,?)",
                                   [p.id, pids[s.passage], s.idx, s.kind, s.start, s.end, s.text, ctx, s.hash])
                s.id = cur.lastrowid
                conn.execute("INSERT INTO sentences_fts(rowid, text, context) VALUES (?,?,?)", [s.id, s.text, ctx])
            for c in extract_claims(p):
                conn.execute("INSERT INTO claims(article_id, sentence_id, low_years, high_years, phrase, direction, "
                             "dimension, speaker, affiliation, quote, date) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             [p.id, p.sentences[c.sentence_id].id, c.low_years, c.high_years, c.phrase,
                              c.direction, c.dimension, c.speaker, c.affiliation, c.quote, a.date or a.modified])
            for sp in spans:
                conn.execute("INSERT INTO spans(article_id, sentence_id, text, label, start, \"end\", person_key, "
                             "role) VALUES (?,?,?,?,?,?,?,?)",
                             [p.id, p.sentences[sp.sentence].id, sp.text, sp.label, sp.start, sp.end,
                              sp.person_key, sp.role])


def prepare_vectors(corpus: "Corpus") -> None:
    """Past vectors.EXACT_MAX sentences, build and cache the quantised vector index for the new generation here,
    in the indexing process, so an answering process only reads the cache file (building it holds every float32
    vector: 1.4 GB at 1M sentences, 20 s)."""
    from corpus import vectors

    if vectors.count(corpus.store.db.conn, corpus.embedder.name) > vectors.EXACT_MAX and vectors.have_faiss():
        corpus.searcher.index()


def encode_sorted(emb, texts: list[str], *, chunk: int = ENCODE_CHUNK) -> np.ndarray:
    """Encode texts in small batches of similar length, returned in the original order.

    One article's sentences in one batch are all padded to its longest sentence; sorted chunks of 8 cut the
    encode time of the seed articles by ~17% here (docs/benchmarks.md)."""
    out = np.zeros((len(texts), emb.dim), np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for i in range(0, len(order), chunk):
        part = order[i:i + chunk]
        out[part] = emb.encode([texts[j] for j in part])
    return out


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()
