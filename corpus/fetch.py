"""The one HTTP fetcher for every outbound request (feeds, article pages, links shared in chat).

http(s) only; every hop's address checked and pinned (corpus.netguard); one deadline for connect, headers and
body together; redirects followed one at a time, each re-checked, at most max_redirects; the body decoded as
it streams, with the size cap on the decoded bytes and at most one content-encoding layer.

No maintained library does this for a synchronous client: the SSRF-safe httpx wrappers on PyPI (httpx-secure,
safehttpx, drawbridge) are async-only, and advocate wraps requests and has had no release since
2020; none bounds the whole fetch by one deadline or caps decoded bytes. So this is httpx with
its network layer replaced.
"""
from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpcore
import httpx

from corpus.documents import MAX_BYTES, Rejected
from corpus.netguard import Clock, OutOfTime, PinnedBackend, Reach, Stopped, stop_all

__all__ = ["Fetcher", "Getter", "Reach", "Response", "stop_all"]
USER_AGENT = "gapbot/0.1 (+https://github.com/; article indexer)"
_WBITS = {"gzip": 31, "x-gzip": 31, "deflate": 15}


@dataclass(frozen=True)
class Response:
    """A fetched body, already decoded, with the final URL after redirects."""

    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool that connects only through PinnedBackend."""

    def __init__(self, backend: PinnedBackend):
        super().__init__(trust_env=False)
        # httpx takes no network backend, so its pool is replaced by the same httpcore pool given one
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=backend,
                                             max_connections=20, max_keepalive_connections=10)


class Getter(Protocol):
    """What indexing needs from a fetcher: Fetcher itself, or a stand-in
    that answers some URLs its own way."""

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """Fetch url; raise Rejected with a one-line reason on any failure."""
        ...


class Fetcher:
    """GET with every safety limit; raises Rejected with a one-line reason on any failure or refusal."""

    def __init__(self, *, reach: Reach | None = None, timeout: float = 10.0, max_redirects: int = 5,
                 deadline: float = 60.0, max_bytes: int = MAX_BYTES):
        self.clock = Clock()
        self.deadline, self.max_redirects, self.max_bytes = deadline, max_redirects, max_bytes
        backend = PinnedBackend(reach or Reach(), self.clock)
        self.client = httpx.Client(transport=_PinnedTransport(backend), timeout=timeout, trust_env=False,
                                   follow_redirects=False,
                                   headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})

    @classmethod
    def from_env(cls, env: Mapping[str, str], **options: Any) -> Fetcher:
        """A fetcher whose reach GAPBOT_ALLOW_PRIVATE_URLS sets (ValueError on a value it does not know)."""
        return cls(reach=Reach.from_env(env), **options)

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """Fetch url (following redirects); raise Rejected with a one-line reason on any failure."""
        self.clock.start(self.deadline)
        try:
            return self._follow(url, headers or {})
        except OutOfTime:
            raise Rejected(f"took over {self.deadline:g} s fetching {url[:200]}") from None
        except Stopped:
            raise Rejected("stopped: gapbot is shutting down") from None
        except httpx.TimeoutException:
            raise Rejected(f"timed out fetching {url[:200]}") from None
        except httpx.InvalidURL:
            raise Rejected(f"not a valid URL: {url[:120]}") from None
        except httpx.HTTPError as e:
            raise Rejected(f"could not fetch {url[:200]}: {type(e).__name__}") from None
        finally:
            self.clock.start(float("inf"))

    def close(self) -> None:
        """Close pooled connections."""
        self.client.close()

    def _follow(self, url: str, headers: dict[str, str]) -> Response:
        for _ in range(self.max_redirects + 1):
            check_url(url)
            with self.client.stream("GET", url, headers=headers) as r:
                if r.is_redirect and r.headers.get("location"):
                    url = str(r.url.join(r.headers["location"]))
                    continue
                return self._read(r)
        raise Rejected(f"too many redirects (over {self.max_redirects}), last to {url[:200]}")

    def _read(self, r: httpx.Response) -> Response:
        if r.status_code >= 400:
            raise Rejected(f"HTTP {r.status_code} from {str(r.url)[:200]}")
        body = bytearray()
        if r.status_code != 304:
            decoder = Decoder(r.headers.get("content-encoding", ""), self.max_bytes)
            for chunk in r.iter_raw():
                body += decoder.feed(chunk)
            body += decoder.flush()
        return Response(str(r.url), r.status_code, r.headers, bytes(body))


def check_url(url: str) -> None:
    """Rejected unless url is http(s) with a host."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Rejected(f"not an http(s) URL: {url[:120]}")


class Decoder:
    """Undoes at most one content encoding as the body streams in, never holding more than the cap."""

    def __init__(self, encoding: str, cap: int):
        codings = [c.strip().lower() for c in encoding.split(",")
                   if c.strip().lower() not in ("", "identity")]
        if len(codings) > 1:
            raise Rejected(f"refused: more than one content encoding ({encoding[:60]})")
        if codings and codings[0] not in _WBITS:
            raise Rejected(f"refused: unsupported content encoding {codings[0][:30]}")
        self.wbits = _WBITS[codings[0]] if codings else None
        self.z = zlib.decompressobj(self.wbits) if self.wbits else None
        self.cap, self.size = cap, 0

    def feed(self, data: bytes) -> bytes:
        """The decoded bytes of one raw chunk; Rejected once the decoded total passes the cap."""
        if self.z is None:
            return self._count(data)
        out = bytearray()
        try:
            while data:
                out += self._count(self.z.decompress(data, self.cap - self.size + 1))
                data = self.z.unconsumed_tail
                if self.z.eof and self.z.unused_data:  # gzip allows members one after another
                    data, self.z = self.z.unused_data, zlib.decompressobj(self.wbits or 15)
        except zlib.error:
            raise Rejected("could not decode the compressed body") from None
        return bytes(out)

    def flush(self) -> bytes:
        """Whatever the decompressor still holds."""
        return self._count(self.z.flush()) if self.z is not None else b""

    def _count(self, piece: bytes) -> bytes:
        self.size += len(piece)
        if self.size > self.cap:
            raise Rejected(f"over {self.cap / (1 << 20):g} MB decoded")
        return piece
