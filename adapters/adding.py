"""Adding links shared in chat, for every platform adapter: the Intake its main() builds from the environment,
and the add worker, a small pool of threads that fetches and indexes apart from the threads that answer."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from bot.intake import AddPolicy, Intake
from bot.reply import Reply

if TYPE_CHECKING:
    from corpus.fetch import Fetcher

log = logging.getLogger(__name__)
T = TypeVar("T")
WORKERS = 2  # adds fetched and indexed at once: indexing is CPU work, and there are two cores
QUEUED = 100  # adds waiting at most; past that a new one is turned away rather than left to wait for hours
FETCH_SECONDS = 30.0  # one shared link, redirects and body included
BUSY = Reply(command="add", title="I'm busy adding many links right now; please send this one again in a few "
             "minutes.", answered=False, ephemeral=True)


def chat_fetcher(env: Mapping[str, str]) -> Fetcher:
    """The fetcher for links shared in chat: the reach GAPBOT_ALLOW_PRIVATE_URLS allows, 30 s a link."""
    from corpus.fetch import Fetcher  # lazy: corpus.fetch loads httpx, needed only once someone adds

    return Fetcher.from_env(env, deadline=FETCH_SECONDS)


def intake_from_env(env: Mapping[str, str]) -> Intake:
    """The add rules (GAPBOT_ADDERS, GAPBOT_ADD_QUOTA, GAPBOT_WATCH_CHANNELS) and a fetcher made on first use;
    ValueError if a setting, GAPBOT_ALLOW_PRIVATE_URLS included, is malformed."""
    from corpus.netguard import Reach  # lazy: corpus.netguard loads httpcore

    Reach.from_env(env)  # a bad value stops start-up, not the first add
    return Intake(partial(chat_fetcher, dict(env)), AddPolicy.from_env(env))


class AddWorker:
    """A few threads that run adds, with a bounded queue: a burst of adds never takes an answering thread."""

    def __init__(self, *, workers: int = WORKERS, queued: int = QUEUED):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gapbot-add")
        self._room = threading.BoundedSemaphore(workers + queued)

    def submit(self, work: Callable[..., T], *args: Any) -> Future[T] | None:
        """Run work(*args) on a worker; None, with nothing run, when the queue is full."""
        if not self._room.acquire(blocking=False):
            log.warning("add queue full: an add was turned away")
            return None
        future = self._pool.submit(work, *args)
        future.add_done_callback(lambda _: self._room.release())
        return future

    def shutdown(self) -> None:
        """Finish the adds already running; drop those still waiting."""
        self._pool.shutdown(wait=True, cancel_futures=True)
