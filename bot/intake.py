"""What /add needs besides the corpus: the one fetcher (made on first use) and who may add how much.

Nothing here reads the environment on its own: each adapter's main() passes its environment to
AddPolicy.from_env and gives the Door an Intake whose fetcher it built the same way `gapbot index` does."""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.guard import ids
from bot.reply import Request, UserError

if TYPE_CHECKING:
    from corpus.fetch import Getter

DEFAULT_QUOTA = 20  # adds a user may try a day: enough to share a day's reading, too few to mirror a site
MAX_URLS = 5  # links read from one message; the rest are ignored (and said so)


@dataclass(frozen=True)
class AddPolicy:
    """Who may add (empty: anyone the door lets in), how many adds a user may try a day (0: no quota), and
    the channels watched by configuration (every link posted there is added)."""

    adders: frozenset[str] = frozenset()  # user ids, bare or as platform:id
    per_day: int = DEFAULT_QUOTA
    watched: frozenset[str] = frozenset()  # channel ids, bare or as platform:id
    # whether the adapter receives messages not addressed to it (Discord: only with the message content
    # intent)
    hears_channels: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AddPolicy:
        """Read GAPBOT_ADDERS, GAPBOT_ADD_QUOTA and GAPBOT_WATCH_CHANNELS (ValueError if the quota is not a
        whole number)."""
        quota = env.get("GAPBOT_ADD_QUOTA", "").strip() or str(DEFAULT_QUOTA)
        if not (quota.isascii() and quota.isdigit()):
            raise ValueError(f"GAPBOT_ADD_QUOTA must be a whole number of adds a user may try a day, not "
                             f"{quota[:20]!r}")
        return cls(adders=ids(env.get("GAPBOT_ADDERS")), per_day=int(quota),
                   watched=ids(env.get("GAPBOT_WATCH_CHANNELS")))

    def configured_watch(self, platform: str, channel: str | None) -> bool:
        """Whether GAPBOT_WATCH_CHANNELS names this channel (bare, or as platform:id)."""
        return bool(channel) and (channel in self.watched or f"{platform}:{channel}" in self.watched)

    def watches_on(self, platform: str) -> list[str]:
        """The channel ids GAPBOT_WATCH_CHANNELS names for a platform (bare ones count for every platform)."""
        prefixes = ("slack:", "discord:")
        return sorted(w.removeprefix(f"{platform}:") for w in self.watched
                      if w.startswith(f"{platform}:") or not w.startswith(prefixes))

    def may_add(self, request: Request) -> bool:
        """Whether this user may add articles (the console, with no user, always may)."""
        if not self.adders or request.user is None:
            return True
        return request.user in self.adders or f"{request.platform}:{request.user}" in self.adders

    def counted(self, request: Request) -> bool:
        """Whether the quota applies: to chat users, not to the console's operator."""
        return self.per_day > 0 and request.user is not None


class Intake:
    """The fetcher for links shared in chat and the add rules; one per running adapter, shared by its
    threads."""

    def __init__(self, make_fetcher: Callable[[], Getter], policy: AddPolicy | None = None):
        self.policy = policy or AddPolicy()
        self._make = make_fetcher
        self._fetcher: Getter | None = None
        self._lock = threading.Lock()

    def hearing(self, hears: bool) -> Intake:
        """This intake, saying whether the adapter receives messages not addressed to it (same fetcher)."""
        other = Intake(self._make, replace(self.policy, hears_channels=hears))
        other._fetcher = self._fetcher
        return other

    def fetcher(self) -> Getter:
        """The fetcher, made on first use (building one loads httpx); a bad setting becomes a UserError."""
        with self._lock:
            if self._fetcher is None:
                try:
                    self._fetcher = self._make()
                except ValueError as e:
                    raise UserError(f"Adding articles is misconfigured: {e}") from None
            return self._fetcher
