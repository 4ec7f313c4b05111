"""Ingest: sources -> clean articles -> prepare -> dedupe -> embed ->
extract -> write, one transaction each."""
from __future__ import annotations

import hashlib
import logging
import re
import signal
import sqlite3
from typing import TYPE_CHECKING, Callable

import numpy as np

from corpus import sentences as sent
from corpus import vectors
from corpus.clean import CleanArticle, clean
from corpus.context import search_contexts
from corpus.embed import Embedder
from corpus.extract.claims import extract_claims
from corpus.extract.entities import analyse
from corpus.htmlpage import html_articles
from corpus.meta import date_from_url
from corpus.models import Duplicate, IngestResult, Prepared, Sentence
from corpus.search import Searcher
from corpus.sources import Document, Refused, Rejected, expand, fetch_documents, read_file
from corpus.stopping import Interrupted, StopFlag
from corpus.summarize import summarize
from corpus.write import disk_full

if TYPE_CHECKING:
    from corpus.fetch import Getter
    from corpus.storage import CorpusStore

log = logging.getLogger(__name__)
MAX_ARTICLE_CHARS = 500_000  # about 80,000 words, far past any article; keeps every later step bounded
ENCODE_CHUNK = 8  # sentences per model call, sorted by length (see encode_sorted)
MAX_SENTENCES = 4_000  # the summary compares every pair of sentences: 4,000² float32 is 64 MB
FULL = "the database or disk is full"


class DiskFull(Exception):
    """SQLite reported SQLITE_FULL while indexing `source`."""

    def __init__(self, source: str):
        super().__init__(source)
        self.source = source


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

    def __init__(self, store: CorpusStore, embedder: Embedder, *, fetcher: Getter | None = None,
                 searcher: Searcher | None = None):
        self.store = store
        self.embedder = embedder
        self._fetcher = fetcher
        self._searcher = searcher  # whose vector index to refresh after a batch (prepare_vectors)

    @property
    def fetcher(self) -> Getter:
        """The HTTP fetcher, made on first use."""
        if self._fetcher is None:
            from corpus.fetch import Fetcher  # lazy: httpx costs ~0.5 s to import; only a URL needs it

            self._fetcher = Fetcher()
        return self._fetcher

    def run(self, sources: list[str], *, progress: Callable[[int, int, str], None] | None = None,
            stop: StopFlag | None = None) -> list[IngestResult]:
        """Index every source, then bring the derived tables up to date; one result per article or rejected
        source. A signal routed to `stop` or a full disk ends the run early: `stop.reason` says why, and the
        results list exactly what landed."""
        self.stop = stop or StopFlag()
        results: list[IngestResult] = []
        with self.store.indexing():
            try:
                self._sources(sources, results, progress)
                self.finish()
            except Interrupted as e:
                self.stop.reason = f"interrupted ({signal.Signals(e.signum).name})"
            except DiskFull as e:
                results.append(IngestResult(e.source, "rejected", reason=FULL))
                self.stop.reason = f"stopped: {FULL}"
        return results

    def _sources(self, sources: list[str], results: list[IngestResult],
                 progress: Callable[[int, int, str], None] | None) -> None:
        todo = [f for s in sources for f in expand(s)]
        self._progress, self._done, self._total = progress, 0, len(todo)
        for source in todo:
            self._tick(0, str(source))
            results += self._one_source(source)
            self._done += 1  # a source with no documents still counts once
            self.stop.check()

    def _tick(self, more: int, label: str) -> None:
        """Report progress in articles: a source that turns out to hold several (a feed) adds the rest."""
        self._total += more
        if self._progress:
            self._progress(self._done, self._total, label)

    def finish(self) -> None:
        """Rebuild entities and the answer tables when they are older than the articles (this run added some,
        or an earlier one stopped before its rebuild), and the vector cache with them."""
        if not self.store.derived_stale():
            return
        try:
            self.store.rebuild_derived()  # also fills the answer tables and bumps the generation
        except sqlite3.OperationalError as e:
            if not disk_full(e):
                raise
            self.stop.reason = f"{FULL} while updating /who and /gap; they catch up on the next run"
            return
        prepare_vectors(self._searcher or Searcher(self.store, self.embedder))

    def _one_source(self, source: str | Refused) -> list[IngestResult]:
        if isinstance(source, Refused):
            return [IngestResult(source.path, "rejected", reason=source.reason)]
        try:
            docs = self._documents(source)
            out = []
            self._tick(max(len(docs) - 1, 0), str(source))
            for n, doc in enumerate(docs):
                if n:  # each further document of a source is an article of the progress count
                    self._done += 1
                    self._tick(0, doc.source)
                if doc.rejected:  # a feed entry whose page failed: counted, not dropped
                    out.append(IngestResult(doc.source, "rejected", reason=doc.rejected))
                    continue
                arts = [a for a in documents_to_articles(doc) if a.paragraphs]
                if not arts:
                    out.append(IngestResult(doc.source, "rejected", reason="no article text found"))
                for art in arts:
                    out.append(self._one_article(art, doc))
            return out
        except Rejected as e:
            return [IngestResult(source, "rejected", reason=str(e))]
        except Exception as e:  # a bug on one source must not lose the batch
            if isinstance(e, sqlite3.OperationalError) and disk_full(e):
                raise DiskFull(source) from e  # every later source would fail the same way: stop, say it once
            log.exception("indexing %s failed", source)
            return [IngestResult(source, "rejected", reason=f"could not be indexed ({type(e).__name__})")]

    def _documents(self, source: str) -> list[Document]:
        if re.match(r"^https?://", source, re.I):
            return fetch_documents(source, self.fetcher)
        return read_file(source)

    def _one_article(self, art: CleanArticle, doc: Document) -> IngestResult:
        if len(art.body) > MAX_ARTICLE_CHARS:
            return IngestResult(doc.source, "rejected", title=art.title, reason=f"too long for one article "
                                f"({len(art.body):,} characters; at most {MAX_ARTICLE_CHARS:,})")
        # the page's own (canonical) address first
        p = prepare(art, source=doc.source, url=art.url or doc.url)
        if len(p.sentences) < 2:
            return IngestResult(doc.source, "rejected", title=art.title, reason="too little article text")
        if len(p.sentences) > MAX_SENTENCES:
            return IngestResult(doc.source, "rejected", title=art.title, reason=f"too long for one article "
                                f"({len(p.sentences):,} sentences; at most {MAX_SENTENCES:,})")
        seen = self.store.newest_article()
        dup = self.store.find_duplicate(p)
        if dup is None:
            new_vectors = self._embed(p)
            # the write checks again: another indexer may have added it since
            dup = self._write(p, seen, new_vectors)
        else:
            with self.stop.writing():
                self.store.record_duplicate(p, dup)
        if dup:
            return IngestResult(doc.source, "duplicate", article_id=dup[0], title=art.title,
                                reason="already indexed")
        return IngestResult(doc.source, "added", article_id=p.id, title=art.title)

    def _embed(self, p: Prepared) -> list[tuple[str, str, bytes]]:
        """Set the vectors of the article's sentences, encoding only text never embedded before; returns the
        new embedding rows (hash, model, blob)."""
        emb = self.embedder
        have = self.store.stored_vectors(emb.name, [s.hash for s in p.sentences])
        todo = [s for s in p.sentences if s.hash not in have]
        new = encode_sorted(emb, [s.text for s in todo])
        for s, v in zip(todo, new):
            have[s.hash] = v.astype(np.float32).tobytes()
        p.vectors = np.vstack([np.frombuffer(have[s.hash], dtype=np.float32) for s in p.sentences])
        return [(s.hash, emb.name, have[s.hash]) for s in todo]

    def _write(self, p: Prepared, seen: int, new_vectors: list[tuple[str, str, bytes]]) -> Duplicate | None:
        """Extract, then write everything about one article in one transaction, unless an article committed
        after `seen` (by another indexer) makes it a duplicate: then that is recorded instead and returned."""
        texts = [s.text for s in p.sentences]
        assert p.vectors is not None  # set by _embed
        summary = summarize(texts, p.vectors, [s.kind for s in p.sentences])
        analysis = analyse(p)
        claims = extract_claims(p, analysis)
        contexts = search_contexts(p.art.title, texts, analysis.spans)
        with self.stop.writing():
            return self.store.write_article(p, after=seen, summary=summary, spans=analysis.spans,
                                            claims=claims,
                                            contexts=contexts, vectors=new_vectors)


def prepare_vectors(searcher: Searcher) -> None:
    """Past vectors.EXACT_MAX sentences, build and cache the quantised vector index for the new generation
    here, in the indexing process, so an answering process only reads the cache file (building it holds every
    float32 vector: 1.4 GB at 1M sentences, 20 s)."""
    if searcher.store.vector_count(searcher.embedder.name) > vectors.EXACT_MAX and vectors.have_faiss():
        searcher.index()


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
