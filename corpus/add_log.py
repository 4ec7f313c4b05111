"""The log of articles shared from chat (migrations/0110_adds.sql): every /add, with who, where and what
became of it.

AddLog is what the bot needs from storage; SqlAddLog keeps it in the corpus database, SQLite or Postgres (its
SQL is portable: quoted column names, since `user` is a reserved word in Postgres; RETURNING id)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from corpus.pg_store import PgStore
    from corpus.store import Store

REFUSED = "refused"  # a status of the log's own: the add was not tried (not allowed, over quota)


@dataclass(frozen=True)
class AddRecord:
    """One add: who asked, where, when, the URL, and the result."""

    at: str
    platform: str
    user: str | None
    space: str | None
    channel: str | None
    url: str
    status: str  # added | duplicate | rejected | refused
    article_id: str | None = None
    reason: str | None = None
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The CLI.md `adds --json` line."""
        return asdict(self)


class AddLog(Protocol):
    """The add log, as the /add command uses it (one engine per database kind)."""

    def record(self, add: AddRecord) -> AddRecord: ...
    def tried_since(self, platform: str, user: str, since: str) -> int: ...
    def recent(self, *, limit: int) -> list[AddRecord]: ...


class SqlAddLog:
    """The add log in the corpus's database (the `adds` table: SQLite migration 0110, Postgres 0002)."""

    def __init__(self, store: Store | PgStore):
        self.store = store

    def record(self, add: AddRecord) -> AddRecord:
        """Append one add; returns it with its id."""
        row = {k: v for k, v in asdict(add).items() if k != "id"}
        names, marks = ", ".join(f'"{k}"' for k in row), ", ".join("?" * len(row))
        cur = self.store.db.execute(f"INSERT INTO adds({names}) VALUES ({marks}) RETURNING id",
                                    list(row.values()))
        return AddRecord(**row, id=cur.fetchone()[0])

    def tried_since(self, platform: str, user: str, since: str) -> int:
        """How many adds the user tried since an ISO time (refused ones not counted)."""
        row = self.store.db.execute('SELECT count(*) FROM adds WHERE platform = ? AND "user" = ? AND at >= ? '
                                    "AND status != ?", [platform, user, since, REFUSED]).fetchone()
        return int(row[0])

    def recent(self, *, limit: int) -> list[AddRecord]:
        """The newest adds first."""
        rows = self.store.db.query("SELECT * FROM adds ORDER BY id DESC LIMIT ?", [limit])
        return [AddRecord(**r) for r in rows]
