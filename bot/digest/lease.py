"""Leases: a row in the database that lets only one process post to a destination (or poll the feeds).

A lease expires after its ttl unless renewed; a lease whose holder process on this machine has died is free at
once, so a crashed run does not hold up the next one."""
from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable

import psutil

from bot.digest.model import iso, utcnow

if TYPE_CHECKING:
    from corpus.store import Store

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

    def __init__(self, store: "Store", name: str, *, holder: str | None = None, ttl: timedelta = DEFAULT_TTL,
                 clock: Callable[[], datetime] = utcnow):
        self.store, self.name, self.ttl, self.clock = store, name, ttl, clock
        self.holder = holder or this_holder()

    def acquire(self) -> bool:
        """Take (or extend) the lease unless another live holder has it."""
        now = self.clock()
        with self.store.transaction() as conn:
            row = conn.execute("SELECT holder, expires_at FROM digest_leases WHERE name = ?",
                               [self.name]).fetchone()
            if row and row[0] != self.holder and row[1] > iso(now) and not holder_dead(row[0]):
                return False
            conn.execute("INSERT INTO digest_leases(name, holder, expires_at) VALUES (?,?,?) "
                         "ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, "
                         "expires_at = excluded.expires_at",
                         [self.name, self.holder, iso(now + self.ttl)])
        return True

    def renew(self) -> bool:
        """Extend the lease if this process still holds it."""
        cur = self.store.db.execute("UPDATE digest_leases SET expires_at = ? WHERE name = ? AND holder = ?",
                                    [iso(self.clock() + self.ttl), self.name, self.holder])
        return cur.rowcount == 1

    def release(self) -> None:
        """Give the lease up."""
        self.store.db.execute("DELETE FROM digest_leases WHERE name = ? AND holder = ?",
                              [self.name, self.holder])
