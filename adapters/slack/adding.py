"""Adding from Slack: adds run on the add worker and post their reply when done; links read from a whole
message (text, unfurls, blocks) for the "Add to gapbot" shortcut and watched channels; and an overheard
message's marks put on it as reactions, the reason for a refusal posted to the poster alone."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.adding import BUSY, AddWorker
from adapters.slack.deliver import Target, deliver
from adapters.slack.markup import with_addresses
from bot.core import Admission
from bot.reply import Reply
from bot.watch import ADDED, DUPLICATE, REFUSED

log = logging.getLogger(__name__)
SHORTCUT = "add_to_gapbot"  # the callback_id of the "Add to gapbot" message shortcut
SHORTCUT_NAME = "Add to gapbot"
EMOJI = {ADDED: "white_check_mark", DUPLICATE: "recycle", REFUSED: "warning"}  # ✅ ♻️ ⚠️
_LINK_FIELDS = ("original_url", "from_url", "title_link")  # where an unfurl (attachment) keeps its link


def message_text(message: dict[str, Any]) -> str:
    """A message's text with its links as addresses, then the links of its unfurls and rich-text blocks."""
    parts = [with_addresses(message.get("text") or "")]
    for attachment in message.get("attachments") or []:
        parts += [str(attachment[k]) for k in _LINK_FIELDS if attachment.get(k)]
    parts += list(_block_links(message.get("blocks") or []))
    return " ".join(p for p in parts if p)


def _block_links(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "link" and isinstance(node.get("url"), str):
            yield node["url"]
        for value in node.values():
            yield from _block_links(value)
    elif isinstance(node, list):
        for value in node:
            yield from _block_links(value)


class SlackAdding:
    """Runs adds on the add worker: a command's or shortcut's reply posted when done, an overheard message
    marked."""

    def __init__(self, worker: AddWorker):
        self.worker = worker

    def later(self, admission: Admission, target: Target, client: WebClient) -> None:
        """Fetch and index on the add worker, then post the reply where target says (busy: say so now)."""
        if self.worker.submit(self._deliver, admission, target, client) is None:
            deliver(client, BUSY, target)

    def _deliver(self, admission: Admission, target: Target, client: WebClient) -> None:
        try:
            deliver(client, admission.reply(), target)
        except SlackApiError as e:
            log.warning("Slack refused the add reply in %s: %s", target.channel, e.response.get("error"))
        except Exception:  # a worker thread: the log is the only place anyone hears of it
            log.exception("adding in %s failed", target.channel)

    def overheard(self, admission: Admission, target: Target, ts: str, client: WebClient) -> None:
        """A message posted in a channel: nothing, or its links added on the add worker and the marks put on
        it (a refusal at the door is marked at once; the reason is said once)."""
        if admission.ignored:
            return
        if admission.refusal is not None:
            self._mark(admission.refusal, target, ts, client, explain=not admission.repeat)
        elif self.worker.submit(self._add_and_mark, admission, target, ts, client) is None:
            self._mark(replace(BUSY, reactions=[REFUSED]), target, ts, client, explain=True)

    def _add_and_mark(self, admission: Admission, target: Target, ts: str, client: WebClient) -> None:
        try:
            self._mark(admission.reply(), target, ts, client, explain=True)
        except Exception:  # a worker thread: the log is the only place anyone hears of it
            log.exception("adding a link posted in %s failed", target.channel)

    def _mark(self, reply: Reply, target: Target, ts: str, client: WebClient, *, explain: bool) -> None:
        """React with the reply's marks; unless they say it all, post the reply to the poster alone."""
        for mark in reply.reactions:
            try:
                client.reactions_add(channel=target.channel, timestamp=ts, name=EMOJI[mark])
            except SlackApiError as e:  # e.g. already_reacted, or no reactions:write
                log.warning("could not react in %s: %s", target.channel, e.response.get("error"))
        if explain and not reply.reacts_only:
            try:
                deliver(client, reply, target)  # private: an ephemeral only the poster sees
            except SlackApiError as e:
                log.warning("could not tell the poster in %s: %s", target.channel, e.response.get("error"))
