"""Polling subscribed feeds with conditional GET (ETag / Last-Modified); new entries are indexed."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.digest.lease import Lease
from corpus.digest_models import Feed, utcnow
from corpus.sources import Rejected

if TYPE_CHECKING:
    from corpus.api import Corpus
    from corpus.digest_store import DigestStore

logger = logging.getLogger(__name__)
_lock = threading.Lock()  # one poll at a time in a process; the lease does it across processes
POLL_BUDGET = 600.0  # seconds one poll may spend; feeds not reached by then wait for the next poll


@dataclass(frozen=True)
class PollResult:
    """What one feed's poll did."""

    url: str
    status: str  # ok | not modified | error | skipped
    added: int = 0
    error: str | None = None


class _Prefetched:
    """A fetcher that answers the feed's own URL with the response already fetched, and the rest as usual."""

    def __init__(self, inner: Any, url: str, response: Any):
        self.inner, self.url, self.response = inner, url, response

    def get(self, url: str, headers: dict[str, str] | None = None) -> Any:
        """The prefetched feed, or a normal fetch."""
        return self.response if url == self.url else self.inner.get(url, headers)


def validators(feed: Feed) -> dict[str, str]:
    """The conditional-GET headers for a feed's next poll."""
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


def _default_fetcher() -> Any:
    from corpus.fetch import Fetcher  # lazy: httpx, needed only when there are feeds to poll

    return Fetcher()


def poll_one(corpus: "Corpus", store: "DigestStore", feed: Feed, fetcher: Any) -> PollResult:
    """Fetch a feed if it changed and index its new entries."""
    now = utcnow()
    try:
        r = fetcher.get(feed.url, validators(feed))
        if r.status_code == 304:
            store.record_poll(feed.url, now=now, status="not modified")
            return PollResult(feed.url, "not modified")
        results = corpus.index([feed.url], fetcher=_Prefetched(fetcher, feed.url, r))
    except Rejected as e:
        store.record_poll_error(feed.url, str(e), now=now)
        return PollResult(feed.url, "error", error=str(e))
    added = sum(x.status == "added" for x in results)
    store.record_poll(feed.url, now=now, status="ok", added=added, etag=r.headers.get("etag"),
                      last_modified=r.headers.get("last-modified"))
    return PollResult(feed.url, "ok", added)


def poll_all(corpus: "Corpus", store: "DigestStore", *, fetcher: Any = None,
             budget: float = POLL_BUDGET) -> list[PollResult]:
    """Poll every subscribed feed, unless this or another process is polling them right now (never waits)."""
    subscribed = store.feeds()
    if not subscribed or not _lock.acquire(blocking=False):
        return []
    lease = Lease(store, "feeds")
    try:
        if not lease.acquire():
            return []
        try:
            deadline = time.monotonic() + budget
            return _poll_within(corpus, store, subscribed, fetcher or _default_fetcher(), deadline)
        finally:
            lease.release()
    finally:
        _lock.release()


def _poll_within(corpus: "Corpus", store: "DigestStore", subscribed: list[Feed], fetcher: Any,
                 until: float) -> list[PollResult]:
    results = []
    for f in subscribed:
        if time.monotonic() >= until:
            results.append(PollResult(f.url, "skipped", error="the poll's time budget was spent"))
            continue
        results.append(_safe_poll(corpus, store, f, fetcher))
    return results


def _safe_poll(corpus: "Corpus", store: "DigestStore", feed: Feed, fetcher: Any) -> PollResult:
    try:
        return poll_one(corpus, store, feed, fetcher)
    except Exception as e:  # one broken feed must not stop the others or the digest
        logger.exception("polling %s failed", feed.url)
        store.record_poll_error(feed.url, f"{type(e).__name__}: {e}", now=utcnow())
        return PollResult(feed.url, "error", error=str(e))
