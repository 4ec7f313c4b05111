"""The 👍/👎 and "Share with channel" buttons under Slack answers: block_actions payloads in, the core's
feedback functions (bot/feedback.py) called, their replies sent back through the payload's response_url."""
from __future__ import annotations

import logging
import re
import threading
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.deliver import Target, attach_chart, post_response
from adapters.slack.render import MAX_BLOCKS, SHARE, VOTE_DOWN, VOTE_UP, Message, render
from bot import feedback
from bot.core import Door
from bot.reply import Reply
from corpus.answer_log import DOWN, UP

log = logging.getLogger(__name__)
VOTES = {VOTE_UP: UP, VOTE_DOWN: DOWN}
SHARED_MESSAGES = 4  # a response_url takes five posts: the shared answer's, then deleting the private one
_USER = re.compile(r"^[A-Z0-9]+$")


def listen(app: App, door: Door) -> None:
    """Register the button listeners: ack at once, then answer from one of Bolt's workers."""
    buttons = FeedbackButtons(door)
    for action_id in VOTES:
        app.action(action_id)(ack=_ack, lazy=[buttons.vote])
    app.action(SHARE)(ack=_ack, lazy=[buttons.share])


def _ack(ack: Ack) -> None:
    ack()


class FeedbackButtons:
    """What a click on one of the buttons does; each click is one call to the core."""

    def __init__(self, door: Door):
        self.door = door
        self._shared: set[str] = set()
        self._lock = threading.Lock()

    def vote(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """👍 or 👎: keep the clicking user's vote (a second click changes it), and thank them privately."""
        reply = feedback.vote(self.door, answer_id=str(action.get("value") or ""), user=_user(body),
                              value=VOTES[action["action_id"]], platform="slack")
        self._say(body, reply.title)

    def share(self, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Post the answer for the whole channel, once, saying who shared it; remove the private one."""
        answer_id, url = str(action.get("value") or ""), body.get("response_url")
        if not url or not self._first_share(answer_id):
            return
        reply = feedback.share(self.door, answer_id=answer_id, platform="slack")
        if reply.private:
            self._say(body, reply.title)
            return
        try:
            for message in shared_messages(reply, _user(body)):
                post_response(url, {**message, "response_type": "in_channel", "replace_original": False})
            post_response(url, {"delete_original": True})
            if reply.image is not None:
                attach_chart(client, reply, Target(channel=_channel(body), response_url=url))
        except SlackApiError as e:
            log.warning("Slack refused the shared answer: %s", e.response.get("error"))

    def _first_share(self, answer_id: str) -> bool:
        """True the first time an answer is shared (two quick clicks post it once)."""
        with self._lock:
            first = answer_id not in self._shared
            self._shared.add(answer_id)
            return first

    def _say(self, body: dict[str, Any], text: str) -> None:
        url = body.get("response_url")
        if url:
            post_response(url, {"response_type": "ephemeral", "replace_original": False, "text": text})


def shared_messages(reply: Reply, user: str) -> list[Message]:
    """The answer's messages, the first saying who shared it (under the title)."""
    messages = render(reply, max_messages=SHARED_MESSAGES)
    if _USER.match(user) and len(messages[0]["blocks"]) < MAX_BLOCKS:
        note = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by <@{user}>"}]}
        first = messages[0]["blocks"]
        messages[0] = {**messages[0], "blocks": first[:1] + [note] + first[1:]}
    return messages


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _channel(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or "")
