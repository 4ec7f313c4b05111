"""What the workers answering from one database share (migrations/postgres/0010_shared_state.sql): Slack event
ids already claimed, per-user rate-limit windows, and the people told once that gapbot is not enabled where
they asked.

The Protocols are what the bot and the adapters need; on SQLite one process answers, and keeps these in
memory (bot/guard.py's RateLimiter and Remembered, adapters/slack/dedupe.py's SeenEvents). PgSharedState
keeps them in Postgres tables, so that a second worker sees what the first did. Times are Unix seconds from
the workers' clocks (kept in step by NTP: a skew of a second is small beside a minute's window or an hour's
expiry)."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from corpus.pg_schema import PgConnection

Clock = Callable[[], float]
# a person told "not enabled here" is told again after a month: the one-process memory forgets too (it keeps
# the newest keys only), and a table nobody prunes grows with every passer-by for ever
NOTICE_TTL = 30 * 24 * 3600.0


class EventClaims(Protocol):
    """Event ids claimed by whoever offers them first; an id is forgotten after a while."""

    def first_time(self, event_id: str) -> bool: ...


class RateCounts(Protocol):
    """At most a number of events per key in a sliding window, and whether a refusal was said already."""

    def take(self, key: str) -> float: ...
    def first_refusal(self, key: str) -> bool: ...


class Notices(Protocol):
    """Keys told something once: first(key) is True only the first time."""

    def first(self, key: str) -> bool: ...


class SharedState(Protocol):
    """The three kinds of state, as one engine keeps them."""

    def seen_events(self, *, ttl: float) -> EventClaims: ...
    def rate_limiter(self, limit: int, window: float) -> RateCounts: ...
    def notices(self) -> Notices: ...


Connection = Callable[[], "PgConnection"]  # this thread's autocommit connection


class PgSharedState:
    """The shared state in one Postgres database, over the caller's per-thread connections."""

    def __init__(self, connection: Connection, *, clock: Clock = time.time):
        self.connection, self.clock = connection, clock

    def seen_events(self, *, ttl: float = 3600.0) -> PgEventClaims:
        """Event ids, claimed once across every worker, forgotten after ttl seconds."""
        return PgEventClaims(self.connection, ttl=ttl, clock=self.clock)

    def rate_limiter(self, limit: int, window: float = 60.0) -> PgRateCounts:
        """A sliding-window rate limit counted across every worker (limit 0: none)."""
        return PgRateCounts(self.connection, limit, window, clock=self.clock)

    def notices(self, *, ttl: float = NOTICE_TTL) -> PgNotices:
        """Keys told once across every worker, told again after ttl seconds."""
        return PgNotices(self.connection, ttl=ttl, clock=self.clock)


class PgEventClaims:
    """Event ids in `seen_events`: the worker whose insert lands first answers."""

    def __init__(self, connection: Connection, *, ttl: float, clock: Clock):
        self.connection, self.ttl, self.clock = connection, ttl, clock

    def first_time(self, event_id: str) -> bool:
        """True for the one caller, in any worker, whose claim of a new (or expired) id lands first."""
        now, db = self.clock(), self.connection()
        db.execute("DELETE FROM seen_events WHERE seen_at < ?", [now - self.ttl])
        cur = db.execute("INSERT INTO seen_events(event_id, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING "
                         "RETURNING event_id", [event_id, now])
        return cur.fetchone() is not None


class PgRateCounts:
    """Sliding windows in `rate_windows`, one row per key, locked while a take() reads and extends it."""

    def __init__(self, connection: Connection, limit: int, window: float, *, clock: Clock):
        self.connection, self.limit, self.window, self.clock = connection, limit, window, clock

    def take(self, key: str) -> float:
        """0 if the event is admitted (and counted for every worker), else the seconds until a slot frees."""
        if self.limit <= 0:
            return 0.0
        now, db = self.clock(), self.connection()
        with db.conn.transaction():
            db.execute("INSERT INTO rate_windows(key, newest) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       [key, now])
            (times,) = db.execute("SELECT times FROM rate_windows WHERE key = ? FOR UPDATE", [key]).fetchone()
            times = [t for t in times if now - t < self.window]
            if len(times) >= self.limit:
                return self.window - (now - min(times))
            db.execute("UPDATE rate_windows SET times = ?, told = false, newest = ? WHERE key = ?",
                       [[*times, now], now, key])
        db.execute("DELETE FROM rate_windows WHERE newest < ?", [now - self.window])  # idle users
        return 0.0

    def first_refusal(self, key: str) -> bool:
        """True the first time, across every worker, a key is refused since its last admitted event."""
        cur = self.connection().execute("UPDATE rate_windows SET told = true WHERE key = ? AND NOT told "
                                        "RETURNING key", [key])
        return cur.fetchone() is not None


class PgNotices:
    """Keys in `told_once`, inserted (or renewed once expired) by whoever tells first."""

    def __init__(self, connection: Connection, *, ttl: float = NOTICE_TTL, clock: Clock):
        self.connection, self.ttl, self.clock = connection, ttl, clock

    def first(self, key: str) -> bool:
        """True if no worker has told this key in the last ttl seconds (and now one has)."""
        now, db = self.clock(), self.connection()
        # the row lock the conflict takes makes the renewal of an expired key one worker's, like the insert
        cur = db.execute("INSERT INTO told_once(key, told_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                         "told_at = EXCLUDED.told_at WHERE told_once.told_at < ? RETURNING key",
                         [key, now, now - self.ttl])
        told = cur.fetchone() is not None
        if told:
            db.execute("DELETE FROM told_once WHERE told_at < ?", [now - self.ttl])  # forgotten passers-by
        return told
