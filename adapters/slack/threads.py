"""Reading a Slack thread for a follow-up: gapbot's own messages in it, newest first, for Request.follows.

Slack has no app slash commands inside threads, so a follow-up there is a mention; before it is answered the
thread is read with conversations.replies (channels:history, groups:history, im:history, mpim:history). A
message names the answer it shows by its blocks' block_id (render.answer_id_in) even when it was posted
through a response_url, which returns no ts; otherwise its ts is looked up in the answer log by the core.
"""
from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.render import answer_id_in

log = logging.getLogger(__name__)
THREAD_LIMIT = 50  # messages read from a thread: its start, where the answers being followed up usually are


def earlier_answers(client: WebClient, *, channel: str, thread_ts: str, bot_user: str | None,
                    bot_id: str | None) -> tuple[str, ...]:
    """gapbot's messages in a thread, newest first, each as the answer id it names or else its ts; empty
    (logged) when Slack will not show the thread, so the question is answered as typed."""
    try:
        messages = client.conversations_replies(channel=channel, ts=thread_ts, limit=THREAD_LIMIT)["messages"]
    except SlackApiError as e:
        log.warning("could not read thread %s in %s: %s", thread_ts, channel, e.response.get("error"))
        return ()
    except Exception:  # a follow-up is still answered, as typed
        log.exception("could not read thread %s in %s", thread_ts, channel)
        return ()
    mine = [m for m in messages or [] if is_mine(m, bot_user=bot_user, bot_id=bot_id)]
    return tuple(answer_id_in(m) or str(m.get("ts")) for m in reversed(mine))


def is_mine(message: dict[str, Any], *, bot_user: str | None, bot_id: str | None) -> bool:
    """Whether gapbot posted the message (any bot's, when Slack has not said who gapbot is)."""
    if bot_user or bot_id:
        return (bool(bot_user) and message.get("user") == bot_user) or (
            bool(bot_id) and message.get("bot_id") == bot_id)
    return bool(message.get("bot_id"))
