"""The channels an admin asked gapbot to watch (migrations/0120_watched_channels.sql): every link posted in
one is added to the corpus.

WatchStore is what the bot needs from storage; SqlWatchStore keeps it in the corpus database, SQLite
or Postgres (portable SQL)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from corpus.pg_store import PgStore
    from corpus.store import Store


@dataclass(frozen=True)
class Watch:
    """One watched channel: where, who turned watching on, and since when."""

    platform: str
    channel: str
    space: str | None
    by_user: str | None
    since: str


class WatchStore(Protocol):
    """The watched channels, as /watch and the door use them (one engine per database kind)."""

    def watch(self, watch: Watch) -> bool: ...
    def unwatch(self, platform: str, channel: str) -> bool: ...
    def get(self, platform: str, channel: str) -> Watch | None: ...
    def listed(self, platform: str, *, space: str | None = None) -> list[Watch]: ...


class SqlWatchStore:
    """The watched channels in the corpus's SQLite database."""

    def __init__(self, store: Store | PgStore):
        self.store = store

    def watch(self, watch: Watch) -> bool:
        """Start watching a channel; False if it was watched already (the first record is kept)."""
        row = asdict(watch)
        names, marks = ", ".join(row), ", ".join("?" * len(row))
        cur = self.store.db.execute(f"INSERT INTO watched_channels({names}) VALUES ({marks}) "
                                    "ON CONFLICT DO NOTHING", list(row.values()))
        return cur.rowcount > 0

    def unwatch(self, platform: str, channel: str) -> bool:
        """Stop watching a channel; False if it was not watched."""
        cur = self.store.db.execute("DELETE FROM watched_channels WHERE platform = ? AND channel = ?",
                                    [platform, channel])
        return cur.rowcount > 0

    def get(self, platform: str, channel: str) -> Watch | None:
        """The watch on one channel, if any."""
        rows = list(self.store.db.query("SELECT * FROM watched_channels WHERE platform = ? AND channel = ?",
                                        [platform, channel]))
        return Watch(**rows[0]) if rows else None

    def listed(self, platform: str, *, space: str | None = None) -> list[Watch]:
        """The watched channels of a platform (of one workspace or server, if given), oldest first."""
        where, params = "platform = ?", [platform]
        if space is not None:
            where, params = where + " AND space = ?", params + [space]
        rows = self.store.db.query(f"SELECT * FROM watched_channels WHERE {where} ORDER BY since, channel",
                                   params)
        return [Watch(**r) for r in rows]
