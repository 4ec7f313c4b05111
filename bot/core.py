"""The door: handle(request, corpus) -> Reply, the one way into gapbot, and the Door an adapter keeps.

A request passes, in order: the access rules and rate limit (bot.guard), admin rights for a command that
needs them, the command itself, then the footer. Adapters convert payloads to Requests and render Replies,
nothing else.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Union

import bot.commands  # noqa: F401  (importing the package registers every command)
from bot.commands.help import overview
from bot.context import Context
from bot.guard import Guard
from bot.intake import Intake
from bot.registry import COMMANDS, ENTRY, Command, registered, typed
from bot.reply import OVERHEARD, SHARED, TYPED, Reply, Request, Section, UserError
from bot.text import clean_text, safe_echo
from bot.threads import carry, noted
from bot.watch import REFUSED, marked, overheard_add, shared_add
from corpus.answer_log import AnswerRecord, Cited

if TYPE_CHECKING:
    from corpus.api import Corpus

log = logging.getLogger(__name__)

Answer = Callable[[Request], Reply]  # what answers an admitted request: the commands, or a test's script
CorpusSource = Union["Corpus", Callable[[], "Corpus"]]  # a callable while the corpus is still opening
MAX_ARGS = 500  # characters of an argument the core reads; the rest is ignored (and said so)
FOOTER_PLATFORMS = frozenset({"discord"})  # Discord's embeds end in a footer line; Slack's blocks show none
UNLOGGED_PLATFORMS = frozenset({"console"})  # a script's questions are its own; chat answers are remembered
_MENTION = re.compile(r"^\s*(?:<@[!&]?[A-Za-z0-9]+(?:\|[^>]*)?>\s*)+")
_WHO_IS = re.compile(r"^(?:who|what)\s*(?:is|are|was|'s)\s+(?P<name>[^?]{1,80}?)\s*\??$", re.I)


def commands() -> list[Command]:
    """Every chat command, in registration order (adapters register these in a loop)."""
    return registered()


def parse(text: str) -> tuple[str, str, bool]:
    """Split typed text into (command name, argument, inferred); a bare question means ask, and
    '/gap NAME ARGS' means /NAME ARGS for any other command (Slack's one slash command reaches them all)."""
    name, args, inferred = _split(text)
    if name == ENTRY and not inferred:
        sub, *rest = args.split(maxsplit=1) or [""]
        if sub.lower() in COMMANDS and sub.lower() != ENTRY:
            return sub.lower(), "".join(rest), False
    return name, args, inferred


def _split(text: str) -> tuple[str, str, bool]:
    text = _MENTION.sub("", clean_text(text))
    if not text:
        return "help", "", True
    head, _, rest = text.partition(" ")
    if head.startswith("/") or head.startswith("!"):
        return head[1:].lower(), rest.strip(), False
    m = _WHO_IS.match(text)
    if m and len(m["name"].split()) <= 5:
        return "who", m["name"], head.lower() != "who"
    if head.lower() in COMMANDS:
        return head.lower(), rest.strip(), False
    return "ask", text, True


def handle(request: Request, corpus: Corpus, *, guard: Guard | None = None,
           intake: Intake | None = None) -> Reply:
    """Answer one request through the door (with a guard, its access rules apply first; with an intake, /add
    can fetch). Never raises: user errors and bugs both become short replies."""
    return Door(corpus, guard=guard, intake=intake).handle(request)


@dataclass(frozen=True)
class Admission:
    """The door's verdict on a request: a refusal to send at once, or the way on to its answer."""

    door: Door
    request: Request
    refusal: Reply | None = None
    repeat: bool = False  # the refusal was said before; say it again only where silence is not an option
    ignored: bool = False  # an overheard message that is not for gapbot: do nothing at all

    @property
    def fetches(self) -> bool:
        """Whether answering fetches from the web (/add): run it on the add worker, apart from the answers."""
        return self.refusal is None and not self.ignored and parse(self.request.text)[0] == "add"

    def reply(self) -> Reply:
        """The refusal, or the answer (slow: run it off any event loop)."""
        if self.ignored:
            return Reply(command="ignored", title="", answered=False, ephemeral=True)
        return self.refusal if self.refusal is not None else self.door.answer(self.request)


class Door:
    """The one way in, kept by an adapter while it runs (the guard remembers who asked how often)."""

    def __init__(self, corpus: CorpusSource, *, guard: Guard | None = None, answer: Answer | None = None,
                 intake: Intake | None = None):
        self.corpus = corpus
        self.guard = guard
        self.intake = intake
        self._answer = answer or self.run

    def handle(self, request: Request) -> Reply:
        """Admit the request and answer it, or refuse it."""
        return self.admit(request).reply()

    def admit(self, request: Request) -> Admission:
        """Apply the access rules and the rate limit; fast, so safe on an event loop (on Postgres the shared
        rate limit is a few quick round trips; an overheard message needs a database read: whether its channel
        is watched)."""
        if request.via == OVERHEARD:
            return self.overhear(request)
        if request.via == SHARED and (refusal := shared_add(request)) is not None:
            return Admission(self, request, refusal)
        return self.check(request)

    def overhear(self, request: Request) -> Admission:
        """A message posted in a channel: in a watched one, /add of its links, through the same rules; else
        nothing. A refusal is marked, so that the adapter reacts and says why privately."""
        add = overheard_add(request, self.current_corpus(), self.intake)
        if add is None:
            return Admission(self, request, ignored=True)
        admission = self.check(add)
        if admission.refusal is not None:
            return replace(admission, refusal=replace(admission.refusal, reactions=[REFUSED]))
        return admission

    def check(self, request: Request) -> Admission:
        """The guard's verdict on a request (every request passes when there is no guard)."""
        if self.guard is None:
            return Admission(self, request)
        verdict = self.guard.check(request, space=request.space, direct=request.direct, parent=request.parent)
        if verdict.reply is not None:
            log.info("refused user %s in channel %s: %s", request.user, request.channel, verdict.reply.title)
        return Admission(self, request, verdict.reply, verdict.repeat)

    def answer(self, request: Request) -> Reply:
        """An admitted request's reply: a thread follow-up read, admin rights settled, the command answered,
        the footer added."""
        carried = carry(request, self.current_corpus(), said=_MENTION.sub("", clean_text(request.text)))
        request = self.settle_admin(carried.request)
        # the command runs as if typed; how the request came decides only how its reply is shown
        reply = carried.reply or noted(self._answer(replace(request, via=TYPED)), carried.note)
        reply = self.add_footer(reply, request)
        if request.via == OVERHEARD:
            return marked(reply)
        if self.private(request, reply):
            reply = replace(reply, ephemeral=True)
        return self.remember(request, reply)

    def private(self, request: Request, reply: Reply) -> bool:
        """Whether an answer goes to its asker alone: a shared message's, or any in a channel where the
        policy says answers are private first (the asker may then share it)."""
        in_channel = not request.direct and request.platform not in UNLOGGED_PLATFORMS
        chosen = self.guard is not None and self.guard.policy.private_answers and in_channel
        return request.via == SHARED or (chosen and reply.answered)

    def run(self, request: Request) -> Reply:
        """Run the command the request names over the corpus."""
        return run_command(request, self.current_corpus(), intake=self.intake)

    def current_corpus(self) -> Corpus:
        """The corpus (asked for it, if it was given as a callable)."""
        return self.corpus() if callable(self.corpus) else self.corpus

    def settle_admin(self, request: Request) -> Request:
        """For a command that needs admin rights only: is the user a configured admin, or a platform admin?"""
        name = parse(request.text)[0]
        if request.is_admin or name not in COMMANDS or not COMMANDS[name].admin:
            return request
        configured = self.guard is not None and self.guard.is_admin(request.platform, request.user)
        check = request.admin_check
        return replace(request, is_admin=configured or (check is not None and check()), admin_check=None)

    def add_footer(self, reply: Reply, request: Request) -> Reply:
        """Where the platform shows one, how many articles were searched (under answers from the corpus)."""
        drawn = reply.citations or reply.image is not None or not reply.answered
        if reply.footer or request.platform not in FOOTER_PLATFORMS or not drawn:
            return reply
        searched = self.count()
        if searched is None:
            return reply
        return replace(reply, footer=f"Searched {searched} article{'' if searched == 1 else 's'}")

    def remember(self, request: Request, reply: Reply) -> Reply:
        """Keep a chat answer in the answer log, so a thread follow-up or a vote can refer to it."""
        log_ = getattr(self.current_corpus(), "answer_log", None)
        # an answer_id already set: a door inside this one (Discord answers through handle()) kept it
        if request.platform in UNLOGGED_PLATFORMS or log_ is None or reply.answer_id is not None:
            return reply
        name, args, _ = parse(request.text)
        if reply.command not in COMMANDS:  # answered by the door itself (a thread's "why?"), not a command
            name, args = reply.command, ""
        record = AnswerRecord(
            at=datetime.now(timezone.utc).isoformat(timespec="microseconds"), platform=request.platform,
            question=clean_text(request.text), command=name, args=args, title=reply.title, text=reply.text,
            answered=reply.answered, space=request.space, channel=request.channel, thread=request.thread,
            user=request.user, cited=tuple(Cited(c.article_id, c.quote) for c in reply.citations))
        try:
            kept = log_.record(record)
        except Exception as e:  # an answer still goes out if it cannot be remembered
            if (damage := _damage(self.current_corpus(), e)) is not None:
                log.error("could not keep the answer to %s: %s", name, damage)  # said once; no traceback
            else:
                log.exception("could not keep the answer to %s in the answer log", name)
            return reply
        return replace(reply, answer_id=kept.id)

    def posted(self, answer_id: str | None, message: str) -> None:
        """Note the platform's id of the message an answer went out as (threads and votes name it)."""
        log_ = getattr(self.current_corpus(), "answer_log", None)
        if answer_id is None or log_ is None:
            return
        try:
            log_.posted(answer_id, message)
        except Exception:
            log.exception("could not note where answer %s was posted", answer_id)

    def count(self) -> int | None:
        """How many articles the corpus holds; None (logged) if it cannot say."""
        try:
            return self.current_corpus().count()
        except Exception:
            log.exception("could not count the articles")
            return None


def run_command(request: Request, corpus: Corpus, *, intake: Intake | None = None) -> Reply:
    """Run the command a request names; user errors and bugs both become short replies."""
    name, args, inferred = parse(request.text)
    if name not in COMMANDS:
        return _unknown(name, request.platform)
    cmd = COMMANDS[name]
    try:
        if len(args) > MAX_ARGS:
            args = args[:MAX_ARGS]
        if cmd.admin and not request.is_admin:
            raise UserError(f"Only workspace admins can use /{name}.")
        return cmd.func(args, Context(request, corpus, inferred, intake))
    except UserError as e:
        return Reply(command=name, title=typed(str(e), request.platform), answered=False, ephemeral=True)
    except Exception as e:
        if (damage := _damage(corpus, e)) is not None:
            log.error("command %s failed: %s", name, damage)  # one clear line; a traceback would not help
            title = "Sorry, I can't read the article database. An operator has been told."
            return Reply(command=name, title=title, answered=False, ephemeral=True)
        log.exception("command %s failed", name)
        return Reply(command=name, title="Sorry, something went wrong answering that. It has been logged.",
                     answered=False, ephemeral=True)


def _damage(corpus: Corpus, error: Exception) -> str | None:
    store = getattr(corpus, "store", None)
    return store.damage(error) if store is not None else None


def _unknown(name: str, platform: str) -> Reply:
    from rapidfuzz import process  # lazy: rapidfuzz loads only when someone mistypes a command

    shown = safe_echo(name, 40)
    match = process.extractOne(name, list(COMMANDS), score_cutoff=60)
    hint = typed(f" Did you mean /{match[0]}?", platform) if match else ""
    return Reply(command="help", title=f"I don't know the command /{shown}.{hint}",
                 sections=[Section(overview(platform))], answered=False, ephemeral=True)
