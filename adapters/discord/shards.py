"""Which of the Discord shards this process runs: `gapbot discord --shards 0,1 --shard-count 4`.

Discord sends a server's events to shard (server id >> 22) % count, and direct messages to shard 0. Each
`gapbot discord` process runs some of the shards (discord.py's AutoShardedClient with shard_ids and
shard_count) and loads its own model; on Postgres the processes share the rate limit and the notices told once
(corpus/shared_state.py), so a person is counted once whichever server they ask in.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shards:
    """The shard ids this process runs, out of count shards in all."""

    ids: tuple[int, ...]
    count: int

    @classmethod
    def parse(cls, ids: str | None, count: str | None) -> Shards | None:
        """The shards from the --shards and --shard-count texts (None when neither is given); ValueError with
        a one-line reason if they do not make sense together. A count alone runs every shard here."""
        if not (ids or "").strip() and not (count or "").strip():
            return None
        total = _count(count)
        if not (ids or "").strip():
            return cls(tuple(range(total)), total)
        return cls(_ids(ids or "", total), total)

    @property
    def registers_commands(self) -> bool:
        """Whether this process is the one that registers the slash commands (the one running shard 0)."""
        return 0 in self.ids

    def describe(self) -> str:
        """e.g. "shards 0,1 of 4"."""
        return f"shard{'s' if len(self.ids) > 1 else ''} {','.join(map(str, self.ids))} of {self.count}"


def _count(text: str | None) -> int:
    value = (text or "").strip()
    if not value:
        raise ValueError("shard ids given without a shard count: set --shard-count (or DISCORD_SHARD_COUNT) "
                         "to the number of shards across all processes")
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"the shard count (--shard-count, DISCORD_SHARD_COUNT) must be a whole number, 1 or "
                         f"more, not {value[:20]!r}")
    return int(value)


def _ids(text: str, count: int) -> tuple[int, ...]:
    words = text.replace(",", " ").split()
    if not words or not all(w.isdigit() for w in words):
        raise ValueError(f"the shard ids (--shards, DISCORD_SHARD_IDS) must be numbers such as 0,1, not "
                         f"{text.strip()[:40]!r}")
    ids = tuple(int(w) for w in words)
    for i in ids:
        if i >= count:
            raise ValueError(f"shard {i} does not exist: with {count} shards the ids are 0 to {count - 1}")
    if len(set(ids)) < len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise ValueError(f"shard {twice} is listed twice")
    return ids
