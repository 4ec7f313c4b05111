"""The delivery log: each post is written as pending before it is sent, and as sent (with the platform's
message id) after. An article in a pending, sent or unknown post is never put in another post."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.digest.model import iso

if TYPE_CHECKING:
    from corpus.store import Store

LIVE = ("pending", "sent", "unknown")  # failed is the only status whose articles are posted again


class AlreadyDelivered(Exception):
    """An article is already in a live post to this destination (another process got there first)."""


@dataclass(frozen=True)
class Post:
    """One platform message of a digest, as logged."""

    id: int
    destination_id: int
    key: str
    part: int
    parts: int
    thread: str | None
    status: str
    message_id: str | None
    created_at: str
    article_ids: tuple[str, ...] = ()


def new_key() -> str:
    """A marker unique to one post, short enough for a Discord nonce (25 characters)."""
    return "gapbot-" + secrets.token_hex(8)


def statuses(store: "Store", dest_id: int) -> dict[str, str]:
    """article id -> delivery status, for every article ever put in a post to the destination."""
    rows = store.db.execute("SELECT article_id, status FROM digest_deliveries WHERE destination_id = ?",
                            [dest_id])
    return dict(rows.fetchall())


def delivered(store: "Store", dest_id: int) -> set[str]:
    """The articles in a live (pending, sent or unknown) post to the destination: never posted again."""
    return {a for a, status in statuses(store, dest_id).items() if status in LIVE}


def begin(store: "Store", dest_id: int, article_ids: list[str], *, part: int, parts: int, thread: str | None,
          now: datetime) -> Post:
    """Log a post as pending, before it is sent; AlreadyDelivered if any article is already live."""
    key, stamp = new_key(), iso(now)
    with store.transaction() as conn:
        marks = ",".join("?" * len(article_ids))
        taken = conn.execute(f"SELECT article_id FROM digest_deliveries WHERE destination_id = ? "
                             f"AND article_id IN ({marks}) AND status != 'failed'",
                             [dest_id, *article_ids]).fetchall()
        if taken:
            raise AlreadyDelivered(", ".join(r[0] for r in taken))
        cur = conn.execute("INSERT INTO digest_posts(destination_id, key, part, parts, thread, status, "
                           "created_at, updated_at) VALUES (?,?,?,?,?,'pending',?,?)",
                           [dest_id, key, part, parts, thread, stamp, stamp])
        post_id = int(cur.lastrowid or 0)
        conn.executemany(
            "INSERT INTO digest_deliveries(destination_id, article_id, post_id, status, updated_at) "
            "VALUES (?,?,?,'pending',?) ON CONFLICT(destination_id, article_id) DO UPDATE SET "
            "post_id = excluded.post_id, status = 'pending', message_id = NULL, attempts = attempts + 1, "
            "updated_at = excluded.updated_at", [(dest_id, a, post_id, stamp) for a in article_ids])
    return Post(post_id, dest_id, key, part, parts, thread, "pending", None, stamp, tuple(article_ids))


def mark(store: "Store", post: Post, status: str, *, now: datetime, message_id: str | None = None,
         error: str | None = None) -> None:
    """Record what became of a post: sent (with its message id), failed or unknown."""
    stamp = iso(now)
    with store.transaction() as conn:
        conn.execute("UPDATE digest_posts SET status = ?, message_id = ?, error = ?, updated_at = ? "
                     "WHERE id = ?", [status, message_id, error, stamp, post.id])
        conn.execute("UPDATE digest_deliveries SET status = ?, message_id = ?, updated_at = ? "
                     "WHERE post_id = ?", [status, message_id, stamp, post.id])


def pending(store: "Store", dest_id: int) -> list[Post]:
    """Posts begun but never recorded as sent or failed: a run was interrupted while posting them."""
    rows = store.db.query("SELECT id, destination_id, key, part, parts, thread, status, message_id, "
                          "created_at FROM digest_posts WHERE destination_id = ? AND status = 'pending' "
                          "ORDER BY id", [dest_id])
    return [Post(**r, article_ids=_articles(store, r["id"])) for r in rows]


def _articles(store: "Store", post_id: int) -> tuple[str, ...]:
    rows = store.db.execute("SELECT article_id FROM digest_deliveries WHERE post_id = ?",
                            [post_id]).fetchall()
    return tuple(r[0] for r in rows)


def counts(store: "Store", dest_id: int) -> dict[str, int]:
    """How many articles are in each delivery status for a destination."""
    rows = store.db.execute("SELECT status, count(*) FROM digest_deliveries WHERE destination_id = ? "
                            "GROUP BY status", [dest_id]).fetchall()
    return dict(rows)
