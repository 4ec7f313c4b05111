"""Who may use gapbot, where and how often: allowlists, configured admins and a per-user rate limit.

Platform-neutral: the Request says where it came from (workspace or server, channel, DM), and the door
(bot.core.Door) asks check() before anything else. Nothing here reads the environment; each adapter's main()
passes the values in.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.reply import Reply, Request
from corpus.shared_state import Notices, RateCounts, SharedState

Clock = Callable[[], float]
NOT_ENABLED = "gapbot is not enabled here. Ask an admin to enable this channel, or ask me somewhere it is."
MAX_KEYS = 10_000  # users (or refused places) remembered at once; the oldest are forgotten first


@dataclass(frozen=True)
class Policy:
    """The rules: empty allowlists allow everything; per_minute 0 means no rate limit."""

    spaces: frozenset[str] = frozenset()  # Slack workspaces (team ids) or Discord servers (guild ids)
    channels: frozenset[str] = frozenset()
    admins: frozenset[str] = frozenset()  # user ids, bare or as platform:id
    per_minute: int = 10
    private_answers: bool = False  # answers in channels go to the asker alone first (Slack adds "Share")

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, spaces: str, channels: str) -> Policy:
        """Read the two allowlist variables named, GAPBOT_ADMINS and GAPBOT_RATE_LIMIT (ValueError if bad)."""
        rate = env.get("GAPBOT_RATE_LIMIT", "").strip() or "10"
        if not rate.isdigit():
            raise ValueError(f"GAPBOT_RATE_LIMIT must be a whole number of commands a minute, not "
                             f"{rate[:20]!r}")
        private = env.get("GAPBOT_PRIVATE_ANSWERS", "").strip().lower()
        if private not in ("", "0", "1", "true", "false", "yes", "no"):
            raise ValueError(f"GAPBOT_PRIVATE_ANSWERS must be 1 or 0, not {private[:20]!r}")
        return cls(spaces=ids(env.get(spaces)), channels=ids(env.get(channels)),
                   admins=ids(env.get("GAPBOT_ADMINS")), per_minute=int(rate),
                   private_answers=private in ("1", "true", "yes"))


def ids(text: str | None) -> frozenset[str]:
    """A comma- or space-separated list of ids as a set."""
    return frozenset((text or "").replace(",", " ").split())


@dataclass(frozen=True)
class Verdict:
    """What to do with a request: answer it (reply None), or send the refusal, unless it was already sent."""

    reply: Reply | None = None
    repeat: bool = False  # the asker was told already; say it again only where silence is not an option

    @property
    def allowed(self) -> bool:
        """Whether the request goes on to handle()."""
        return self.reply is None


class Guard:
    """Applies a Policy; one per running adapter, shared by all its threads. With `shared` (the corpus's,
    on Postgres) the rate limit and the notices told once hold across every worker on the database; without
    it, this process keeps them in memory."""

    def __init__(self, policy: Policy | None = None, *, clock: Clock = time.monotonic,
                 shared: SharedState | None = None):
        self.policy = policy or Policy()
        self.limiter: RateCounts = (shared.rate_limiter(self.policy.per_minute, 60.0) if shared else
                                    RateLimiter(self.policy.per_minute, 60.0, clock=clock))
        self._told: Notices = shared.notices() if shared else Remembered()

    def is_admin(self, platform: str, user: str | None) -> bool:
        """Whether the user is one of the configured admins (platform admins are the adapter's to check)."""
        return bool(user) and (user in self.policy.admins or f"{platform}:{user}" in self.policy.admins)

    def enabled(self, *, space: str | None, channel: str | None, direct: bool = False) -> bool:
        """Whether gapbot answers in this place; a DM passes the channel list, not the workspace list."""
        p = self.policy
        if p.spaces and space not in p.spaces:
            return False
        return direct or not p.channels or channel in p.channels

    def check(self, request: Request, *, space: str | None = None, direct: bool = False,
              parent: str | None = None) -> Verdict:
        """Allow the request, or refuse it: not enabled in this place, or the user is over the rate limit. A
        request from a thread gives the thread's channel as `parent`: the channel allowlist checks that
        one."""
        if not self.enabled(space=space, channel=parent or request.channel, direct=direct):
            first = self._told.first(f"{request.platform}:{space}:{request.channel}:{request.user}")
            return Verdict(_refusal(NOT_ENABLED), repeat=not first)
        wait = self.limiter.take(f"{request.platform}:{request.user}")
        if wait > 0:
            first = self.limiter.first_refusal(f"{request.platform}:{request.user}")
            return Verdict(_refusal(slow_down(self.policy.per_minute, wait)), repeat=not first)
        return Verdict()


def slow_down(per_minute: int, wait: float) -> str:
    """The polite answer to someone over the rate limit."""
    return (f"You're asking faster than I can keep up with (up to {per_minute} commands a minute each). "
            f"Please try again in {max(1, round(wait))} s.")


def _refusal(text: str) -> Reply:
    return Reply(command="guard", title=text, answered=False, ephemeral=True)


class Remembered:
    """A bounded, thread-safe set of keys: first(key) is True only the first time a key is seen."""

    def __init__(self, size: int = MAX_KEYS):
        self.size = size
        self._keys: OrderedDict[object, None] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: object) -> bool:
        """True if key is new (and remember it), False if it was seen before."""
        with self._lock:
            if key in self._keys:
                self._keys.move_to_end(key)
                return False
            self._keys[key] = None
            if len(self._keys) > self.size:
                self._keys.popitem(last=False)
            return True


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    told: bool = False  # the user was told to slow down since their last admitted command


class RateLimiter:
    """At most `limit` events per key in any `window` seconds (a sliding window); thread-safe, bounded."""

    def __init__(self, limit: int, window: float = 60.0, *, clock: Clock = time.monotonic,
                 size: int = MAX_KEYS):
        self.limit, self.window, self.clock, self.size = limit, window, clock, size
        self._keys: OrderedDict[str, _Window] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if the event is admitted (and counted), else the seconds until the key has a free slot."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            w = self._window(key)
            while w.times and now - w.times[0] >= self.window:
                w.times.popleft()
            if len(w.times) >= self.limit:
                return self.window - (now - w.times[0])
            w.times.append(now)
            w.told = False
            return 0.0

    def first_refusal(self, key: str) -> bool:
        """True the first time a key is refused since its last admitted event."""
        with self._lock:
            w = self._window(key)
            first, w.told = not w.told, True
            return first

    def _window(self, key: str) -> _Window:
        w = self._keys.get(key)
        if w is None:
            w = self._keys[key] = _Window()
            if len(self._keys) > self.size:
                self._keys.popitem(last=False)
        self._keys.move_to_end(key)
        return w
