"""The 👍/👎 buttons under Discord answers: persistent components whose custom_id names the answer
(gapbot:vote:up:ID), so a click works after a restart; each click is one call to the core
(bot/feedback.py)."""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord

from bot import feedback
from bot.core import Door
from corpus.answer_log import DOWN, UP

log = logging.getLogger(__name__)
PREFIX = "gapbot:vote:"
WAYS = {"up": (UP, "👍"), "down": (DOWN, "👎")}


def custom_id(way: str, answer_id: str) -> str:
    """The custom_id of one vote button, e.g. gapbot:vote:up:ab12cd34ef56."""
    return f"{PREFIX}{way}:{answer_id}"


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=re.escape(PREFIX) + r"(?P<way>up|down):(?P<answer>[0-9a-f]{1,32})"):
    """One vote button; discord.py rebuilds it from the custom_id of whatever message was clicked."""

    def __init__(self, way: str, answer_id: str):
        super().__init__(discord.ui.Button(style=discord.ButtonStyle.secondary, emoji=WAYS[way][1],
                                           custom_id=custom_id(way, answer_id)))
        self.way, self.answer_id = way, answer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> VoteButton:
        """The button a click names."""
        return cls(match["way"], match["answer"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Keep the clicking user's vote through the core and say so to them alone."""
        door = getattr(interaction.client, "door", None)
        if not isinstance(door, Door):
            log.error("a vote button was clicked on a client without a door")
            return
        reply = await asyncio.to_thread(feedback.vote, door, answer_id=self.answer_id,
                                        user=str(interaction.user.id), value=WAYS[self.way][0],
                                        platform="discord")
        await interaction.response.send_message(reply.title, ephemeral=True,
                                                allowed_mentions=discord.AllowedMentions.none())


def vote_view(answer_id: str) -> discord.ui.View:
    """The 👍/👎 row for an answer: persistent (no timeout), and nothing kept per message."""
    view = discord.ui.View(timeout=None)
    for way in WAYS:
        view.add_item(VoteButton(way, answer_id))
    return view


def vote_components(answer_id: str) -> list[dict[str, Any]]:
    """The row as Discord receives it (for recordings and tests)."""
    return vote_view(answer_id).to_components()
