"""Slash commands built in a loop over the core's registry, with /who autocomplete from the corpus."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot.core import commands
from bot.registry import Command

if TYPE_CHECKING:
    from corpus.api import Corpus

log = logging.getLogger(__name__)

MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices
CHOICE_LENGTH = 100  # ... of at most 100 characters each
DESCRIPTION_LENGTH = 100  # a command's or option's description
Completer = Callable[[discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]
SlashCallback = Callable[..., Coroutine[Any, Any, None]]
# (interaction, command name, argument): how the bot answers a slash command
RunSlash = Callable[[discord.Interaction, str, str], Coroutine[Any, Any, None]]
# (interaction, message): how the bot answers "Add to gapbot" on a message
Share = Callable[[discord.Interaction, discord.Message], Coroutine[Any, Any, None]]
SHARE_MENU = "Add to gapbot"


class GapTree(app_commands.CommandTree):
    """The command tree; unknown commands go to the core, which answers them with a suggestion."""

    def __init__(self, client: discord.Client, *, run_slash: RunSlash):
        super().__init__(client)
        self.run_slash = run_slash

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Answer what failed instead of leaving the user with 'The application did not respond'."""
        try:
            if interaction.type is discord.InteractionType.autocomplete:
                if not interaction.response.is_done():
                    await interaction.response.autocomplete([])
            elif isinstance(error, app_commands.CommandNotFound):  # registered once, since removed
                await self.run_slash(interaction, error.name, _typed_options(interaction))
            else:
                log.error("slash command failed", exc_info=error)
                await _apologise(interaction)
        except discord.HTTPException as e:
            log.warning("could not answer an interaction: HTTP %s (code %s)", e.status, e.code)


def build_tree(client: discord.Client, *, run_slash: RunSlash, corpus: Corpus,
               share: Share | None = None) -> GapTree:
    """A command tree with one slash command per registered core command, each answered by run_slash, and
    with share the "Add to gapbot" message context menu."""
    tree = GapTree(client, run_slash=run_slash)
    completers: dict[str, Completer] = {"who": who_completer(corpus)}
    for cmd in commands():
        tree.add_command(slash_command(cmd, run_slash, completer=completers.get(cmd.name)))
    if share is not None:
        tree.add_command(share_menu(share))
    return tree


def share_menu(share: Share) -> app_commands.ContextMenu:
    """The message context-menu command "Add to gapbot" (Apps -> Add to gapbot on any message)."""

    async def add_message(interaction: discord.Interaction, message: discord.Message) -> None:
        await share(interaction, message)

    return app_commands.ContextMenu(name=SHARE_MENU, callback=add_message)


def slash_command(cmd: Command, run_slash: RunSlash, *,
                  completer: Completer | None = None) -> app_commands.Command:
    """The slash command for one core command: one string option, named after the command's argument."""
    callback = _callback(cmd, run_slash)
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


def _callback(cmd: Command, run_slash: RunSlash) -> SlashCallback:
    # discord.py reads the option from the callback's signature, so each shape is its own function.
    name = cmd.name
    if not cmd.arg:
        async def no_option(interaction: discord.Interaction) -> None:
            await run_slash(interaction, name, "")
        return no_option
    if cmd.required:
        async def required(interaction: discord.Interaction, text: str) -> None:
            await run_slash(interaction, name, text)
        return required

    async def optional(interaction: discord.Interaction, text: str | None = None) -> None:
        await run_slash(interaction, name, text or "")
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


def who_completer(corpus: Corpus) -> Completer:
    """/who autocomplete: entity names matching what was typed, most mentioned first."""

    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        names = await asyncio.to_thread(corpus.entity_names, current, limit=MAX_CHOICES)
        return [app_commands.Choice(name=n[:CHOICE_LENGTH], value=n[:CHOICE_LENGTH]) for n in names]

    return complete
