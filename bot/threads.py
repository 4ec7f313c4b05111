"""Thread follow-ups at the door: which earlier answers a request follows, and what it means after them.

An adapter hands the door the ids of gapbot's messages (or answers) earlier in the conversation as
Request.follows; the door looks them up in the answer log (or, when the platform gave none, takes the answers
given in the request's thread) and reads the request with the rules of bot/followup.py. A follow-up that
carries a subject becomes the request it means, and its reply says so in a first line; "why?" is answered
here, with the context of the last sentence the previous answer quoted.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot import followup
from bot.cite import Citer
from bot.registry import typed
from bot.reply import TYPED, Reply, Request, Section
from corpus.answer_log import AnswerLog, AnswerRecord

if TYPE_CHECKING:
    from corpus.api import Corpus

log = logging.getLogger(__name__)
LOOK_BACK = 10  # earlier answers a follow-up may reach back to
WHY = "why"  # the command name a "why?" reply is kept under in the answer log (it carries no subject)
SOURCES = "\n\nSources:\n"  # where a reply's plain text starts listing its sources (titles, not what it said)


@dataclass(frozen=True)
class Carried:
    """A request as the door should answer it: rewritten with the subject it carries (and a note saying so),
    or already answered (a "why?")."""

    request: Request
    reply: Reply | None = None
    note: str | None = None


def carry(request: Request, corpus: Corpus, *, said: str) -> Carried:
    """The request read as a follow-up of the answers before it in its conversation; as it came when it is
    not a follow-up, or follows nothing. `said` is its text without the bot's mention."""
    answers: AnswerLog | None = getattr(corpus, "answer_log", None)
    asked = followup.read(said)
    # only what was said to gapbot follows up: a shared or overheard message is links to add
    if asked is None or answers is None or request.via != TYPED or not (request.follows or request.thread):
        return Carried(request)
    try:
        earlier = earlier_answers(request, answers)
    except Exception:  # the question is still answered, as typed
        log.exception("could not read the answers before a follow-up in %s", request.channel)
        return Carried(request)
    if not earlier:
        return Carried(request)
    if asked.kind == "why":
        return Carried(request, reply=why(request, corpus, earlier))
    meant = _meant(asked, said, corpus, earlier)
    if meant is None:
        return Carried(request)
    previous, text = meant
    shown = typed(text if text.startswith("/") else f"“{text}”", request.platform)
    note = f"(following up on {typed('/' + previous.command, request.platform)}: {shown})"
    return Carried(replace(request, text=text, follows=()), note=note)


def _meant(asked: followup.FollowUp, said: str, corpus: Corpus,
           earlier: list[AnswerRecord]) -> tuple[AnswerRecord, str] | None:
    """The earlier answer a follow-up carries its subject from, and the request it then means."""
    if asked.kind == "more":
        previous = next((a for a in earlier if a.command in followup.CARRIES), None)
        text = previous and followup.carried(previous.command, previous.args, asked.subject)
        return (previous, text) if previous and text else None
    for answer in earlier:
        if answer.answered and (person := person_named(corpus, answer)):
            return answer, followup.resolve_pronouns(said, person)
    return None


def earlier_answers(request: Request, answers: AnswerLog) -> list[AnswerRecord]:
    """The answers a request follows, newest first: those its follows name (gapbot's own, in this
    conversation), else the ones given in its thread."""
    found: dict[str, AnswerRecord] = {}
    for ref in request.follows[:LOOK_BACK]:
        answer = answers.get(ref) or (answers.by_message(request.platform, request.channel, ref)
                                      if request.channel else None)
        if answer is not None and _here(answer, request):
            found.setdefault(answer.id, answer)
    if found or not (request.thread and request.channel):
        return list(found.values())
    return answers.in_thread(request.platform, request.channel, request.thread, limit=LOOK_BACK)


def _here(answer: AnswerRecord, request: Request) -> bool:
    """Whether an answer was given in this conversation (a Discord thread's first message is in its
    channel)."""
    return answer.platform == request.platform and answer.channel in (request.channel, request.parent)


def person_named(corpus: Corpus, answer: AnswerRecord) -> str | None:
    """Who "she" or "he" means after an answer: the person its question named (the asker's own subject), else
    the last person the answer named."""
    for text in (answer.args, answer.text.split(SOURCES)[0]):
        people = corpus.people_in(text)
        if people:
            return people[-1].name
    return None


def why(request: Request, corpus: Corpus, earlier: list[AnswerRecord]) -> Reply:
    """The context of the last sentence the previous answer quoted, with its citation."""
    previous = next((a for a in earlier if a.cited), None)
    if previous is None:
        return Reply(command=WHY, title="My last answer here quoted no sentence, so there is no source to "
                     "show.", answered=False, ephemeral=True)
    cited = previous.cited[-1]
    near = corpus.sentences_near(cited.sentence_id) if cited.sentence_id is not None else []
    if not any(f.sentence_id == cited.sentence_id for f in near):
        return Reply(command=WHY, title="The sentence my last answer quoted is no longer in the corpus.",
                     answered=False, ephemeral=True)
    citer = Citer(corpus)
    n = citer.cite(cited.article_id, cited.quote)
    text = " ".join(f"“{f.text}” [{n}]" if f.sentence_id == cited.sentence_id else f.text for f in near)
    command = typed("/" + previous.command, request.platform)
    note = f"(following up on {command}: where its last quote comes from)"
    return Reply(command=WHY, title=f"Why: the last sentence quoted [{n}], in its context", sections=[
        Section(note), Section(text, heading=citer.citations[0].title)], citations=citer.citations,
        data={"follows": previous.id, "sentence_id": cited.sentence_id, "context": [f.text for f in near]})


def noted(reply: Reply, note: str | None) -> Reply:
    """The reply with the note of what a follow-up was read as, as its first line under the title."""
    return reply if note is None else replace(reply, sections=[Section(note), *reply.sections])
