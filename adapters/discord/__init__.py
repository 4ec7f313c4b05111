"""The Discord adapter: `gapbot discord [--sync] [--shards IDS --shard-count N]`, and create_bot() to drive
the bot offline."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import discord

from adapters.adding import intake_from_env
from adapters.discord.client import DiscordBot, ShardedDiscordBot
from adapters.discord.shards import Shards
from bot.guard import Guard, Policy
from bot.intake import Intake
from corpus.api import Corpus
from corpus.store import CorruptDatabase

if TYPE_CHECKING:
    from corpus.embed import Embedder

INTENT_REFUSED = ("Discord refused the Message Content intent, which watching channels needs: turn on "
                  "Bot -> Privileged Gateway Intents -> Message Content Intent for your application at "
                  "https://discord.com/developers/applications, or stop watching Discord channels "
                  "(GAPBOT_WATCH_CHANNELS, /watch off).")


def create_bot(db_path: str | Path, *, seed: bool = True, embedder: Embedder | None = None,
               warm: bool = True, guard: Guard | None = None, policy: Policy | None = None,
               intake: Intake | None = None, shards: Shards | None = None) -> DiscordBot:
    """The configured discord.Client over the corpus at db_path (a new one is first seeded); it asks for the
    message content intent only when a Discord channel is watched. Without a guard, one applies `policy`,
    its rate limit and notices shared with every worker when the corpus is on Postgres. With shards, an
    AutoShardedClient running those shards only."""
    corpus = Corpus.open(db_path, seed=seed, embedder=embedder)
    watching = intake is not None and watching_any(corpus, intake)
    if intake is not None:
        intake = intake.hearing(watching)
    guard = guard or Guard(policy, shared=corpus.shared)
    if shards is None:
        return DiscordBot(corpus, warm=warm, guard=guard, intake=intake, watching=watching)
    return ShardedDiscordBot(corpus, warm=warm, guard=guard, intake=intake, watching=watching,
                             shard_ids=list(shards.ids), shard_count=shards.count)


def watching_any(corpus: Corpus, intake: Intake) -> bool:
    """Whether GAPBOT_WATCH_CHANNELS or /watch has made any Discord channel watched."""
    return bool(intake.policy.watches_on("discord") or corpus.watches.listed("discord"))


def guard_from_env(env: Mapping[str, str]) -> Guard:
    """The allowlists, admins and rate limit from GAPBOT_DISCORD_GUILDS, GAPBOT_DISCORD_CHANNELS,
    GAPBOT_ADMINS and GAPBOT_RATE_LIMIT (ValueError if one is malformed)."""
    return Guard(Policy.from_env(env, spaces="GAPBOT_DISCORD_GUILDS", channels="GAPBOT_DISCORD_CHANNELS"))


def main(argv: list[str], *, db: str, seed: bool = True) -> int:
    """Run the bot from DISCORD_TOKEN, or with --sync register its slash commands and exit."""
    args = _parser().parse_args(argv[1:])
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if not token:
        return _fail("DISCORD_TOKEN is not set (copy the token from the Bot page of your application "
                     "at https://discord.com/developers/applications).")
    guild = os.environ.get("DISCORD_GUILD_ID", "").strip()
    if guild and not guild.isdigit():
        return _fail(f"DISCORD_GUILD_ID must be a server's numeric id, not {guild[:40]!r}.")
    try:
        shards = Shards.parse(_given(args.shards, "DISCORD_SHARD_IDS"), _given(args.shard_count,
                                                                              "DISCORD_SHARD_COUNT"))
    except ValueError as e:
        return _fail(str(e), code=2)
    try:
        policy = guard_from_env(os.environ).policy
        intake = intake_from_env(os.environ)
    except ValueError as e:
        return _fail(str(e))
    return _run(args, token=token, guild_id=int(guild) if guild else None, db=db, seed=seed, policy=policy,
                intake=intake, shards=shards)


def _given(option: str | None, variable: str) -> str | None:
    """An option's value, else the environment variable's (the option wins)."""
    return option if option is not None else os.environ.get(variable)


def _run(args: argparse.Namespace, *, token: str, guild_id: int | None, db: str, seed: bool,
         policy: Policy, intake: Intake, shards: Shards | None) -> int:
    if args.sync and shards is not None and not shards.registers_commands:
        # Commands are registered per application, not per shard: N processes each syncing would overwrite
        # one another's registration and share one rate limit, so only shard 0's process does it.
        print(f"gapbot discord: {shards.describe()}: the slash commands are registered by the process "
              "that runs shard 0; nothing to do here", file=sys.stderr)
        return 0
    try:
        bot = create_bot(db, seed=seed, warm=not args.sync, policy=policy, intake=intake, shards=shards)
        if args.sync:
            return asyncio.run(_sync(bot, token, guild_id))
        if shards is not None:
            print(f"gapbot discord: running {shards.describe()}", file=sys.stderr, flush=True)
        bot.run(token, log_handler=None)  # logging is configured by the gapbot command
    except CorruptDatabase as e:
        return _fail(str(e))
    except discord.LoginFailure:
        return _fail("Discord rejected DISCORD_TOKEN; reset it on the Bot page of your application.")
    except discord.PrivilegedIntentsRequired:
        return _fail(INTENT_REFUSED)
    return 0


async def _sync(bot: DiscordBot, token: str, guild_id: int | None) -> int:
    async with bot:
        await bot.login(token)
        synced = await bot.sync_commands(guild_id)
    where = f"to server {guild_id} (available now)" if guild_id else "globally"
    slash = [c for c in synced if c.type is discord.AppCommandType.chat_input]
    menus = [f'"{c.name}"' for c in synced if c.type is not discord.AppCommandType.chat_input]
    print(f"registered {len(slash)} slash commands {where}: {' '.join('/' + c.name for c in slash)}"
          + (f"; message menu: {', '.join(menus)}" if menus else ""))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gapbot discord", description="Run gapbot as a Discord bot "
                                "(token from $DISCORD_TOKEN).")
    p.add_argument("--sync", action="store_true", help="register the slash commands and exit: globally, "
                   "or to the server $DISCORD_GUILD_ID if set (with --shards, only where shard 0 runs)")
    p.add_argument("--shards", metavar="IDS", help="run only these shards, e.g. 0,1 (default "
                   "$DISCORD_SHARD_IDS; needs --shard-count)")
    p.add_argument("--shard-count", metavar="N", help="the number of shards across all processes (default "
                   "$DISCORD_SHARD_COUNT; alone, this process runs all N)")
    return p


def _fail(message: str, *, code: int = 1) -> int:
    print(f"gapbot discord: {message}", file=sys.stderr)
    return code
