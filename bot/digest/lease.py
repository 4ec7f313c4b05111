"""Leases: a row in the digest store that lets only one process post to a destination (or poll the feeds).

A lease expires after its ttl unless renewed; a lease whose holder process on this machine has died is free at
once, so a crashed run does not hold up the next one."""
from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable

import psutil

from corpus.digest_models import utcnow

if TYPE_CHECKING:
    from corpus.digest_store import DigestStore

DEFAULT_TTL = timedelta(minutes=5)


def this_holder() -> str:
    """'host:pid:process-start:random' — names this process, and tells a restarted pid from the old one."""
    start = psutil.Process(os.getpid()).create_time()
    return f"{socket.gethostname()}:{os.getpid()}:{start:.2f}:{secrets.token_hex(3)}"


def holder_dead(holder: str) -> bool:
    """Whether a holder is a process on this machine that no longer runs."""
    host, _, rest = holder.partition(":")
    pid, _, rest = rest.partition(":")
    start = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        proc = psutil.Process(int(pid))
        if proc.status() == psutil.STATUS_ZOMBIE:
            return True
        return abs(proc.create_time() - float(start or 0)) > 1.0
    except (psutil.NoSuchProcess, ValueError):
        return True


class Lease:
    """A named lease held by this process."""

    def __init__(self, store: "DigestStore", name: str, *, holder: str | None = None,
                 ttl: timedelta = DEFAULT_TTL, clock: Callable[[], datetime] = utcnow):
        self.store, self.name, self.ttl, self.clock = store, name, ttl, clock
        self.holder = holder or this_holder()

    def acquire(self) -> bool:
        """Take (or extend) the lease unless another live holder has it."""
        now = self.clock()
        return self.store.acquire_lease(self.name, self.holder, now=now, expires=now + self.ttl,
                                        dead=holder_dead)

    def renew(self) -> bool:
        """Extend the lease if this process still holds it."""
        return self.store.renew_lease(self.name, self.holder, expires=self.clock() + self.ttl)

    def release(self) -> None:
        """Give the lease up."""
        self.store.release_lease(self.name, self.holder)
