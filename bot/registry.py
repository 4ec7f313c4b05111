"""The command registry: plain functions registered by a decorator; help comes from their docstrings."""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from bot.context import Context
    from bot.reply import Reply

CommandFunc = Callable[[str, "Context"], "Reply"]
ENTRY = "gap"  # the command that also takes every other command as its first word: /gap who NAME
# Slack has one app slash command, /gap (it reserves names like /who for its own), so there every other
# command is typed as a /gap subcommand; elsewhere each is a command of its own
SUBCOMMAND_PLATFORMS = frozenset({"slack"})
_NAMED = re.compile(r"(?<![\w/])/([a-z]+)\b")


@dataclass(frozen=True)
class Command:
    """A registered chat command."""

    name: str
    func: CommandFunc
    arg: str | None
    arg_help: str
    required: bool
    admin: bool

    @property
    def summary(self) -> str:
        """The first line of the docstring: what the command does."""
        return (inspect.getdoc(self.func) or self.name).splitlines()[0]

    @property
    def details(self) -> str:
        """The rest of the docstring: examples and notes for /help NAME."""
        lines = (inspect.getdoc(self.func) or "").splitlines()[1:]
        return "\n".join(lines).strip()

    @property
    def usage(self) -> str:
        """How to type it, e.g. '/who NAME'."""
        if not self.arg:
            return f"/{self.name}"
        arg = self.arg.upper()
        return f"/{self.name} {arg}" if self.required else f"/{self.name} [{arg}]"

    def usage_on(self, platform: str) -> str:
        """How to type it on platform, e.g. '/gap who NAME' on Slack."""
        return typed(self.usage, platform)


COMMANDS: dict[str, Command] = {}


def command(*, arg: str | None = None, arg_help: str = "", required: bool = False,
            admin: bool = False) -> Callable[[CommandFunc], CommandFunc]:
    """Register a function as the chat command named after it."""

    def register(func: CommandFunc) -> CommandFunc:
        name = func.__name__.removeprefix("cmd_")
        COMMANDS[name] = Command(name, func, arg, arg_help, required, admin)
        return func

    return register


def registered() -> list[Command]:
    """The commands registered so far, in registration order (bot.core.commands() has them all)."""
    return list(COMMANDS.values())


def typed(text: str, platform: str) -> str:
    """Text that names commands ('try /who NAME'), with each named as it is typed on platform."""
    if platform not in SUBCOMMAND_PLATFORMS:
        return text
    return _NAMED.sub(lambda m: f"/{ENTRY} {m[1]}" if m[1] in COMMANDS and m[1] != ENTRY else m[0], text)
