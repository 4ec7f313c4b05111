"""What gapbot answered in chat, and the votes on it (migrations/0125_answers.sql).

A thread follow-up looks up the answer it follows (its command, argument, text and cited sentences); a 👍/👎
button names the answer it rates. AnswerLog is what the bot needs from storage; SqlAnswerLog keeps it in
the corpus database, SQLite or Postgres (portable SQL: `user` quoted, a reserved word in Postgres)."""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from corpus.pg_store import PgStore
    from corpus.store import Store

UP, DOWN = 1, -1
# counted the same on SQLite and Postgres (Postgres cannot sum a boolean)
_COUNT_UP = "coalesce(sum(CASE WHEN value = 1 THEN 1 ELSE 0 END), 0)"
_COUNT_DOWN = "coalesce(sum(CASE WHEN value = -1 THEN 1 ELSE 0 END), 0)"
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Cited:
    """One sentence an answer quoted: its article, its exact text, and its id in the corpus (None if the
    sentence is no longer there)."""

    article_id: str
    quote: str
    sentence_id: int | None = None


@dataclass(frozen=True)
class AnswerRecord:
    """One answer gapbot gave in chat: where, to whom, the question, and what it said and cited."""

    at: str
    platform: str
    question: str
    command: str
    args: str
    title: str
    text: str
    answered: bool
    space: str | None = None
    channel: str | None = None
    thread: str | None = None
    user: str | None = None
    cited: tuple[Cited, ...] = ()
    message: str | None = None
    id: str = field(default_factory=lambda: secrets.token_hex(6))

    def to_json(self) -> dict[str, Any]:
        """A JSON object of every field (cited as a list of objects)."""
        return asdict(self) | {"cited": [asdict(c) for c in self.cited]}


@dataclass(frozen=True)
class Rated:
    """An answer with the votes on it (the current vote of each user)."""

    answer: AnswerRecord
    up: int = 0
    down: int = 0


class AnswerLog(Protocol):
    """The answer log, as the door, thread follow-ups and feedback use it (one engine per database kind)."""

    def record(self, answer: AnswerRecord) -> AnswerRecord: ...
    def posted(self, answer_id: str, message: str) -> None: ...
    def get(self, answer_id: str) -> AnswerRecord | None: ...
    def by_message(self, platform: str, channel: str, message: str) -> AnswerRecord | None: ...
    def in_thread(self, platform: str, channel: str, thread: str, *,
                  limit: int = 10) -> list[AnswerRecord]: ...
    def vote(self, answer_id: str, user: str, value: int, *, at: str) -> bool: ...
    def tally(self, answer_id: str) -> tuple[int, int]: ...
    def missed(self, *, commands: tuple[str, ...], since: str, limit: int) -> list[Rated]: ...


class SqlAnswerLog:
    """The answer log in the corpus's SQLite database."""

    def __init__(self, store: Store | PgStore):
        self.store = store

    def record(self, answer: AnswerRecord) -> AnswerRecord:
        """Keep one answer; each cited sentence gets its id in the corpus. Returns the record as kept."""
        cited = tuple(replace(c, sentence_id=self._sentence_id(c)) for c in answer.cited)
        answer = replace(answer, cited=cited)
        row = {k: _storable(v) for k, v in asdict(answer).items()} | {
            "answered": int(answer.answered),
            "cited": _storable(json.dumps([asdict(c) for c in answer.cited], ensure_ascii=False))}
        names, marks = ", ".join(f'"{k}"' for k in row), ", ".join("?" * len(row))
        self.store.db.execute(f"INSERT INTO answers({names}) VALUES ({marks})", list(row.values()))
        return answer

    def _sentence_id(self, cited: Cited) -> int | None:
        row = self.store.db.execute("SELECT id FROM sentences WHERE article_id = ? AND text = ? ORDER BY idx "
                                    "LIMIT 1", [cited.article_id, cited.quote]).fetchone()
        return int(row[0]) if row else None

    def posted(self, answer_id: str, message: str) -> None:
        """Note the platform's id of the message the answer was posted as."""
        self.store.db.execute("UPDATE answers SET message = ? WHERE id = ?", [message, answer_id])

    def get(self, answer_id: str) -> AnswerRecord | None:
        """One answer by its id."""
        return self._one("SELECT * FROM answers WHERE id = ?", [answer_id])

    def by_message(self, platform: str, channel: str, message: str) -> AnswerRecord | None:
        """The answer posted as this message, if gapbot posted it."""
        return self._one("SELECT * FROM answers WHERE platform = ? AND channel = ? AND message = ?",
                         [platform, channel, message])

    def in_thread(self, platform: str, channel: str, thread: str, *, limit: int = 10) -> list[AnswerRecord]:
        """The answers given in a thread, newest first."""
        rows = self.store.db.query("SELECT * FROM answers WHERE platform = ? AND channel = ? AND thread = ? "
                                   "ORDER BY at DESC LIMIT ?", [platform, channel, thread, limit])
        return [_record(r) for r in rows]

    def vote(self, answer_id: str, user: str, value: int, *, at: str) -> bool:
        """Record (or change) a user's vote on an answer; False if there is no such answer."""
        if value not in (UP, DOWN):
            raise ValueError(f"a vote is {UP} or {DOWN}, not {value}")
        if self.get(answer_id) is None:
            return False
        self.store.db.execute('INSERT INTO votes(answer_id, "user", value, at) VALUES (?, ?, ?, ?) '
                              'ON CONFLICT(answer_id, "user") DO UPDATE SET value = excluded.value, '
                              "at = excluded.at",
                              [answer_id, user, value, at])
        return True

    def tally(self, answer_id: str) -> tuple[int, int]:
        """(up votes, down votes) on an answer."""
        row = self.store.db.execute(f"SELECT {_COUNT_UP}, {_COUNT_DOWN} "
                                    "FROM votes WHERE answer_id = ?", [answer_id]).fetchone()
        return int(row[0]), int(row[1])

    def missed(self, *, commands: tuple[str, ...], since: str, limit: int) -> list[Rated]:
        """Answers to these commands since an ISO time that were refused (with an argument: not a usage
        error) or voted down, newest first."""
        marks = ", ".join("?" * len(commands))
        rows = self.store.db.query(
            f"SELECT a.*, {_COUNT_UP} AS up, {_COUNT_DOWN} AS down "
            f"FROM answers a LEFT JOIN votes v ON v.answer_id = a.id WHERE a.command IN ({marks}) "
            f"AND a.args != '' AND a.at >= ? GROUP BY a.id HAVING a.answered = 0 OR {_COUNT_DOWN} > 0 "
            "ORDER BY a.at DESC LIMIT ?", [*commands, since, limit])
        return [Rated(_record({k: v for k, v in r.items() if k not in ("up", "down")}), int(r["up"]),
                      int(r["down"])) for r in rows]

    def _one(self, sql: str, params: list[Any]) -> AnswerRecord | None:
        rows = list(self.store.db.query(sql, params))
        return _record(rows[0]) if rows else None


def _storable(value: Any) -> Any:
    """Text as SQLite can keep it: a lone surrogate (which chat payloads can carry) becomes U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    return value


def _record(row: dict[str, Any]) -> AnswerRecord:
    cited = tuple(Cited(**c) for c in json.loads(row["cited"] or "[]"))
    return AnswerRecord(**(row | {"answered": bool(row["answered"]), "cited": cited}))
