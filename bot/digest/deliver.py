"""Posting a digest exactly once: lease, reconcile interrupted posts, select, then log-post-log each message.

The platform side is a Poster (adapters/slack/digest.py, adapters/discord/digest.py): it splits a digest
into messages within its limits,
renders and sends them, and can find a message it may have sent before a crash (by the key each carries)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Protocol

from bot.digest.content import Digest, DigestItem, build
from bot.digest.lease import DEFAULT_TTL, Lease
from bot.digest.select import select
from corpus.digest_models import Destination, Fenced, Post, iso, utcnow
from corpus.digest_store import destination_lease

if TYPE_CHECKING:
    from corpus.api import Corpus
    from corpus.digest_store import DigestStore
    from corpus.models import Article

logger = logging.getLogger(__name__)
Checkpoint = Callable[[str], None]
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)


class PostError(Exception):
    """A post or a platform call that failed. definite: the platform surely created no message."""

    def __init__(self, message: str, *, definite: bool = True, retry_after: float | None = None):
        super().__init__(message)
        self.definite = definite
        self.retry_after = retry_after


class Unverifiable(Exception):
    """The platform cannot tell whether an interrupted post went through (a webhook without a bot token)."""


class LeaseLost(Exception):
    """Another process took over the destination's lease while this one was posting."""


@dataclass(frozen=True)
class Part:
    """One message of a digest: some of its items; whether it carries the header, the closing, a thread."""

    items: list[DigestItem]
    index: int
    total: int
    header: bool = False
    footer: bool = False
    threaded: bool = False

    @property
    def article_ids(self) -> list[str]:
        """The articles this message reports."""
        return [i.article_id for i in self.items]


class Poster(Protocol):
    """A platform destination, as the deliverer needs it."""

    def plan(self, digest: Digest) -> list[Part]:
        """Split a digest into messages within the platform's limits."""
        ...

    def render(self, digest: Digest, part: Part, *, key: str) -> dict[str, Any]:
        """The platform payload of one message, carrying key as its marker."""
        ...

    def send(self, payload: dict[str, Any], *, key: str, thread: str | None) -> str:
        """Post one message; returns the platform's message id. Raises PostError."""
        ...

    def find(self, *, key: str, thread: str | None, since: str) -> str | None:
        """The id of a message carrying key posted after since, or None. Raises Unverifiable or PostError."""
        ...


@dataclass
class Outcome:
    """What a run did for one destination."""

    target: str
    status: str  # posted | nothing | failed | busy | preview
    articles: list[str] = field(default_factory=list)
    messages: int = 0
    error: str | None = None
    retry_at: str | None = None
    digest: Digest | None = None
    payloads: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain data for --json."""
        return {"destination": self.target, "status": self.status, "articles": self.articles,
                "messages": self.messages, "error": self.error, "retry_at": self.retry_at,
                "digest": self.digest.to_json() if self.digest else None,
                **({"payloads": self.payloads} if self.payloads else {})}


class Deliverer:
    """Runs digests for destinations over one corpus."""

    def __init__(self, corpus: "Corpus", store: "DigestStore", *, clock: Callable[[], datetime] = utcnow,
                 checkpoint: Checkpoint | None = None, holder: str | None = None,
                 lease_ttl: timedelta = DEFAULT_TTL):
        self.corpus, self.store, self.clock = corpus, store, clock
        self.holder, self.lease_ttl = holder, lease_ttl
        self.checkpoint = checkpoint or (lambda name: None)

    def run(self, dest: Destination, poster: Poster) -> Outcome:
        """Post the destination's digest, once. Never raises: failures are logged and recorded."""
        lease = Lease(self.store, destination_lease(dest.id), holder=self.holder, ttl=self.lease_ttl,
                      clock=self.clock)
        if not lease.acquire():
            return Outcome(dest.label, "busy", error="another process is posting this digest")
        out = Outcome(dest.label, "posted")
        try:
            self.checkpoint("lease")
            return self._run(dest, poster, lease, out)
        except (PostError, LeaseLost, Fenced) as e:
            return self._failed(dest, out, str(e), getattr(e, "retry_after", None))
        except Exception as e:  # one destination's bug must not stop the others
            logger.exception("digest to %s failed", dest.label)
            return self._failed(dest, out, f"{type(e).__name__}: {e}", None)
        finally:
            lease.release()

    def _run(self, dest: Destination, poster: Poster, lease: Lease, out: Outcome) -> Outcome:
        warnings = self.reconcile(dest, poster)
        articles = select(self.corpus, self.store, dest)
        self.checkpoint("selected")
        if articles:
            out.digest = self._digest(dest, articles)
            self._post_all(dest, poster, out.digest, lease, out)
        else:
            out.status = "nothing"
        if warnings:
            return self._failed(dest, out, "; ".join(warnings), None)
        self.store.record_ok(dest.id, now=self.clock(), posted=bool(out.messages))
        return out

    def reconcile(self, dest: Destination, poster: Poster) -> list[str]:
        """Settle posts a crashed run left pending: sent if the platform has them, else failed (retried)."""
        warnings = []
        for post in self.store.pending_posts(dest.id):
            try:
                found = poster.find(key=post.key, thread=post.thread, since=post.created_at)
            except Unverifiable as e:
                self.store.mark_post(post, "unknown", now=self.clock(), error=str(e))
                warnings.append(f"{len(post.article_ids)} article(s) not reposted: {e}")
                continue
            error = None if found else "not found on the platform after an interrupted run"
            self.store.mark_post(post, "sent" if found else "failed", now=self.clock(), message_id=found,
                                 error=error)
            self.checkpoint("reconciled")
        return warnings

    def _post_all(self, dest: Destination, poster: Poster, digest: Digest, lease: Lease,
                  out: Outcome) -> None:
        thread: str | None = None
        for part in poster.plan(digest):
            if not lease.renew():
                raise LeaseLost("lost the lease to another process while posting")
            post = self.store.begin_post(dest.id, part.article_ids, part=part.index, parts=part.total,
                                         thread=thread if part.threaded else None, now=self.clock())
            self.checkpoint("pending")
            message_id = self._send(poster, poster.render(digest, part, key=post.key), post)
            self.checkpoint("posted")
            self.store.mark_post(post, "sent", now=self.clock(), message_id=message_id)
            self.checkpoint("recorded")
            out.articles += part.article_ids
            out.messages += 1
            thread = thread or message_id

    def _send(self, poster: Poster, payload: dict[str, Any], post: Post) -> str:
        try:
            return poster.send(payload, key=post.key, thread=post.thread)
        except PostError as e:
            if e.definite:
                self.store.mark_post(post, "failed", now=self.clock(), error=str(e))
            raise  # an uncertain failure stays pending and is reconciled on the next run

    def _digest(self, dest: Destination, articles: list["Article"]) -> Digest:
        start = min([dest.last_ok_at or dest.since] + [a.added_at for a in articles])
        return build(self.corpus, articles, start=start, now=self.clock(), tz=dest.tz)

    def _failed(self, dest: Destination, out: Outcome, error: str, retry_after: float | None) -> Outcome:
        retry = self.record_failure(dest.id, error, now=self.clock(), retry_after=retry_after)
        out.status, out.error, out.retry_at = "failed", error, iso(retry)
        return out

    def record_failure(self, dest_id: int, error: str, *, now: datetime,
                       retry_after: float | None = None) -> datetime:
        """A failed run: its error kept for `digest list`, exponential backoff; returns the retry time."""
        failures = self.store.failures(dest_id) + 1
        delay = min(BACKOFF_FIRST * 2 ** (failures - 1), BACKOFF_MAX)
        retry = now + max(delay, timedelta(seconds=retry_after or 0))
        self.store.record_error(dest_id, error, now=now, failures=failures, retry_at=retry)
        return retry

    def preview(self, dest: Destination, poster: Poster) -> Outcome:
        """What the next run would post, with the platform payloads; writes nothing."""
        articles = select(self.corpus, self.store, dest)
        if not articles:
            return Outcome(dest.label, "nothing")
        digest = self._digest(dest, articles)
        parts = poster.plan(digest)
        payloads = [poster.render(digest, p, key="preview") for p in parts]
        return Outcome(dest.label, "preview", digest.article_ids, len(parts), digest=digest,
                       payloads=payloads)
