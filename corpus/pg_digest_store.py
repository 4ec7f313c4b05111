"""The digest's tables on Postgres (migrations/postgres/0005_digest.sql): the SQLite store's portable SQL,
with leases as claims and every delivery-log write fenced.

A claim is a lease row taken with `SELECT … FOR UPDATE SKIP LOCKED` (a claim under way elsewhere is skipped,
never waited for), an expiry the holder's heartbeat (`renew_lease`) pushes back, and a new token. Each write
to the delivery log first locks the row FOR SHARE with this process's token, unexpired; else Fenced. So a
worker that stalled past its expiry and was taken over writes nothing, and no takeover can slip in between
the check and the write. One scheduler at a time: `pg_try_advisory_lock` on a connection of its own, which
Postgres frees when the connection ends, however the process died."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterator

import psycopg

from corpus.digest_models import Fenced, Post, iso
from corpus.digest_store import SqliteDigestStore, destination_lease, log_post, settle_post
from corpus.pg_schema import PgConnection

if TYPE_CHECKING:
    from corpus.pg_store import PgStore

SCHEDULER_LOCK = 0x6761_7062_0010  # pg_try_advisory_lock key of the one digest scheduler


class PgDigestStore(SqliteDigestStore):
    """The digest's tables in a Postgres database. Subclassed, not copied: destinations, statuses and feeds
    are the same SQL on both engines; leases and the delivery-log writes are Postgres's own."""

    def __init__(self, store: "PgStore"):
        self.store = store  # type: ignore[assignment]  # the same calls (db, execute, query) on Postgres
        self.pg = store
        self._tokens: dict[str, str] = {}  # lease name -> the token of this process's claim

    def add_feed(self, url: str, *, now: datetime) -> bool:
        """Subscribe a feed; False if it already was."""
        cur = self.store.db.execute("INSERT INTO digest_feeds(url, added_at) VALUES (?, ?) "
                                    "ON CONFLICT DO NOTHING", [url, iso(now)])
        return cur.rowcount == 1

    # the delivery log, fenced by the destination's lease

    def begin_post(self, dest_id: int, article_ids: list[str], *, part: int, parts: int, thread: str | None,
                   now: datetime) -> Post:
        """Log a post as pending, before it is sent; Fenced unless this process holds the destination's
        lease; AlreadyDelivered if any article is already live."""
        with self._fenced(dest_id, now=now) as db:
            return log_post(db, dest_id, article_ids, part=part, parts=parts, thread=thread, now=now)

    def mark_post(self, post: Post, status: str, *, now: datetime, message_id: str | None = None,
                  error: str | None = None) -> None:
        """Record what became of a post; Fenced unless this process still holds the destination's lease."""
        with self._fenced(post.destination_id, now=now) as db:
            settle_post(db, post, status, now=now, message_id=message_id, error=error)

    @contextmanager
    def _fenced(self, dest_id: int, *, now: datetime) -> Iterator[PgConnection]:
        """A transaction in which this process's claim on the destination holds (its row locked FOR SHARE)."""
        name, db = destination_lease(dest_id), self.pg.db
        with db.conn.transaction():
            row = db.execute("SELECT 1 FROM digest_leases WHERE name = ? AND token = ? AND expires_at > ? "
                             "FOR SHARE", [name, self._tokens.get(name, ""), iso(now)]).fetchone()
            if row is None:
                raise Fenced(f"the lease {name} expired or was taken over; the delivery log is left alone")
            yield db

    # leases as claims with a token

    def acquire_lease(self, name: str, holder: str, *, now: datetime, expires: datetime,
                      dead: Callable[[str], bool]) -> bool:
        """Claim the lease with a new token unless another holder has it, unexpired and not dead, or is
        claiming it this very moment."""
        db, token = self.pg.db, secrets.token_hex(16)
        with db.conn.transaction():
            db.execute("INSERT INTO digest_leases(name, holder, token, expires_at) VALUES (?, '', '', '') "
                       "ON CONFLICT (name) DO NOTHING", [name])
            row = db.execute("SELECT holder, expires_at FROM digest_leases WHERE name = ? "
                             "FOR UPDATE SKIP LOCKED", [name]).fetchone()
            if row is None or (row[0] not in ("", holder) and row[1] > iso(now) and not dead(row[0])):
                return False
            db.execute("UPDATE digest_leases SET holder = ?, token = ?, expires_at = ? WHERE name = ?",
                       [holder, token, iso(expires), name])
        self._tokens[name] = token
        return True

    def renew_lease(self, name: str, holder: str, *, expires: datetime) -> bool:
        """The heartbeat: push the expiry back if this process's claim still holds (its token unchanged)."""
        cur = self.store.db.execute("UPDATE digest_leases SET expires_at = ? WHERE name = ? AND token = ?",
                                    [iso(expires), name, self._tokens.get(name, "")])
        return cur.rowcount == 1

    def release_lease(self, name: str, holder: str) -> None:
        """Give the claim up (if it is still this process's)."""
        token = self._tokens.pop(name, "")
        self.store.db.execute("DELETE FROM digest_leases WHERE name = ? AND token = ?", [name, token])

    @contextmanager
    def scheduler_turn(self) -> Iterator[bool]:
        """Whether this process may run the scheduler, for as long as the block lasts: an advisory lock on a
        connection of its own, freed when the block ends or the process dies."""
        with psycopg.connect(self.pg.url, autocommit=True) as conn:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", [SCHEDULER_LOCK]).fetchone()
            yield bool(row and row[0])
