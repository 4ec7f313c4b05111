"""Sending through dropped connections and timeouts. discord.py itself waits out 429s and retries 5xx answers,
but a connection reset or closed by Discord, or a request that never comes back, reaches us as an error."""
from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 4
TIMEOUT = 30.0  # seconds for one attempt (aiohttp's own default is five minutes)
BACKOFF = 0.5  # seconds before the first retry, doubling each time, with jitter
RETRYABLE = (aiohttp.ClientConnectionError, asyncio.TimeoutError)


async def retrying(send: Callable[[], Awaitable[T]], *, what: str = "message") -> T:
    """Await send(), again after a dropped connection or a timeout, with exponential backoff.

    A retried post can land twice if Discord had processed the lost attempt: channel messages are sent with
    a nonce Discord enforces, so they cannot; interaction follow-ups have no such key.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await asyncio.wait_for(send(), TIMEOUT)
        except RETRYABLE as e:
            if attempt == ATTEMPTS:
                raise
            delay = BACKOFF * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
            log.warning("sending a %s to Discord failed (%s); retry %d in %.1f s", what, type(e).__name__,
                        attempt, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
