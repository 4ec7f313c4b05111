"""The command registry: plain functions registered by a decorator; help comes from their docstrings."""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from bot.context import Context
    from bot.reply import Reply

CommandFunc = Callable[[str, "Context"], "Reply"]


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
