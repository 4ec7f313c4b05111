"""Posting a rendered reply: the response_url of a slash command, a mention's thread, or a DM."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from http.client import RemoteDisconnected
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, RetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from adapters.slack.render import Message, render
from bot.reply import Reply

log = logging.getLogger(__name__)
TIMEOUT = 30  # seconds for one Web API or response_url request
BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=0.5)  # 0.5 s, 1 s, 2 s, each plus up to 1 s of jitter
CHART_HINT = "I couldn't attach the chart here. Invite me to this channel (`/invite @gapbot`) to see it."


@dataclass(frozen=True)
class Target:
    """Where a reply goes: a channel, the asker, maybe a thread, and the response_url of a slash command."""

    channel: str
    user: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None
    is_dm: bool = False
    team: str | None = None  # the workspace (or Enterprise Grid org) the request came from


def retry_handlers() -> list[RetryHandler]:
    """Retry 429s after Retry-After seconds; 500/503s, dropped connections and timeouts with backoff."""
    # A timed-out post may have landed and be posted twice; at 30 s a timeout is rare, a lost answer is worse.
    dropped = ConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=BACKOFF, error_types=[
        URLError, ConnectionResetError, RemoteDisconnected, TimeoutError])
    return [RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=3, interval_calculator=BACKOFF), dropped]


def web_client(token: str | None, api_url: str | None = None, *, timeout: int = TIMEOUT,
               retrying: bool = True) -> WebClient:
    """A Web API client for the bot token, at api_url (default Slack's),
    retrying as above unless not retrying."""
    base = (api_url.rstrip("/") + "/") if api_url else WebClient.BASE_URL
    return WebClient(token=token, base_url=base, timeout=timeout,
                     retry_handlers=retry_handlers() if retrying else [])


def deliver(client: WebClient, reply: Reply, target: Target, *,
            posted: Callable[[str], None] | None = None) -> None:
    """Post every message of the reply where it belongs, then the chart, if any, beside it. `posted` is told
    the ts of the first message when it is an ordinary post (an ephemeral or a response_url post has none)."""
    private = reply.private
    for i, message in enumerate(render(reply)):
        ts = send(client, message, target, private=private)
        if i == 0 and ts and posted is not None:
            posted(ts)
    if reply.image is not None and not private:
        attach_chart(client, reply, target)


def send(client: WebClient, message: Message, target: Target, *, private: bool) -> str | None:
    """One message: through the response_url, as an ephemeral, or as an ordinary post (its ts returned)."""
    if target.response_url:
        post_response(target.response_url,
                      {**message, "response_type": "ephemeral" if private else "in_channel"})
    elif private and not target.is_dm and target.user:
        client.chat_postEphemeral(channel=target.channel, user=target.user, thread_ts=target.thread_ts,
                                  **message)
    else:
        # in a DM an ephemeral would vanish on reload, and only the asker sees the DM anyway
        posted = client.chat_postMessage(channel=target.channel, thread_ts=target.thread_ts,
                                         unfurl_links=False, unfurl_media=False, **message)
        return str(posted.get("ts") or "") or None
    return None


def post_response(url: str, payload: dict[str, Any]) -> None:
    """POST a message to a slash command's response_url, retrying like the Web API client."""
    response = WebhookClient(url, timeout=TIMEOUT, retry_handlers=retry_handlers()).send_dict(payload)
    if response.status_code != 200:
        log.warning("response_url answered %s: %s", response.status_code, response.body[:200])


def attach_chart(client: WebClient, reply: Reply, target: Target) -> None:
    """Upload the reply's image to the conversation (and thread); say so privately if Slack refuses."""
    image = reply.image
    assert image is not None
    try:
        client.files_upload_v2(channel=target.channel, thread_ts=target.thread_ts, file=image.data(),
                               filename=image.filename, title=image.title or reply.title)
    except SlackApiError as e:
        log.warning("chart upload refused: %s", e.response.get("error"))
        if target.response_url:
            post_response(target.response_url, {"response_type": "ephemeral", "text": CHART_HINT})
    except Exception:
        log.exception("chart upload failed")
