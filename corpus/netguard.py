"""Where a fetch may connect, and how long it may take: the network layer under corpus.fetch.

Every connection resolves its host once, checks every address it got, and connects to the checked address (so
a second DNS answer cannot move it); every read and write is held to one deadline for the whole fetch, in
slices short enough that a shutdown stops it within a second.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpcore

from corpus.documents import Rejected

ENV = "GAPBOT_ALLOW_PRIVATE_URLS"
SLICE = 0.5  # seconds: the longest a socket wait runs before the deadline and the stop switch are looked at
IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_stopping = threading.Event()


def stop_all() -> None:
    """Make every fetch in this process give up within a second (SIGTERM, Ctrl-C)."""
    _stopping.set()


class OutOfTime(Exception):
    """The fetch's overall deadline passed."""


class Stopped(Exception):
    """The process is shutting down."""


@dataclass(frozen=True)
class Reach:
    """Which non-public addresses a fetch may connect to; by default none."""

    private: bool = False  # RFC 1918, CGNAT, unique-local IPv6, documentation ranges, and loopback
    link_local: bool = False  # 169.254.0.0/16 and fe80::/10: cloud metadata services answer there

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Reach:
        """GAPBOT_ALLOW_PRIVATE_URLS: unset or 0 public only; 1 also
        private and loopback; all also link-local."""
        value = env.get(ENV, "").strip().lower()
        if value in ("", "0", "false", "no"):
            return cls()
        if value in ("1", "true", "yes"):
            return cls(private=True)
        if value == "all":
            return cls(private=True, link_local=True)
        raise ValueError(f"{ENV} must be 1 (private and loopback addresses) or all (link-local too), "
                         f"not {value[:20]!r}")

    def refusal(self, ip: IP) -> str | None:
        """None if ip may be fetched, else why not."""
        kind = address_kind(ip)
        if kind == "public" or (kind in ("private", "loopback") and self.private) or \
                (kind == "link-local" and self.link_local):
            return None
        if kind == "reserved":
            return f"{ip} is not a unicast address"
        opt_in = "all" if kind == "link-local" else "1"
        return f"{ip} is a {kind} address (set {ENV}={opt_in} to allow it)"


def address_kind(ip: IP) -> str:
    """public, private, loopback, link-local or reserved; an IPv4 address inside IPv6 counts as itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
                                                   if ip in _NAT64 else None)
        if inner is not None:
            return address_kind(inner)
        if ip.teredo:
            return "reserved"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return "reserved"
    return "public" if ip.is_global else "private"


def resolve(host: str, port: int, reach: Reach, clock: Clock) -> str:
    """The one address to connect to: every address the host resolves to must be allowed."""
    infos = _lookup(host, port, clock)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for a in addresses:
        if (why := reach.refusal(ipaddress.ip_address(a))) is not None:
            raise Rejected(f"refused {host[:80]}: {why}")
    return addresses[0]


def _lookup(host: str, port: int, clock: Clock) -> list[Any]:
    """getaddrinfo within the fetch's deadline (it has no timeout of its
    own, so it runs in a helper thread)."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as e:
            box["error"] = e

    helper = threading.Thread(target=work, name="gapbot-dns", daemon=True)
    helper.start()
    while helper.is_alive():
        helper.join(min(SLICE, clock.left()))
    if "error" in box:
        raise Rejected(f"cannot resolve {host[:80]} ({box['error'].__class__.__name__})")
    return list(box["infos"])


class Clock:
    """The deadline of the fetch running in each thread (one Fetcher may serve several threads)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def start(self, seconds: float) -> None:
        """Begin a fetch that must finish within seconds."""
        self._local.deadline = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; raises OutOfTime or Stopped when there is nothing left to wait for."""
        if _stopping.is_set():
            raise Stopped()
        left = getattr(self._local, "deadline", float("inf")) - time.monotonic()
        if left <= 0:
            raise OutOfTime()
        return left

    def cap(self, timeout: float | None) -> float:
        """A socket timeout no longer than what is left."""
        return min(self.left(), timeout if timeout is not None else float("inf"))


class TimedStream(httpcore.NetworkStream):
    """A connection whose reads wait in short slices, so the overall deadline and the stop switch hold."""

    def __init__(self, inner: httpcore.NetworkStream, clock: Clock):
        self.inner, self.clock = inner, clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read as the server sends; ReadTimeout after timeout, OutOfTime at the deadline."""
        until = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            wait = min(SLICE, self.clock.left(), until - time.monotonic())
            try:
                return self.inner.read(max_bytes, max(wait, 0.001))
            except httpcore.ReadTimeout:
                if time.monotonic() >= until:
                    raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send within the deadline."""
        self.inner.write(buffer, self.clock.cap(timeout))

    def close(self) -> None:
        """Close the connection."""
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        """TLS with the host's own name (SNI and certificate), though the
        socket went to its checked address."""
        return TimedStream(self.inner.start_tls(ssl_context, server_hostname, self.clock.cap(timeout)),
                           self.clock)

    def get_extra_info(self, info: str) -> Any:
        """As the wrapped stream."""
        return self.inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Opens connections only to allowed addresses, resolved once per connection."""

    def __init__(self, reach: Reach, clock: Clock):
        self.reach, self.clock = reach, clock
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        """Connect to the checked address of host (the Host header and TLS name stay host)."""
        address = resolve(host, port, self.reach, self.clock)
        stream = self.inner.connect_tcp(address, port, timeout=self.clock.cap(timeout),
                                        local_address=local_address, socket_options=socket_options)
        return TimedStream(stream, self.clock)

    def sleep(self, seconds: float) -> None:
        """As the standard backend."""
        time.sleep(seconds)
