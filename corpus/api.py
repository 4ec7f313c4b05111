"""Corpus: the one object the bot asks — articles, search, gap claims, entities — over one database."""
from __future__ import annotations

import functools
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection, Iterable

from corpus import queries
from corpus.add_log import AddLog, SqlAddLog
from corpus.answer_log import AnswerLog, SqlAnswerLog
from corpus.bundled import seed_paths
from corpus.digest_store import DigestStore, SqliteDigestStore
from corpus.embed import Embedder, default_embedder
from corpus.models import Article, Claim, Entity, Fact, GapOverview, Hit, IngestResult, Profile
from corpus.reader import CorpusReader
from corpus.storage import is_url
from corpus.store import Store
from corpus.watch_store import SqlWatchStore, WatchStore

if TYPE_CHECKING:
    from corpus.fetch import Getter
    from corpus.pg_store import PgStore
    from corpus.search import Searcher
    from corpus.shared_state import SharedState
    from corpus.stopping import StopFlag

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, source now being read)

def open_store(location: str | Path) -> "Store | PgStore":
    """The storage engine for a location: Postgres for a postgresql:// URL, else the SQLite file there."""
    if is_url(str(location)):
        from corpus.pg_store import PgStore  # lazy: psycopg (the `postgres` extra) only for a Postgres URL

        return PgStore(str(location))
    return Store(location)


class Corpus:
    """An indexed corpus in one SQLite file (or a Postgres database). Cheap to open; the embedding model
    loads on first search."""

    def __init__(self, path: str | Path, *, embedder: Embedder | None = None):
        self.store: Store | PgStore = open_store(path)
        self.path = self.store.path
        self._embedder = embedder
        self._searcher: Searcher | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path, *, seed: bool = True, embedder: Embedder | None = None) -> "Corpus":
        """Open the database at path (an SQLite file, or a postgresql:// URL); a new one first indexes the
        bundled seed articles (unless seed=False)."""
        corpus = cls(path, embedder=embedder)
        if corpus.store.created and seed:
            corpus.index([str(p) for p in seed_paths()])
        corpus.catch_up()
        return corpus

    def catch_up(self) -> bool:
        """Rebuild entities and the /who and /gap answer tables if they are older than the
        articles (an indexing run stopped before its rebuild) and no indexer is at work (it
        rebuilds when it ends); True if rebuilt."""
        store = self.store
        if store.readonly or not store.derived_stale() or store.indexer_running():
            return False
        try:
            store.rebuild_derived()
        # full or busy: answer from the tables as they are, try next time
        except store.unavailable as e:
            log.warning("could not bring /who and /gap up to date in %s: %s", store.path, e)
            return False
        return True

    @property
    def embedder(self) -> Embedder:
        """The embedder (the real model unless one was given), created on first use."""
        with self._lock:
            if self._embedder is None:
                self._embedder = default_embedder()
            return self._embedder

    # --- writing -------------------------------------------------------------------------------
    def index(self, sources: Iterable[str], *, progress: Progress | None = None,
              fetcher: Getter | None = None,
              stop: StopFlag | None = None) -> list[IngestResult]:
        """Add articles from files, folders, URLs and feeds; each article is committed on its own. With `stop`
        (corpus/stopping.py), a signal or a full disk ends the run early and stop.reason says why."""
        from corpus.ingest import Ingester  # lazy: the pipeline (numpy, cleaning, extraction) only to index

        ingester = Ingester(self.store, self.embedder, fetcher=fetcher, searcher=self.searcher)
        return ingester.run(list(sources), progress=progress, stop=stop)

    # --- reading: through the storage's CorpusReader (corpus/reader.py) ---------------------------------
    @functools.cached_property
    def reader(self) -> CorpusReader:
        """The read side of the storage: every query the bot's questions run."""
        return self.store.reader()

    @functools.cached_property
    def add_log(self) -> AddLog:
        """The log of articles shared from chat (/add): who, where, when, and what became of each."""
        return SqlAddLog(self.store)

    @functools.cached_property
    def answer_log(self) -> AnswerLog:
        """What gapbot answered in chat, and the votes on it (thread follow-ups and feedback read it)."""
        return SqlAnswerLog(self.store)

    @functools.cached_property
    def watches(self) -> WatchStore:
        """The channels an admin asked gapbot to watch (/watch): links posted there are added."""
        return SqlWatchStore(self.store)

    @functools.cached_property
    def shared(self) -> SharedState | None:
        """What the workers on this database share (event ids, rate limits, notices told once): tables on
        Postgres; None on SQLite, whose one process keeps them in memory."""
        return self.store.shared()

    @functools.cached_property
    def digest_store(self) -> DigestStore:
        """The digest's destinations, delivery log, leases and feeds, kept by this corpus's engine."""
        if isinstance(self.store, Store):
            return SqliteDigestStore(self.store)
        from corpus.pg_digest_store import PgDigestStore  # lazy: psycopg only for a Postgres corpus

        return PgDigestStore(self.store)

    def articles(self, *, since: str | None = None, limit: int | None = None) -> list[Article]:
        """Indexed articles, newest first (by publication date, then by when added; undated ones last)."""
        return self.reader.articles(since=since, limit=limit)

    def article(self, article_id: str) -> Article | None:
        """One article by id (a unique prefix of the id also works)."""
        return self.reader.article(article_id)

    def articles_by_id(self, article_ids: Collection[str]) -> dict[str, Article]:
        """The articles with these exact ids, in one query (ids not indexed are left out)."""
        return self.reader.articles_by_id(article_ids)

    def article_text(self, article_id: str) -> str:
        """An article's title and body, as one text ("" for an unknown id)."""
        return self.reader.article_text(article_id)

    def count(self) -> int:
        """How many articles are indexed."""
        return self.reader.count()

    def search(self, query: str, *, limit: int = 10, mode: str = "hybrid") -> list[Hit]:
        """Hybrid (BM25 + dense) sentence search; mode 'bm25' or 'dense' for one side only."""
        return self.searcher.search(query, limit=limit, mode=mode)

    @property
    def searcher(self) -> Searcher:
        """The search engine, built once and refreshed when the corpus changes."""
        embedder = self.embedder  # first: it takes the same lock
        with self._lock:
            if self._searcher is None:
                from corpus.search import Searcher  # lazy: numpy and the vector index only to search

                self._searcher = Searcher(self.store, embedder)
            return self._searcher

    def claims(self, *, article_id: str | None = None, sized: bool | None = None, topic: str | None = None,
               limit: int | None = None) -> list[Claim]:
        """Gap claims found at index time (all, one article's, only sized, about a topic), newest first."""
        return self.reader.claims(article_id=article_id, sized=sized, topic=topic, limit=limit)

    def gap(self, topic: str = "", *, sized: int, unsized: int) -> GapOverview:
        """The /gap summary (of every claim, or those about a topic) with the newest sized/unsized claims."""
        return queries.gap(self.reader, topic, sized=sized, unsized=unsized)

    def article_list(self) -> list[dict]:
        """Every article's metadata without its body, newest first (cheap even for a large corpus)."""
        return self.reader.article_list()

    def entities(self, name: str) -> list[Entity]:
        """Entities a name or alias matches, in any case, order or possessive form, most mentioned first."""
        return queries.entities_named(self.reader, name)

    def entity(self, name: str) -> Entity | None:
        """The most mentioned entity of that name or alias, if any."""
        return next(iter(self.entities(name)), None)

    def people_called(self, word: str, *, limit: int = 5) -> list[Entity]:
        """People one of whose names is this single word, most mentioned first."""
        return queries.people_called(self.reader, word, limit=limit)

    def people_in(self, text: str) -> list[Entity]:
        """The people a text names (by name, alias or one of their names alone), in order of last mention."""
        return queries.people_in(self.reader, text)

    def sentences_near(self, sentence_id: int, *, before: int = 2, after: int = 1) -> list[Fact]:
        """A sentence with the sentences of its article around it, in order (empty if it is gone)."""
        return self.reader.sentences_near(sentence_id, before=before, after=after)

    def unlisted_entity(self, name: str) -> Entity | None:
        """A name extraction did not list, with the sentences that contain it; None when none does."""
        return queries.unlisted_entity(self.reader, name)

    def similar_names(self, name: str, *, limit: int = 5) -> list[str]:
        """Known names close to a misspelt one, best first."""
        return queries.similar_names(self.reader, name, limit=limit)

    def profile(self, entity: Entity) -> Profile:
        """An entity's most informative sentences and the sized gap claims about it."""
        return self.reader.profile(entity)

    def surroundings(self, hit: Hit) -> str:
        """The hit's paragraph, the one before it, its article's title and publisher, and who is speaking."""
        return queries.surroundings(self.reader, hit)

    def names_word(self, word: str) -> bool:
        """Whether some sentence, title or publisher contains the word."""
        return self.reader.names_word(word)

    def word_weights(self, words: list[str]) -> dict[str, float]:
        """IDF weight of each word in the sentences (rarer words count more)."""
        return queries.word_weights(self.reader, words)

    def entities_for(self, article_id: str, *, limit: int = 8) -> list[str]:
        """The notable entities an article names, most mentioned first."""
        return self.reader.entities_for(article_id, limit=limit)

    def entity_names(self, prefix: str, *, limit: int) -> list[str]:
        """Entity names for autocomplete, most mentioned first: those with a name or alias word starting with
        prefix, then those merely containing it; empty if there is no entity table yet."""
        try:
            named = self.reader.names_and_aliases()
        except self.store.errors as e:
            log.warning("no entity names for autocomplete: %s", e)
            return []
        return queries.names_matching(named, prefix, limit=limit)

    def backup(self, path: str | Path) -> None:
        """Copy the live database to path (OSError if it cannot be written)."""
        self.store.backup(str(path))
