"""Slash commands built in a loop over the core's registry, with /who autocomplete from the corpus."""
from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.registry import Command, commands

if TYPE_CHECKING:
    from adapters.discord.client import GapBot
    from corpus.index import Corpus

log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices
CHOICE_LENGTH = 100  # ... of at most 100 characters each
DESCRIPTION_LENGTH = 100  # a command's or option's description
Completer = Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]
SlashCallback = Callable[..., Coroutine[Any, Any, None]]


class GapTree(app_commands.CommandTree):
    """The command tree; unknown commands go to the core, which answers them with a suggestion."""

    client: GapBot

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Answer what failed instead of leaving the user with 'The application did not respond'."""
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                if not interaction.response.is_done():
                    await interaction.response.autocomplete([])
            elif isinstance(error, app_commands.CommandNotFound):  # registered once, since removed
                await self.client.run_slash(interaction, error.name, _typed_options(interaction))
            else:
                log.error("slash command failed", exc_info=error)
                await _apologise(interaction)
        except discord.HTTPException as e:
            log.warning("could not answer an interaction: HTTP %s (code %s)", e.status, e.code)


def build_tree(bot: GapBot) -> GapTree:
    """A command tree with one slash command per registered core command."""
    tree = GapTree(bot)
    completers: dict[str, Completer] = {"who": bot.names.complete}
    for cmd in commands():
        tree.add_command(slash_command(cmd, bot, completer=completers.get(cmd.name)))
    return tree


def slash_command(cmd: Command, bot: GapBot, *, completer: Completer | None = None) -> app_commands.Command:
    """The slash command for one core command: one string option, named after the command's argument."""
    callback = _callback(cmd, bot)
    if cmd.arg:
        callback = app_commands.rename(text=option_name(cmd.arg))(callback)
        callback = app_commands.describe(text=(cmd.arg_help or cmd.arg)[:DESCRIPTION_LENGTH])(callback)
    if cmd.admin:  # hidden from members who are not admins; the core checks again when it runs
        callback = app_commands.default_permissions(administrator=True)(callback)
    description = cmd.summary[:DESCRIPTION_LENGTH]
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=cmd.name, description=description, callback=callback)
    if cmd.arg and completer is not None:
        command.autocomplete("text")(completer)
    return command


def option_name(arg: str) -> str:
    """The core's argument name as Discord accepts option names: lower case, no spaces, 32 characters."""
    return "_".join(arg.lower().split())[:32] or "text"


def _callback(cmd: Command, bot: GapBot) -> SlashCallback:
    # discord.py reads the option from the callback's signature, so each shape is its own function.
    name = cmd.name
    if not cmd.arg:
        async def no_option(interaction: discord.Interaction) -> None:
            await bot.run_slash(interaction, name, "")
        return no_option
    if cmd.required:
        async def required(interaction: discord.Interaction, text: str) -> None:
            await bot.run_slash(interaction, name, text)
        return required

    async def optional(interaction: discord.Interaction, text: str | None = None) -> None:
        await bot.run_slash(interaction, name, text or "")
    return optional


def _typed_options(interaction: discord.Interaction) -> str:
    """The values typed into a command's options, in order (for commands this bot no longer has)."""
    options = cast(dict[str, Any], interaction.data or {}).get("options", [])
    return " ".join(str(o.get("value", "")) for o in options if "value" in o)


async def _apologise(interaction: discord.Interaction) -> None:
    text = "Sorry, something went wrong answering that. It has been logged."
    none = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=none)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=none)


class EntityNames:
    """Entity names for /who autocomplete, most mentioned first; read from the corpus at most every minute."""

    TTL = 60.0

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self._entities: list[tuple[str, list[str]]] = []
        self._read_at: float | None = None

    async def complete(self, interaction: discord.Interaction,
                       current: str) -> list[app_commands.Choice[str]]:
        """Choices for what the user has typed so far (none when the corpus has no entities yet)."""
        if self._read_at is None or time.monotonic() - self._read_at > self.TTL:
            self._entities = await asyncio.to_thread(self.read)
            self._read_at = time.monotonic()
        return [app_commands.Choice(name=n[:CHOICE_LENGTH], value=n[:CHOICE_LENGTH])
                for n in matching(self._entities, current)]

    def read(self) -> list[tuple[str, list[str]]]:
        """(name, aliases) of every entity, most mentioned first; empty if there is no entity table yet."""
        try:
            rows = self.corpus.store.db.execute(
                "SELECT name, aliases FROM entities ORDER BY mention_count DESC, name").fetchall()
        except sqlite3.Error as e:
            log.warning("no entity names for autocomplete: %s", e)
            return []
        return [(name, _aliases(aliases)) for name, aliases in rows if name]


def matching(entities: list[tuple[str, list[str]]], typed: str, *, limit: int = MAX_CHOICES) -> list[str]:
    """Names whose name or alias has a word starting with what was typed, then those merely containing it."""
    typed = " ".join(typed.casefold().split())
    if not typed:
        return [name for name, _ in entities[:limit]]
    starts, contains = [], []
    for name, aliases in entities:
        keys = [k.casefold() for k in (name, *aliases)]
        if any(k.startswith(typed) or f" {typed}" in k for k in keys):
            starts.append(name)
        elif any(typed in k for k in keys):
            contains.append(name)
    return list(dict.fromkeys(starts + contains))[:limit]


def _aliases(raw: str | None) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [a for a in value if isinstance(a, str)] if isinstance(value, list) else []
