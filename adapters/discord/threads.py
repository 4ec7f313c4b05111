"""Reading what a Discord message follows up: the reply chain behind it, for Request.follows.

A reply to gapbot's answer ("@gapbot what about video?") names the message it replies to; that message may
itself reply to another, so the chain is followed back a few hops. The core looks each id up in the answer
log and ignores those that are not gapbot's answers. In a thread channel with no reply, the core takes the
answers given in the thread from the log (every request there carries the thread's id), so no history is read.
"""
from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)
HOPS = 6  # messages followed back along a reply chain: a question and its answer, three times over


async def earlier_messages(message: discord.Message, *, hops: int = HOPS) -> tuple[str, ...]:
    """The ids of the messages a message replies to, along the reply chain, newest first."""
    found: list[str] = []
    current: discord.Message | None = message
    while current is not None and len(found) < hops:
        ref = current.reference
        if ref is None or ref.message_id is None or ref.channel_id != message.channel.id:
            break
        found.append(str(ref.message_id))
        current = await replied_to(current)
    return tuple(found)


async def replied_to(message: discord.Message) -> discord.Message | None:
    """The message a message replies to: as Discord sent it, from the cache, or fetched; None (logged) if it
    is gone or cannot be read."""
    ref = message.reference
    if ref is None or ref.message_id is None:
        return None
    if isinstance(ref.resolved, discord.Message):
        return ref.resolved
    if ref.cached_message is not None:
        return ref.cached_message
    try:
        return await message.channel.fetch_message(ref.message_id)
    except discord.HTTPException as e:
        log.warning("could not read message %s in channel %s: HTTP %s", ref.message_id, message.channel.id,
                    e.status)
        return None
