"""The Discord client: mentions and DMs answered as replies, slash commands deferred then followed up."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Coroutine
from dataclasses import replace
from functools import partial
from typing import Any

import discord

from adapters.adding import AddWorker
from adapters.discord import render, slash
from adapters.discord.adding import DiscordAdding, message_text
from adapters.discord.feedback import VoteButton
from adapters.discord.retry import RETRYABLE, retrying
from adapters.discord.threads import earlier_messages
from adapters.warmup import warm_up
from bot.core import Admission, Door, run_command
from bot.guard import Guard
from bot.intake import Intake
from bot.reply import OVERHEARD, SHARED, Reply, Request
from corpus.api import Corpus

log = logging.getLogger(__name__)

# Non-privileged only: Discord still delivers the content of DMs and of messages that mention the bot.
INTENTS = discord.Intents(guilds=True, guild_messages=True, dm_messages=True)
# Watching channels means reading every message: the privileged message content intent, asked for only then.
WATCHING_INTENTS = INTENTS | discord.Intents(message_content=True)
# Discord takes one IDENTIFY per 5 s from most bots (max_concurrency 1): shard i first identifies at i * 5 s
IDENTIFY_GAP = 5.0
WORKERS = 2  # answers computed at once (two cores; more would only queue on the CPU)


class DiscordBot(discord.Client):
    """gapbot on Discord: converts messages and interactions to Requests, and Replies to messages."""

    def __init__(self, corpus: Corpus, *, warm: bool = True, guard: Guard | None = None,
                 intake: Intake | None = None, adds: AddWorker | None = None, watching: bool = False,
                 **sharding: Any):
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # gapbot never joins voice
        super().__init__(intents=WATCHING_INTENTS if watching else INTENTS,
                         allowed_mentions=discord.AllowedMentions.none(), **sharding)
        self.corpus = corpus
        self.warm = warm
        self.guard = guard or Guard()
        self.intake = intake
        self.door = Door(corpus, guard=self.guard, answer=self.run_core, intake=intake)
        self.adding = DiscordAdding(adds or AddWorker())
        self.tree = slash.build_tree(self, run_slash=self.run_slash, corpus=corpus, share=self.share)
        self.add_dynamic_items(VoteButton)  # 👍/👎 under answers, clickable whenever they were sent
        self._slots = asyncio.Semaphore(WORKERS)
        self._tasks: set[asyncio.Task[Any]] = set()

    async def setup_hook(self) -> None:
        """Start loading the embedding model in the background, so the first question does not wait."""
        if self.warm:
            self._spawn(asyncio.to_thread(warm_up, self.corpus))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)  # keep a reference until it finishes, so it is not garbage-collected
        task.add_done_callback(self._tasks.discard)

    async def sync_commands(self, guild_id: int | None = None) -> list[discord.app_commands.AppCommand]:
        """Register the slash commands globally, or to one guild (they appear there at once)."""
        if guild_id is None:
            return await self.tree.sync()
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        return await self.tree.sync(guild=guild)

    # --- the core, off the event loop -------------------------------------------------------------
    def run_core(self, request: Request) -> Reply:
        """What answers an admitted request: the core's commands over this bot's corpus."""
        return run_command(request, self.corpus, intake=self.intake)

    async def answer(self, admission: Admission) -> Reply:
        """Run the synchronous core in a worker thread; the event loop never waits on it."""
        async with self._slots:
            return await asyncio.to_thread(self._answer, admission)

    def _answer(self, admission: Admission) -> Reply:
        reply = admission.reply()
        if reply.image is not None:
            try:
                reply.image.data()  # render the chart here, in the worker thread
            except Exception:
                log.exception("could not render the %s chart", reply.command)
                reply.image = None
        return reply

    # --- mentions and direct messages -------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        """Answer a DM, or a message that mentions the bot, with a reply to it; overhear any other."""
        if not self.addressed(message):
            await self.overhear(message)
            return
        log.info("message from user %s in channel %s", message.author.id, message.channel.id)
        admission = self.door.admit(self.message_request(message))
        # a message reply cannot be ephemeral, so a refusal is said once and kept short
        if admission.refusal is not None:
            if not admission.repeat:
                await self.send_reply(message, admission.refusal)
            return
        with contextlib.suppress(discord.HTTPException):
            await message.channel.typing()  # one indicator, about ten seconds; no loop to keep it alive
        if message.reference is not None:
            follows = await earlier_messages(message)
            admission = replace(admission, request=replace(admission.request, follows=follows))
        await self.send_reply(message, await self.answer(admission))

    async def overhear(self, message: discord.Message) -> None:
        """A message in a server's channel: in a watched one its links are added and it gets reactions."""
        me = self.user
        if not self.intents.message_content or message.author.bot or (me and message.author.id == me.id):
            return
        request = replace(self.message_request(message), text=message_text(message), via=OVERHEARD)
        admission = await asyncio.to_thread(self.door.admit, request)  # is it watched: a database read
        await self.adding.overheard(message, admission)

    def message_request(self, message: discord.Message) -> Request:
        """The Request for a message: its text without the bot's mentions, and where it was sent."""
        guild = str(message.guild.id) if message.guild else None
        thread = str(message.channel.id) if isinstance(message.channel, discord.Thread) else None
        return Request(self.request_text(message), platform="discord", user=str(message.author.id),
                       channel=str(message.channel.id), space=guild, parent=parent_of(message.channel),
                       thread=thread, direct=guild is None, admin_check=partial(_is_admin, message.author))

    def addressed(self, message: discord.Message) -> bool:
        """True for a DM or a message that mentions the bot (or its role); never its own or a bot's."""
        me = self.user
        if me is None or message.author.id == me.id or message.author.bot:
            return False
        if message.guild is None:
            return True
        role = message.guild.self_role
        return any(u.id == me.id for u in message.mentions) or (
            role is not None and role.id in message.raw_role_mentions)

    def request_text(self, message: discord.Message) -> str:
        """The message's text with the bot's own mentions taken out, wherever they are."""
        assert self.user is not None
        ids = [str(self.user.id)]
        if message.guild is not None and message.guild.self_role is not None:
            ids.append(str(message.guild.self_role.id))
        return " ".join(re.sub(rf"<@[!&]?(?:{'|'.join(ids)})>", " ", message.content).split())

    async def send_reply(self, message: discord.Message, reply: Reply) -> None:
        """Send the rendered reply: the first message replies to the question, the rest follow it."""
        perms = _my_permissions(message)
        out = render.render(reply, embeds=perms.embed_links, files=perms.attach_files)
        reference = message.to_reference(fail_if_not_exists=False)  # the question may be deleted by now
        try:
            for i, part in enumerate(out):
                # the nonce makes a retried send idempotent: Discord returns the message it already made
                extra = {"reference": reference} if i == 0 else {}
                nonce = f"g{message.id}-{i}"
                sent = await retrying(partial(_send, message.channel, part, nonce=nonce, **extra))
                if i == 0:
                    await self.posted(reply, sent)
        except discord.HTTPException as e:
            log.warning("could not reply in channel %s: HTTP %s (code %s)", message.channel.id, e.status,
                        e.code)
        except RETRYABLE as e:
            log.warning("could not reply in channel %s: %s", message.channel.id, type(e).__name__)

    # --- slash commands ---------------------------------------------------------------------------
    async def run_slash(self, interaction: discord.Interaction, name: str, arg: str) -> None:
        """Defer at once, answer in a worker thread, then follow up (a refusal is answered at once)."""
        log.info("/%s from user %s in channel %s", name, interaction.user.id, interaction.channel_id)
        admission = self.door.admit(slash_request(interaction, f"/{name} {arg}".strip()))
        # Discord needs an answer to every interaction, so even a repeated refusal is sent
        if admission.refusal is not None:
            first = render.render(admission.refusal)[0]
            await interaction.response.send_message(**first.kwargs(), ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        reply = await (self.adding.run(admission) if admission.fetches else self.answer(admission))
        await self.follow_up(interaction, reply)

    async def share(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """"Add to gapbot" on a message: its links added as the user who chose it; only they see the reply."""
        log.info("Add to gapbot from user %s in channel %s", interaction.user.id, interaction.channel_id)
        request = replace(slash_request(interaction, f"/add {message_text(message)}"), via=SHARED)
        admission = self.door.admit(request)
        if admission.refusal is not None:
            first = render.render(admission.refusal)[0]
            await interaction.response.send_message(**first.kwargs(), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        for part in render.render(await self.adding.run(admission)):  # the deferral is private: so are these
            await retrying(partial(_send, interaction.followup, part, ephemeral=True), what="follow-up")

    async def follow_up(self, interaction: discord.Interaction, reply: Reply) -> None:
        """Send the reply as follow-ups: ephemeral for errors, help and answers the corpus does not have."""
        if reply.private:
            # The first follow-up keeps the visibility of the (public) "thinking…" message it replaces;
            # deleting that message first lets the answer be seen by the asker alone.
            with contextlib.suppress(discord.HTTPException):
                await interaction.delete_original_response()
        for i, part in enumerate(render.render(reply)):
            send = partial(_send, interaction.followup, part, ephemeral=reply.private)
            sent = await retrying(send, what="follow-up")
            if i == 0 and not reply.private:
                await self.posted(reply, sent)

    async def posted(self, reply: Reply, sent: object) -> None:
        """Tell the door which message an answer went out as (a reply to it follows the answer up)."""
        if reply.answer_id is not None and isinstance(sent, discord.Message):
            await asyncio.to_thread(self.door.posted, reply.answer_id, str(sent.id))


class ShardedDiscordBot(DiscordBot, discord.AutoShardedClient):
    """gapbot on some of the Discord shards (shard_ids, out of shard_count), one of several processes: the
    same bot, with one gateway connection per shard it runs."""

    def __init__(self, corpus: Corpus, **options: Any):
        super().__init__(corpus, **options)
        self._launched: set[int] = set()
        self._first_launch: float | None = None

    async def launch_shard(self, gateway: Any, shard_id: int, *, initial: bool = False) -> None:
        """Connect a shard once it is its turn, IDENTIFY_GAP seconds per shard id: Discord's limit of one
        IDENTIFY per 5 seconds is per bot, not per process, and going over it gets sessions invalidated, so
        processes started together take turns. (Waiting here, before the connection opens, rather than in
        before_identify_hook: a long wait on an open connection would miss its heartbeats.)"""
        now = time.monotonic()
        self._first_launch = self._first_launch or now
        await asyncio.sleep(identify_wait(shard_id, waited=now - self._first_launch))
        await super().launch_shard(gateway, shard_id, initial=initial)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """A shard's first IDENTIFY goes at once (launch_shard waited for its turn); later ones, after a
        reconnect, wait as discord.py does."""
        if shard_id is not None and shard_id not in self._launched:
            self._launched.add(shard_id)
            return
        await super().before_identify_hook(shard_id, initial=initial)


def identify_wait(shard_id: int, *, waited: float) -> float:
    """Seconds until a shard's turn to IDENTIFY, for a process that started identifying `waited` s ago."""
    return max(0.0, IDENTIFY_GAP * shard_id - waited)


def slash_request(interaction: discord.Interaction, text: str) -> Request:
    """The Request for a slash command: what was typed, by whom and where."""
    guild = str(interaction.guild_id) if interaction.guild_id else None
    channel = interaction.channel
    return Request(text, platform="discord", user=str(interaction.user.id),
                   channel=str(interaction.channel_id), space=guild, parent=parent_of(channel),
                   thread=str(interaction.channel_id) if isinstance(channel, discord.Thread) else None,
                   direct=guild is None, admin_check=partial(_is_server_admin, interaction))


def _send(to: discord.abc.Messageable | discord.Webhook, part: render.Outgoing,
          **kwargs: Any) -> Awaitable[Any]:
    """Send one message; each call builds a fresh file, so a retry can send it again."""
    return to.send(**part.kwargs(), **kwargs)


def _is_admin(author: discord.User | discord.Member) -> bool:
    return isinstance(author, discord.Member) and author.guild_permissions.administrator


def _is_server_admin(interaction: discord.Interaction) -> bool:
    return interaction.guild_id is not None and interaction.permissions.administrator


def _my_permissions(message: discord.Message) -> discord.Permissions:
    """What the bot may do where the message was sent (everything that matters, in a DM)."""
    me = message.guild.me if message.guild is not None else None
    if me is None:
        return discord.Permissions(embed_links=True, attach_files=True)
    return message.channel.permissions_for(me)


def parent_of(channel: object) -> str | None:
    """The channel a thread belongs to (the one the channel allowlist checks); None elsewhere."""
    parent = channel.parent_id if isinstance(channel, discord.Thread) else None
    return str(parent) if parent else None
