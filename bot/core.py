"""handle(request, corpus) -> Reply: the one entry point every adapter calls."""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.registry import commands, COMMANDS
from bot.reply import Reply, Request, Section, UserError

if TYPE_CHECKING:
    from corpus.index import Corpus

log = logging.getLogger(__name__)

MAX_ARGS = 500  # characters of an argument the core reads; the rest is ignored (and said so)
_MENTION = re.compile(r"^\s*(?:<@[!&]?[A-Za-z0-9]+(?:\|[^>]*)?>\s*)+")
# a zero-width space after "@", and after "<" before "!", "@" or "#": shown the same, parsed as nothing
_DEFUSE = (("@", "@\u200b"), ("<!", "<\u200b!"), ("<@", "<\u200b@"), ("<#", "<\u200b#"))
_WHO_IS = re.compile(r"^(?:who|what)\s*(?:is|are|was|'s)\s+(?P<name>[^?]{1,80}?)\s*\??$", re.I)


@dataclass(frozen=True)
class Context:
    """What a command may use: the request and the corpus."""

    request: Request
    corpus: "Corpus"
    inferred: bool = False  # the command was guessed from plain words ("who is x"), not typed


def clean_text(text: str) -> str:
    """Drop control and format characters (NUL, zero-width, bidi overrides) and fold white space."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text or "")
    return re.sub(r"\s+", " ", kept).strip()


def safe_echo(text: str, limit: int = 120) -> str:
    """User text fit to repeat back: shortened, and unable to become a ping or a link on any platform."""
    text = clean_text(text)[:limit]
    for ping, inert in _DEFUSE:
        text = text.replace(ping, inert)
    return text


def parse(text: str) -> tuple[str, str, bool]:
    """Split typed text into (command name, argument, inferred); a bare question means ask."""
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


def handle(request: Request, corpus: "Corpus") -> Reply:
    """Answer one request. Never raises: user errors and bugs both become short replies."""
    commands()
    name, args, inferred = parse(request.text)
    if name not in COMMANDS:
        return _unknown(name)
    cmd = COMMANDS[name]
    try:
        if len(args) > MAX_ARGS:
            args = args[:MAX_ARGS]
        if cmd.admin and not request.is_admin:
            raise UserError(f"Only workspace admins can use /{name}.")
        return cmd.func(args, Context(request, corpus, inferred))
    except UserError as e:
        return Reply(command=name, title=str(e), answered=False, ephemeral=True)
    except Exception as e:
        if (damage := _damage(corpus, e)) is not None:
            log.error("command %s failed: %s", name, damage)  # one clear line; a traceback would not help
            return Reply(command=name, title="Sorry, I can't read the article database. An operator has been told.",
                         answered=False, ephemeral=True)
        log.exception("command %s failed", name)
        return Reply(command=name, title="Sorry, something went wrong answering that. It has been logged.",
                     answered=False, ephemeral=True)


def _damage(corpus: Corpus, error: Exception) -> str | None:
    store = getattr(corpus, "store", None)
    return store.damage(error) if store is not None else None


def _unknown(name: str) -> Reply:
    from rapidfuzz import process

    shown = safe_echo(name, 40)
    match = process.extractOne(name, list(COMMANDS), score_cutoff=60)
    hint = f" Did you mean /{match[0]}?" if match else ""
    from bot.commands.help import overview

    return Reply(command="help", title=f"I don't know the command /{shown}.{hint}",
                 sections=[Section(overview())], answered=False, ephemeral=True)
