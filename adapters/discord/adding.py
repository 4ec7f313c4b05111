"""Adding from Discord: adds run on the add worker; links read from a whole message (content and embeds) for
the "Add to gapbot" context menu and watched channels; an overheard message's marks put on it as reactions,
the reason for a refusal sent to the poster alone."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from functools import partial

import discord

from adapters.adding import BUSY, AddWorker
from adapters.discord import render
from adapters.discord.retry import RETRYABLE, retrying
from bot.core import Admission
from bot.reply import Reply
from bot.watch import ADDED, DUPLICATE, REFUSED

log = logging.getLogger(__name__)
EMOJI = {ADDED: "✅", DUPLICATE: "♻️", REFUSED: "⚠️"}
# a DM refused: the user shares no server with the bot that allows DMs, or has blocked it (50007)
DM_CLOSED = 50007


def message_text(message: discord.Message) -> str:
    """A message's content, then the links of its embeds (link previews keep theirs there)."""
    urls = [e.url for e in message.embeds if e.url]
    return " ".join([message.content or "", *urls]).strip()


class DiscordAdding:
    """Runs adds on the add worker, off the event loop; marks overheard messages."""

    def __init__(self, worker: AddWorker):
        self.worker = worker

    async def run(self, admission: Admission) -> Reply:
        """The add's reply, computed on the add worker (BUSY at once when its queue is full)."""
        future = self.worker.submit(admission.reply)
        return BUSY if future is None else await asyncio.wrap_future(future)

    async def overheard(self, message: discord.Message, admission: Admission) -> None:
        """A message posted in a channel: nothing, or its links added and the marks put on it (a refusal at
        the door is marked at once; its reason is said once)."""
        if admission.ignored:
            return
        if admission.refusal is not None:
            await self.mark(message, admission.refusal, explain=not admission.repeat)
            return
        reply = await self.run(admission)  # BUSY has no marks of its own
        await self.mark(message, reply if reply.reactions else replace(reply, reactions=[REFUSED]),
                        explain=True)

    async def mark(self, message: discord.Message, reply: Reply, *, explain: bool) -> None:
        """React with the reply's marks; unless they say it all, tell the poster why."""
        for mark in reply.reactions:
            try:
                await message.add_reaction(EMOJI[mark])
            except discord.HTTPException as e:  # no Add Reactions permission, or the message is gone
                log.warning("could not react in channel %s: HTTP %s (code %s)", message.channel.id, e.status,
                            e.code)
        if explain and not reply.reacts_only:
            await self.tell(message, reply)

    async def tell(self, message: discord.Message, reply: Reply) -> None:
        """Say why privately. A plain message cannot be answered ephemerally, and the reason concerns the
        poster alone, so it goes by DM; if their DMs are closed, as a short reply (one plain message, no
        ping) rather than leave them with a bare ⚠️."""
        try:
            for part in render.render(reply):
                await retrying(partial(message.author.send, **part.kwargs()), what="DM")
            return
        except discord.HTTPException as e:
            if not isinstance(e, discord.Forbidden) and e.code != DM_CLOSED:
                log.warning("could not DM user %s: HTTP %s (code %s)", message.author.id, e.status, e.code)
                return
        except RETRYABLE as e:
            log.warning("could not DM user %s: %s", message.author.id, type(e).__name__)
            return
        short = render.render(reply, embeds=False)[0]
        try:
            await message.reply(**short.kwargs(), mention_author=False)
        except discord.HTTPException as e:
            log.warning("could not reply in channel %s: HTTP %s (code %s)", message.channel.id, e.status,
                        e.code)
