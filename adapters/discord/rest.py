"""Discord's REST API outside the gateway (the digest's posts): one shared HTTP client and its retry policy.

discord.py carries the bot's own replies over its gateway connection (retried by retry.py); everything gapbot
posts to Discord without it goes through DiscordAPI. Errors become PostError, which says whether the message
may exist after all (definite=False) and when to retry."""
from __future__ import annotations

import threading
import time
from typing import Any, Iterator

import httpx

from bot.digest.deliver import PostError

API_URL = "https://discord.com/api/v10"
MAX_INLINE_WAIT = 2.0  # seconds a rate limit may be waited out within a run
TIMEOUT = 15.0

_http: httpx.Client | None = None
_http_lock = threading.Lock()


def shared_http() -> httpx.Client:
    """One HTTP client for every Discord REST call of the process (building one loads the CA store: slow)."""
    global _http
    with _http_lock:
        if _http is None:
            _http = httpx.Client(timeout=TIMEOUT)
        return _http


class DiscordAPI:
    """The few Discord REST calls the digest needs, with errors turned into PostError."""

    def __init__(self, http: httpx.Client | None = None, *, base_url: str = API_URL,
                 token: str | None = None):
        self.http, self.base_url, self.token = http or shared_http(), base_url.rstrip("/"), token

    def call(self, method: str, url: str, *, safe_retry: bool, auth: bool = True, **kwargs: Any) -> Any:
        """One request; 429s within MAX_INLINE_WAIT are waited out; 5xx retried once only when safe_retry."""
        headers = {"Authorization": f"Bot {self.token}"} if auth and self.token else {}
        for attempt in range(3):
            try:
                r = self.http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as e:
                if safe_retry and attempt == 0:
                    continue
                raise PostError(f"could not reach Discord ({type(e).__name__})", definite=False) from None
            wait = _retry_wait(r, attempt, safe_retry)
            if wait is None:
                return _result(r)
            time.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def channel_messages(self, channel: str, *, after: int) -> Iterator[dict[str, Any]]:
        """Messages of a channel newer than the id after (oldest pages first)."""
        for _ in range(10):
            batch = self.call("GET", f"{self.base_url}/channels/{channel}/messages", safe_retry=True,
                              params={"limit": 100, "after": str(after)})
            if not batch:
                return
            yield from batch
            after = max(int(m["id"]) for m in batch)


def _retry_wait(r: httpx.Response, attempt: int, safe_retry: bool) -> float | None:
    """Seconds to wait before trying again, or None to take the response as it is."""
    if r.status_code == 429 and attempt < 2:
        wait = _retry_after(r)
        return wait if wait <= MAX_INLINE_WAIT else None
    if r.status_code >= 500 and safe_retry and attempt == 0:
        return 0.5
    return None


def _retry_after(r: httpx.Response) -> float:
    try:
        return float(r.json().get("retry_after"))
    except (ValueError, TypeError, AttributeError):
        return float(r.headers.get("retry-after") or 60)


def _result(r: httpx.Response) -> Any:
    if r.status_code < 300:
        return r.json() if r.content else None
    if r.status_code == 429:
        wait = _retry_after(r)
        raise PostError(f"rate limited by Discord (429, retry after {wait:g}s)", retry_after=wait)
    if r.status_code >= 500:
        raise PostError(f"Discord error HTTP {r.status_code}", definite=False)
    try:
        detail = r.json().get("message") or ""
    except ValueError:
        detail = ""
    raise PostError(f"Discord said HTTP {r.status_code}" + (f": {detail[:120]}" if detail else ""))


def message_id(message: Any) -> str:
    """The id of a created message; an answer without one leaves it unknown whether the post went through."""
    if not isinstance(message, dict) or not message.get("id"):
        raise PostError("Discord answered without the created message", definite=False)
    return str(message["id"])
