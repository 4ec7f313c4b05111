"""What a command is given besides its argument: the request and the corpus."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.registry import typed
from bot.reply import Request

if TYPE_CHECKING:
    from bot.intake import Intake
    from corpus.api import Corpus


@dataclass(frozen=True)
class Context:
    """What a command may use: the request, the corpus, and (where adding from chat is set up) the intake."""

    request: Request
    corpus: "Corpus"
    inferred: bool = False  # the command was guessed from plain words ("who is x"), not typed
    intake: "Intake | None" = None  # the fetcher and rules /add uses; None where adding is not set up

    def typed(self, text: str) -> str:
        """Text that names commands, with each named as it is typed where the request came from."""
        return typed(text, self.request.platform)
