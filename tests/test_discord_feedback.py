"""👍/👎 on Discord, driven offline: an answer from the real core carries the buttons, and a click (a
component interaction built from a recorded payload, dispatched by discord.py as the gateway would) keeps the
vote."""
from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.webhook.async_ import async_context
from test_discord_slash import BOT_USER, EPHEMERAL, FIXTURES, RecordingAdapter, interact, payload

from adapters.discord import create_bot
from adapters.discord.feedback import custom_id, vote_components
from adapters.discord.render import render
from bot.reply import Reply, Section
from corpus.embed import HashEmbedder

ARTICLE = Path(__file__).parent / "fixtures" / "scrapes" / "robotics_fair.txt"  # written for the tests
QUESTION = "how far behind are robot makers in motion control?"
CHANNEL_MESSAGE = 4
VOTER = "1300000000000000005"


@pytest.fixture
async def bot(tmp_path):
    client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False)
    [result] = client.corpus.index([str(ARTICLE)])
    assert result.status == "added", result.reason
    await client._async_setup_hook()
    client._connection.user = discord.ClientUser(state=client._connection, data=BOT_USER)
    yield client
    await client.close()


def click_payload(way: str, answer_id: str) -> dict[str, Any]:
    """A recorded button click, on a message that shows this answer's buttons."""
    data = json.loads((FIXTURES / "interaction_component.json").read_text())
    data["data"]["custom_id"] = custom_id(way, answer_id)
    data["message"]["components"] = vote_components(answer_id)
    return data


async def click(bot, data: dict[str, Any]) -> RecordingAdapter:
    """Deliver a component INTERACTION_CREATE and wait until the button's callback has answered."""
    adapter = RecordingAdapter()
    token = async_context.set(adapter)
    try:
        bot._connection.parse_interaction_create(copy.deepcopy(data))
        tasks = [t for t in asyncio.all_tasks() if t.get_name().startswith("discord-ui-dynamic-item-")]
        assert tasks, "no button was dispatched"
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    finally:
        async_context.reset(token)
    return adapter


def answers(bot) -> list[dict[str, Any]]:
    return list(bot.corpus.store.db.query("SELECT id, command, answered FROM answers"))


async def test_an_answer_carries_vote_buttons_naming_it_and_is_kept_once(bot) -> None:
    sent = await interact(bot, payload("ask", QUESTION))
    [body] = sent.followups()
    [kept] = answers(bot)  # once, though Discord's door answers through handle()
    assert kept["answered"]
    [row] = body["components"]
    assert [b["custom_id"] for b in row["components"]] == [f"gapbot:vote:up:{kept['id']}",
                                                            f"gapbot:vote:down:{kept['id']}"]
    assert [b["emoji"]["name"] for b in row["components"]] == ["👍", "👎"]


async def test_help_and_refusals_carry_no_buttons(bot) -> None:
    for name, text in (("help", None), ("ask", "what did the lunar rover team eat for breakfast?")):
        [body] = (await interact(bot, payload(name, text))).followups()
        assert not body.get("components"), name


async def test_a_click_keeps_the_vote_privately_and_a_second_click_changes_it(bot) -> None:
    await interact(bot, payload("ask", QUESTION))
    [kept] = answers(bot)
    sent = await click(bot, click_payload("down", kept["id"]))
    [(kind, answer)] = sent.calls
    assert kind == "respond" and answer["type"] == CHANNEL_MESSAGE
    assert answer["data"]["flags"] & EPHEMERAL and answer["data"]["content"].startswith("Thanks — noted 👎.")
    assert bot.corpus.answer_log.tally(kept["id"]) == (0, 1)
    await click(bot, click_payload("up", kept["id"]))
    assert bot.corpus.answer_log.tally(kept["id"]) == (1, 0)
    [(vote,)] = bot.corpus.store.db.execute("SELECT user FROM votes").fetchall()
    assert vote == VOTER


async def test_a_click_on_an_answer_no_longer_on_record_is_told_so(bot) -> None:
    sent = await click(bot, click_payload("up", "0123456789ab"))
    assert sent.calls[0][1]["data"]["content"].startswith("I no longer have that answer on record")


def test_buttons_go_on_the_last_message_of_a_long_answer() -> None:
    paragraph = "The gap in sensors is narrowing, several founders said. " * 40
    reply = Reply(command="ask", title="Long", sections=[Section(f"{paragraph}\n\n" * 8)], answer_id="ab12")
    out = render(reply)
    assert len(out) > 1 and [m.votes for m in out] == [None] * (len(out) - 1) + ["ab12"]
    assert render(Reply(command="help", title="Help", answer_id="ab12"))[0].votes is None
