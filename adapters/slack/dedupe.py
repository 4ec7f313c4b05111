"""Slack re-sends an event it thinks went unanswered; this makes sure each event is answered once."""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse

from corpus.shared_state import EventClaims

log = logging.getLogger(__name__)


class SeenEvents:
    """The event ids handled in the last hour (at most `size` of them), safe to share between threads: one
    process's memory (workers on one Postgres database share the corpus's table instead)."""

    def __init__(self, *, size: int = 10_000, ttl: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic):
        self.size, self.ttl, self.clock = size, ttl, clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is offered, False on every repeat while it is remembered."""
        now = self.clock()
        with self._lock:
            self._forget_old(now)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True

    def _forget_old(self, now: float) -> None:
        while self._seen and (len(self._seen) >= self.size or self._oldest_age(now) > self.ttl):
            self._seen.popitem(last=False)

    def _oldest_age(self, now: float) -> float:
        return now - next(iter(self._seen.values()))


def skip_repeats(seen: EventClaims) -> Callable[..., BoltResponse | None]:
    """A global Bolt middleware (it runs after the signature check): an event already handled, or a request
    replayed byte for byte (same signature, so same timestamp and body), is acknowledged and not answered
    again.

    A retry (X-Slack-Retry-Num) of an event never seen here is answered: the first delivery may never have
    arrived, and the retry is then the only copy."""

    def skip_repeated_events(body: dict[str, Any], request: BoltRequest,
                             next: Callable[[], BoltResponse]) -> BoltResponse | None:
        key = _key(body, request)
        if key and not seen.first_time(key):
            retry = request.headers.get("x-slack-retry-num")
            log.info("ignoring %s: already handled%s", key[:40],
                     f" (Slack's retry {retry[0]})" if retry else "")
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        return next()

    return skip_repeated_events


def _key(body: dict[str, Any], request: BoltRequest) -> str | None:
    """What makes a request the same one again: an event's id, or any other request's signature."""
    if body.get("type") == "event_callback":
        return f"event:{body['event_id']}" if body.get("event_id") else None
    signature = request.headers.get("x-slack-signature")
    return f"signature:{signature[0]}" if signature else None
