"""The digest as one service: what the command line, the /digest command and the scheduler ask of it.

Destinations (add, list, remove), previews and runs (posted exactly once through a platform Poster), and the
subscribed feeds. Storage is a DigestStore (corpus/digest_store.py); the posters come from the adapters."""
from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from bot.digest.deliver import Checkpoint, Deliverer, Outcome, Poster
from bot.digest.feed_polling import POLL_BUDGET, PollResult, poll_all
from bot.digest.parse import DEFAULT_AT, DEFAULT_TZ, FIRST_WINDOW, check_feed_url, parse_target
from bot.digest.select import Verdict, explain
from corpus.digest_models import Destination, Feed, iso, utcnow
from corpus.digest_store import DigestStore

if TYPE_CHECKING:
    from corpus.api import Corpus

logger = logging.getLogger(__name__)
PosterFor = Callable[[Destination], Poster]


def _no_posters(dest: Destination) -> Poster:
    raise LookupError(f"no poster configured for {dest.platform}")


class DigestService:
    """The daily digest of one corpus: its destinations, runs, previews and feeds."""

    def __init__(self, corpus: "Corpus", *, store: DigestStore | None = None,
                 posters: PosterFor = _no_posters,
                 poll: Callable[[], object] | None = None, checkpoint: Checkpoint | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.corpus, self.posters, self.poll, self.clock = corpus, posters, poll, clock
        self.store: DigestStore = store or corpus.digest_store
        self.deliverer = Deliverer(corpus, self.store, clock=clock, checkpoint=checkpoint)

    # destinations

    def add_destination(self, target: str, *, at: str = DEFAULT_AT, tz: str = DEFAULT_TZ,
                        created_by: str | None = None, space: str | None = None,
                        now: datetime | None = None) -> tuple[Destination, bool]:
        """Subscribe target (or change its time) from space (the workspace or server, if known); returns
        (destination, created). UserError if malformed."""
        platform, address = parse_target(target)
        now = now or self.clock()
        return self.store.add_destination(f"{platform}:{address}", platform=platform, address=address, at=at,
                                          tz=tz, now=now, since=now - FIRST_WINDOW, created_by=created_by,
                                          space=space)

    def destination(self, ref: str | int) -> Destination | None:
        """A destination by target ('slack:C123') or by its number in `digest list`."""
        return self.store.destination(ref)

    def destinations(self, only: str | None = None) -> list[Destination]:
        """Every destination (oldest first), or just the one named by target or number."""
        return [d for d in self.store.destinations() if only in (None, d.target, str(d.id))]

    def remove_destination(self, ref: str | int) -> Destination | None:
        """Unsubscribe (the delivery log goes with it); returns what was removed."""
        return self.store.remove_destination(ref)

    def delivery_counts(self, dest_id: int) -> dict[str, int]:
        """How many articles are in each delivery status for a destination."""
        return self.store.delivery_counts(dest_id)

    def due_retries(self, now: datetime | None = None) -> list[Destination]:
        """Destinations whose last run failed and whose backoff has passed."""
        return self.store.due_retries(now=now or self.clock())

    def record_failure(self, dest_id: int, error: str, *, now: datetime,
                       retry_after: float | None = None) -> datetime:
        """A failed run, with exponential backoff; returns the retry time."""
        return self.deliverer.record_failure(dest_id, error, now=now, retry_after=retry_after)

    def draft(self, target: str, now: datetime | None = None) -> Destination:
        """A destination as it would be if added now (for previews of an unsubscribed place)."""
        now = now or self.clock()
        platform, _, address = target.partition(":")
        return Destination(id=0, target=target, platform=platform, address=address, at=DEFAULT_AT,
                           tz=DEFAULT_TZ, created_at=iso(now), since=iso(now - FIRST_WINDOW))

    # runs

    def run(self, dest: Destination) -> Outcome:
        """Post the destination's digest, once (never raises)."""
        return self.deliverer.run(dest, self.posters(dest))

    def preview(self, dest: Destination, poster: Poster | None = None) -> Outcome:
        """What the next run would post, with the platform payloads; writes nothing."""
        return self.deliverer.preview(dest, poster or self.posters(dest))

    def run_all(self, *, dry_run: bool = False, only: str | None = None) -> list[Outcome]:
        """Post (or preview) every destination's digest; feeds are polled first unless previewing."""
        if self.poll and not dry_run:
            self.poll()
        return [self.one(d, dry_run=dry_run) for d in self.destinations(only)]

    def one(self, dest: Destination, *, dry_run: bool = False) -> Outcome:
        """Post (or preview) one destination's digest."""
        return self.preview(dest) if dry_run else self.run(dest)

    def scheduled(self, dest_id: int) -> None:
        """The scheduler's job: post the destination's digest if it still exists. It never polls the feeds
        first: the scheduler's own feed job does that, so a slow or hostile feed cannot delay a digest."""
        dest = self.store.destination(dest_id)
        if dest is not None:
            out = self.one(dest)
            logger.info("digest %s: %s %s", out.target, out.status, out.error or "")

    def scheduler_turn(self) -> AbstractContextManager[bool]:
        """Whether this process may run the scheduler while the block lasts (one per Postgres database)."""
        return self.store.scheduler_turn()

    def explain(self, dest: Destination, *, now: datetime) -> list[Verdict]:
        """The recent articles, each with why the destination's next digest reports it or not."""
        return explain(self.corpus, self.store, dest, now=now)

    # feeds

    def add_feed(self, url: str, *, now: datetime | None = None) -> bool:
        """Subscribe a feed; False if it already was. UserError if url is not http(s)."""
        return self.store.add_feed(check_feed_url(url), now=now or self.clock())

    def remove_feed(self, url: str) -> bool:
        """Unsubscribe a feed; False if it was not subscribed."""
        return self.store.remove_feed(url)

    def feeds(self) -> list[Feed]:
        """Every subscribed feed, oldest first."""
        return self.store.feeds()

    def poll_feeds(self, *, fetcher: Any = None, budget: float = POLL_BUDGET) -> list[PollResult]:
        """Poll every subscribed feed now (unless another poll is under way) and index new entries."""
        return poll_all(self.corpus, self.store, fetcher=fetcher, budget=budget)
