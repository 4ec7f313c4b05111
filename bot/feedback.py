"""Feedback on answers: which replies carry 👍/👎 (and "Share with channel"), a vote, a share.

Adapters only convert a button click into a call here and render the Reply it returns; the vote is kept in the
answer log with the answer it rates (its question, reply text and cited sentence ids are already there)."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timezone

from bot.core import Door
from bot.reply import Reply, Request
from corpus.answer_log import DOWN, UP, AnswerLog, AnswerRecord

log = logging.getLogger(__name__)

# Answers drawn from the articles. Not /help, /sources, /digest or /add: a vote on those says nothing about
# what the corpus is missing.
ASKING = ("ask", "gap", "who")
UNKNOWN = "I no longer have that answer on record, so I could not keep your vote. Ask again to rate it."
THANKS = {UP: "Thanks — noted 👍.",
          DOWN: "Thanks — noted 👎. Answers voted down are listed for whoever runs this bot, to show what "
                "the articles are missing."}


def votable(reply: Reply) -> bool:
    """Whether a reply gets 👍/👎 buttons: an answer from the articles, kept in the answer log."""
    return reply.answered and reply.answer_id is not None and reply.command in ASKING


def shareable(reply: Reply) -> bool:
    """Whether a reply gets "Share with channel": a votable answer only its asker sees."""
    return votable(reply) and reply.ephemeral


def vote(door: Door, *, answer_id: str, user: str, value: int, platform: str) -> Reply:
    """Keep (or change) a user's vote on an answer; the private reply that says so."""
    answers = _answers(door)
    record = answers.get(answer_id) if answers is not None else None
    if answers is None or record is None or record.platform != platform:
        return _private(UNKNOWN)
    answers.vote(answer_id, user, value, at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    log.info("user %s voted %+d on answer %s", user, value, answer_id)
    return _private(THANKS[value])


def share(door: Door, *, answer_id: str, platform: str) -> Reply:
    """The answer asked again where it was asked, for everyone there to see; a private note if it cannot be.

    The answer log keeps an answer's text, not its structure, so the question is answered again (the same
    corpus gives the same answer) and the public copy is an answer of its own, with its own buttons."""
    answers = _answers(door)
    record = answers.get(answer_id) if answers is not None else None
    if record is None or record.platform != platform:
        return _private("I no longer have that answer on record. Ask again to share it.")
    reply = door.answer(_asked_again(record))
    if not reply.answered:
        return _private("The articles no longer give that answer, so there is nothing to share.")
    return replace(reply, ephemeral=False)


def _asked_again(record: AnswerRecord) -> Request:
    return Request(record.question, platform=record.platform, user=record.user, channel=record.channel,
                   space=record.space, thread=record.thread, direct=False)


def _answers(door: Door) -> AnswerLog | None:
    return getattr(door.current_corpus(), "answer_log", None)


def _private(text: str) -> Reply:
    return Reply(command="feedback", title=text, ephemeral=True)
