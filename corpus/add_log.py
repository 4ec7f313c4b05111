"""The log of articles shared from chat (migrations/0110_adds.sql): every /add, with who, where and what
became of it.

AddLog is what the bot needs from storage; SqliteAddLog keeps it in the corpus database."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
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


class SqliteAddLog:
    """The add log in the corpus's SQLite database."""

    def __init__(self, store: Store):
        self.store = store

    def record(self, add: AddRecord) -> AddRecord:
        """Append one add; returns it with its id."""
        row = {k: v for k, v in asdict(add).items() if k != "id"}
        names, marks = ", ".join(row), ", ".join("?" * len(row))
        cur = self.store.db.execute(f"INSERT INTO adds({names}) VALUES ({marks})", list(row.values()))
        return AddRecord(**row, id=cur.lastrowid)

    def tried_since(self, platform: str, user: str, since: str) -> int:
        """How many adds the user tried since an ISO time (refused ones not counted)."""
        row = self.store.db.execute("SELECT count(*) FROM adds WHERE platform = ? AND user = ? AND at >= ? "
                                    "AND status != ?", [platform, user, since, REFUSED]).fetchone()
        return int(row[0])

    def recent(self, *, limit: int) -> list[AddRecord]:
        """The newest adds first."""
        rows = self.store.db.query("SELECT * FROM adds ORDER BY id DESC LIMIT ?", [limit])
        return [AddRecord(**r) for r in rows]
