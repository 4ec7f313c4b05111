"""Which articles a destination's next digest reports, and why each recent article is in or out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from corpus.digest_models import LIVE, Destination, iso

if TYPE_CHECKING:
    from corpus.api import Corpus
    from corpus.digest_store import DigestStore
    from corpus.models import Article

PREVIEW_WINDOW = timedelta(days=7)
REASONS = {
    "sent": "out: already posted here",
    "pending": "out: an interrupted post is checked with the platform first (it is reposted only if missing)",
    "unknown": "out: an interrupted post could not be verified, so it is not reposted (see `digest list`)",
    "failed": "in: an earlier post failed; retried",
    None: "in: new since the last digest",
}


@dataclass(frozen=True)
class Verdict:
    """An article and whether the next digest reports it."""

    article: "Article"
    included: bool
    reason: str


def select(corpus: "Corpus", store: "DigestStore", dest: Destination) -> list["Article"]:
    """Articles added since the destination began and not in a live post to it, oldest added first."""
    done = {a for a, status in store.statuses(dest.id).items() if status in LIVE}
    fresh = [a for a in corpus.articles(since=dest.since) if a.id not in done]
    return sorted(fresh, key=order)


def order(a: "Article") -> tuple[str, str, str]:
    """Digest order: when added, then by publication date, then by title."""
    return (a.added_at, a.date or a.modified or "", a.title)


def explain(corpus: "Corpus", store: "DigestStore", dest: Destination, *, now: datetime,
            limit: int = 25) -> list[Verdict]:
    """The most recently added articles (up to a week back), each with why it is in or out."""
    status = store.statuses(dest.id)
    start = min(dest.since, iso(now - PREVIEW_WINDOW))
    return [_verdict(a, dest, status.get(a.id)) for a in _recent(corpus, start)[:limit]]


def _recent(corpus: "Corpus", since: str) -> list["Article"]:
    return sorted(corpus.articles(since=since), key=order, reverse=True)


def _verdict(a: "Article", dest: Destination, status: str | None) -> Verdict:
    if a.added_at <= dest.since:
        began = dest.local(dest.since)
        return Verdict(a, False, f"out: added before this destination's first digest window "
                                 f"({began.day} {began:%b %H:%M} {dest.tz})")
    reason = REASONS.get(status, REASONS[None])
    return Verdict(a, reason.startswith("in:"), reason)
