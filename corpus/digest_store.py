"""The digest's tables (migrations/0100_digest.sql): destinations, the exactly-once delivery log, leases,
feeds.

DigestStore is what the digest service needs from storage; SqliteDigestStore keeps it in the corpus database.
Every write autocommits, or runs in one transaction where two tables change together."""
from __future__ import annotations

import secrets
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol

from corpus.digest_models import AlreadyDelivered, Destination, Feed, Post, iso
from corpus.store import Store

if TYPE_CHECKING:
    from corpus.api import Corpus


def new_key() -> str:
    """A marker unique to one post, short enough for a Discord nonce (25 characters)."""
    return "gapbot-" + secrets.token_hex(8)


class DigestStore(Protocol):
    """The digest's storage, as the digest service uses it (one engine per database kind)."""

    def add_destination(self, target: str, *, platform: str, address: str, at: str, tz: str, now: datetime,
                        since: datetime, created_by: str | None,
                        space: str | None = None) -> tuple[Destination, bool]: ...
    def destination(self, ref: str | int) -> Destination | None: ...
    def destinations(self) -> list[Destination]: ...
    def remove_destination(self, ref: str | int) -> Destination | None: ...
    def record_ok(self, dest_id: int, *, now: datetime, posted: bool) -> None: ...
    def failures(self, dest_id: int) -> int: ...
    def record_error(self, dest_id: int, error: str, *, now: datetime, failures: int,
                     retry_at: datetime) -> None: ...
    def due_retries(self, *, now: datetime) -> list[Destination]: ...
    def statuses(self, dest_id: int) -> dict[str, str]: ...
    def begin_post(self, dest_id: int, article_ids: list[str], *, part: int, parts: int, thread: str | None,
                   now: datetime) -> Post: ...
    def mark_post(self, post: Post, status: str, *, now: datetime, message_id: str | None = None,
                  error: str | None = None) -> None: ...
    def pending_posts(self, dest_id: int) -> list[Post]: ...
    def delivery_counts(self, dest_id: int) -> dict[str, int]: ...
    def acquire_lease(self, name: str, holder: str, *, now: datetime, expires: datetime,
                      dead: Callable[[str], bool]) -> bool: ...
    def renew_lease(self, name: str, holder: str, *, expires: datetime) -> bool: ...
    def release_lease(self, name: str, holder: str) -> None: ...
    def scheduler_turn(self) -> AbstractContextManager[bool]: ...
    def add_feed(self, url: str, *, now: datetime) -> bool: ...
    def remove_feed(self, url: str) -> bool: ...
    def feeds(self) -> list[Feed]: ...
    def record_poll(self, url: str, *, now: datetime, status: str, added: int = 0, etag: str | None = None,
                    last_modified: str | None = None) -> None: ...
    def record_poll_error(self, url: str, error: str, *, now: datetime) -> None: ...


def destination_lease(dest_id: int) -> str:
    """The name of the lease that lets one process post to a destination."""
    return f"digest:{dest_id}"


def log_post(conn: Any, dest_id: int, article_ids: list[str], *, part: int, parts: int, thread: str | None,
             now: datetime) -> Post:
    """In the caller's transaction: a post logged as pending with its articles; AlreadyDelivered if any
    article is already live (portable SQL: SQLite and Postgres)."""
    key, stamp = new_key(), iso(now)
    marks = ",".join("?" * len(article_ids))  # none for a message that only heads a thread: no IN () then
    taken = article_ids and conn.execute(f"SELECT article_id FROM digest_deliveries WHERE destination_id = ? "
                                         f"AND article_id IN ({marks}) AND status != 'failed'",
                                         [dest_id, *article_ids]).fetchall()
    if taken:
        raise AlreadyDelivered(", ".join(r[0] for r in taken))
    post_id = int(conn.execute("INSERT INTO digest_posts(destination_id, key, part, parts, thread, status, "
                               "created_at, updated_at) VALUES (?,?,?,?,?,'pending',?,?) RETURNING id",
                               [dest_id, key, part, parts, thread, stamp, stamp]).fetchone()[0])
    conn.executemany(
        "INSERT INTO digest_deliveries(destination_id, article_id, post_id, status, updated_at) "
        "VALUES (?,?,?,'pending',?) ON CONFLICT(destination_id, article_id) DO UPDATE SET "
        "post_id = excluded.post_id, status = 'pending', message_id = NULL, "
        "attempts = digest_deliveries.attempts + 1, updated_at = excluded.updated_at",
        [(dest_id, a, post_id, stamp) for a in article_ids])
    return Post(post_id, dest_id, key, part, parts, thread, "pending", None, stamp, tuple(article_ids))


def settle_post(conn: Any, post: Post, status: str, *, now: datetime, message_id: str | None,
                error: str | None) -> None:
    """In the caller's transaction: what became of a post, in the post and in its articles' deliveries."""
    stamp = iso(now)
    conn.execute("UPDATE digest_posts SET status = ?, message_id = ?, error = ?, updated_at = ? WHERE id = ?",
                 [status, message_id, error, stamp, post.id])
    conn.execute("UPDATE digest_deliveries SET status = ?, message_id = ?, updated_at = ? WHERE post_id = ?",
                 [status, message_id, stamp, post.id])


class SqliteDigestStore:
    """The digest's tables in the corpus's SQLite database."""

    def __init__(self, store: "Store"):
        self.store = store

    @classmethod
    def of(cls, corpus: "Corpus") -> "SqliteDigestStore":
        """The digest store in a corpus's database."""
        if not isinstance(corpus.store, Store):
            raise TypeError("not an SQLite corpus: Corpus.digest_store picks the store of its engine")
        return cls(corpus.store)

    # destinations

    def add_destination(self, target: str, *, platform: str, address: str, at: str, tz: str, now: datetime,
                        since: datetime, created_by: str | None,
                        space: str | None = None) -> tuple[Destination, bool]:
        """Subscribe target (or change its time, and learn its space if given); returns (destination,
        created)."""
        db = self.store.db
        if self.destination(target) is not None:
            db.execute("UPDATE digest_destinations SET at = ?, tz = ?, space = COALESCE(?, space) "
                       "WHERE target = ?", [at, tz, space, target])
            return self._must(target), False
        db.execute("INSERT INTO digest_destinations(target, platform, address, at, tz, created_at, "
                   "created_by, since, space) VALUES (?,?,?,?,?,?,?,?,?)",
                   [target, platform, address, at, tz, iso(now), created_by, iso(since), space])
        return self._must(target), True

    def destination(self, ref: str | int) -> Destination | None:
        """A destination by target ('slack:C123') or by its number in `digest list`."""
        db, ref = self.store.db, str(ref).strip()
        col = "id" if ref.isdigit() else "target"
        rows = list(db.query(f"SELECT * FROM digest_destinations WHERE {col} = ?", [ref]))
        if not rows and col == "target" and ":" in ref:
            rows = list(db.query("SELECT * FROM digest_destinations WHERE lower(target) = lower(?)", [ref]))
        return Destination.from_row(rows[0]) if rows else None

    def _must(self, ref: str | int) -> Destination:
        dest = self.destination(ref)
        assert dest is not None, ref
        return dest

    def destinations(self) -> list[Destination]:
        """Every destination, oldest first."""
        rows = self.store.db.query("SELECT * FROM digest_destinations ORDER BY id")
        return [Destination.from_row(r) for r in rows]

    def remove_destination(self, ref: str | int) -> Destination | None:
        """Unsubscribe (the delivery log goes with it); returns what was removed."""
        dest = self.destination(ref)
        if dest is not None:
            self.store.db.execute("DELETE FROM digest_destinations WHERE id = ?", [dest.id])
        return dest

    def record_ok(self, dest_id: int, *, now: datetime, posted: bool) -> None:
        """A run that went through: clear the error and the backoff."""
        self.store.db.execute("UPDATE digest_destinations SET last_run_at = ?, "
                              "last_ok_at = CASE WHEN ? THEN ? ELSE last_ok_at END, "
                              "last_error = NULL, failures = 0, retry_at = NULL WHERE id = ?",
                              [iso(now), posted, iso(now), dest_id])

    def failures(self, dest_id: int) -> int:
        """How many runs in a row failed for the destination."""
        row = self.store.db.execute("SELECT failures FROM digest_destinations WHERE id = ?",
                                    [dest_id]).fetchone()
        return row[0] if row else 0

    def record_error(self, dest_id: int, error: str, *, now: datetime, failures: int,
                     retry_at: datetime) -> None:
        """A failed run: its error (for `digest list`), the failures in a row, and when to retry."""
        self.store.db.execute("UPDATE digest_destinations SET last_run_at = ?, last_error = ?, "
                              "last_error_at = ?, failures = ?, retry_at = ? WHERE id = ?",
                              [iso(now), error[:500], iso(now), failures, iso(retry_at), dest_id])

    def due_retries(self, *, now: datetime) -> list[Destination]:
        """Destinations whose last run failed and whose backoff has passed."""
        rows = self.store.db.query("SELECT * FROM digest_destinations WHERE failures > 0 AND retry_at <= ? "
                                   "ORDER BY id", [iso(now)])
        return [Destination.from_row(r) for r in rows]

    # the delivery log: a post is written as pending before it is sent, and as sent (with its id) after

    def statuses(self, dest_id: int) -> dict[str, str]:
        """article id -> delivery status, for every article ever put in a post to the destination."""
        rows = self.store.db.execute("SELECT article_id, status FROM digest_deliveries "
                                     "WHERE destination_id = ?", [dest_id])
        return dict(rows.fetchall())

    def begin_post(self, dest_id: int, article_ids: list[str], *, part: int, parts: int, thread: str | None,
                   now: datetime) -> Post:
        """Log a post as pending, before it is sent; AlreadyDelivered if any article is already live."""
        with self.store.transaction() as conn:
            return log_post(conn, dest_id, article_ids, part=part, parts=parts, thread=thread, now=now)

    def mark_post(self, post: Post, status: str, *, now: datetime, message_id: str | None = None,
                  error: str | None = None) -> None:
        """Record what became of a post: sent (with its message id), failed or unknown."""
        with self.store.transaction() as conn:
            settle_post(conn, post, status, now=now, message_id=message_id, error=error)

    def pending_posts(self, dest_id: int) -> list[Post]:
        """Posts begun but never recorded as sent or failed: a run was interrupted while posting them."""
        rows = self.store.db.query("SELECT id, destination_id, key, part, parts, thread, status, message_id, "
                                   "created_at FROM digest_posts WHERE destination_id = ? "
                                   "AND status = 'pending' ORDER BY id", [dest_id])
        return [Post(**r, article_ids=self._post_articles(r["id"])) for r in rows]

    def _post_articles(self, post_id: int) -> tuple[str, ...]:
        rows = self.store.db.execute("SELECT article_id FROM digest_deliveries WHERE post_id = ?",
                                     [post_id]).fetchall()
        return tuple(r[0] for r in rows)

    def delivery_counts(self, dest_id: int) -> dict[str, int]:
        """How many articles are in each delivery status for a destination."""
        rows = self.store.db.execute("SELECT status, count(*) FROM digest_deliveries "
                                     "WHERE destination_id = ? GROUP BY status", [dest_id]).fetchall()
        return dict(rows)

    # leases: only the holder of a lease posts to a destination (or polls the feeds)

    def acquire_lease(self, name: str, holder: str, *, now: datetime, expires: datetime,
                      dead: Callable[[str], bool]) -> bool:
        """Take (or extend) the lease unless another holder has it, unexpired and not dead."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT holder, expires_at FROM digest_leases WHERE name = ?",
                               [name]).fetchone()
            if row and row[0] != holder and row[1] > iso(now) and not dead(row[0]):
                return False
            conn.execute("INSERT INTO digest_leases(name, holder, expires_at) VALUES (?,?,?) "
                         "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, "
                         "expires_at = excluded.expires_at", [name, holder, iso(expires)])
        return True

    def renew_lease(self, name: str, holder: str, *, expires: datetime) -> bool:
        """Extend the lease if holder still holds it."""
        cur = self.store.db.execute("UPDATE digest_leases SET expires_at = ? WHERE name = ? AND holder = ?",
                                    [iso(expires), name, holder])
        return cur.rowcount == 1

    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up (if holder holds it)."""
        self.store.db.execute("DELETE FROM digest_leases WHERE name = ? AND holder = ?", [name, holder])

    @contextmanager
    def scheduler_turn(self) -> Iterator[bool]:
        """Whether this process may run the scheduler, for as long as the block lasts: on one SQLite file,
        always (the leases keep two schedulers from posting the same digest)."""
        yield True

    # feeds, with what conditional GET needs (ETag, Last-Modified)

    def add_feed(self, url: str, *, now: datetime) -> bool:
        """Subscribe a feed; False if it already was."""
        cur = self.store.db.execute("INSERT OR IGNORE INTO digest_feeds(url, added_at) VALUES (?, ?)",
                                    [url, iso(now)])
        return cur.rowcount == 1

    def remove_feed(self, url: str) -> bool:
        """Unsubscribe a feed; False if it was not subscribed."""
        return self.store.db.execute("DELETE FROM digest_feeds WHERE url = ?", [url.strip()]).rowcount == 1

    def feeds(self) -> list[Feed]:
        """Every subscribed feed, oldest first."""
        rows = self.store.db.query("SELECT * FROM digest_feeds ORDER BY added_at, url")
        return [Feed.from_row(r) for r in rows]

    def record_poll(self, url: str, *, now: datetime, status: str, added: int = 0, etag: str | None = None,
                    last_modified: str | None = None) -> None:
        """A poll that worked: 'not modified', or new validators and how many articles it added."""
        self.store.db.execute(
            "UPDATE digest_feeds SET last_polled_at = ?, last_status = ?, last_added = ?, "
            "etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified), last_error = NULL, "
            "failures = 0 WHERE url = ?", [iso(now), status, added, etag, last_modified, url])

    def record_poll_error(self, url: str, error: str, *, now: datetime) -> None:
        """A poll that failed: kept for `feeds list`."""
        self.store.db.execute("UPDATE digest_feeds SET last_polled_at = ?, last_status = 'error', "
                              "last_error = ?, last_error_at = ?, failures = failures + 1 WHERE url = ?",
                              [iso(now), error[:300], iso(now), url])
