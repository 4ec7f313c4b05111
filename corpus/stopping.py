"""Stopping an indexing run on Ctrl-C or SIGTERM: between articles, never inside an article's write."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class Interrupted(KeyboardInterrupt):
    """Raised in the indexing thread when SIGINT or SIGTERM arrives outside a write."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StopFlag:
    """Which signal asked the run to stop (None: none did), and whether a write is under way.

    The handler raises Interrupted at once, so a slow fetch or model call stops too, except inside
    `writing()`: there it only records the signal and the run stops after the article has committed, so what
    is reported as added is exactly what landed."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.reason: str | None = None  # why the run stopped early, in words (set by the Ingester)
        self._writing = 0

    def handler(self, signum: int, _frame: object) -> None:
        """The signal handler (installed by stop_on_signals)."""
        self.signum = signum
        if not self._writing:
            raise Interrupted(signum)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A section a signal must not cut: the signal waits for it to end."""
        self._writing += 1
        try:
            yield
        finally:
            self._writing -= 1

    def check(self) -> None:
        """Raise Interrupted if a signal arrived during a write."""
        if self.signum is not None and not self._writing:
            raise Interrupted(self.signum)


@contextmanager
def stop_on_signals(flag: StopFlag) -> Iterator[StopFlag]:
    """Route SIGINT and SIGTERM to `flag` while the block runs (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    old = {s: signal.signal(s, flag.handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield flag
    finally:
        for s, h in old.items():
            signal.signal(s, h)
