"""Thread follow-ups on Discord, end to end through the real discord.py client and dpytest's fake Discord: a
reply to gapbot's answer ("@gapbot what about video?") is answered with the subject it carries, and so is a
mention in a thread where gapbot answered. The articles are invented for the tests."""
from __future__ import annotations

from pathlib import Path

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend, factories
from test_discord_mentions import sent as recorded
from test_discord_slash import interact, payload
from test_discord_threads import thread_under
from test_guard import discord_bot

from adapters.discord import create_bot
from bot.guard import Policy
from corpus.embed import HashEmbedder

SCRAPES = Path(__file__).parent / "fixtures" / "scrapes"


@pytest.fixture
async def bot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # dpytest saves the files the bot sends (the /gap chart) here
    client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False)
    results = client.corpus.index([str(SCRAPES / "lab_rivalry.txt"), str(SCRAPES / "drone_rivals.txt")])
    assert all(r.status == "added" for r in results), results
    await client._async_setup_hook()
    # dpytest builds its guild from member-add events, cached only with the members intent (see
    # test_discord_mentions.py: the real bot runs without it); a copy, as the bot's INTENTS are shared
    client._connection._intents = discord.Intents._from_value(client._connection._intents.value)
    client._connection._intents.members = True
    client._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(client._connection._intents)
    dpytest.configure(client, members=["ada"])
    yield client
    await dpytest.empty_queue()


@pytest.fixture
def sent(bot):
    """The payload of every message the bot sends, as test_discord_mentions.py records them."""
    return recorded.__wrapped__(bot)


async def asked(bot, sent: list[dict], *args, **kwargs) -> list[dict]:
    """ask(), then what the bot sent."""
    await ask(bot, *args, **kwargs)
    return sent


async def ask(bot, text: str, *, channel=None, replying_to: discord.Message | None = None) -> discord.Message:
    """@gapbot TEXT from ada (as a reply to a message, if given); gapbot's answer."""
    config = dpytest.get_config()
    channel = channel or config.channels[0]
    content = f"<@{bot.user.id}> {text}"
    data = factories.make_message_dict(channel, config.members[0], content=content, guild_id=channel.guild.id,
                                       mentions=backend.find_user_mentions(content, channel.guild))
    if replying_to is not None:
        data["message_reference"] = {"message_id": str(replying_to.id), "channel_id": str(channel.id),
                                     "guild_id": str(channel.guild.id)}
    backend.get_state().parse_message_create(data)
    backend._cur_config.messages.setdefault(channel.id, []).append(data)  # where fetch_message finds it
    await dpytest.run_all_events()
    return dpytest.get_message()


def said(sent: list[dict]) -> tuple[str, str]:
    """The title and description of the embed of the last message the bot sent (as it sent it: dpytest's
    fake drops the embed of a message that carries a file, such as the /gap chart); where the bot may not
    embed (dpytest's threads), the bold first line and the rest of its text."""
    if sent[-1].get("embeds"):
        embed = sent[-1]["embeds"][0]
        return embed.get("title", ""), embed.get("description", "")
    title, _, text = sent[-1]["content"].partition("\n\n")
    return title.strip("*"), text


async def test_a_reply_to_a_gap_answer_is_answered_with_the_carried_topic(bot, sent) -> None:
    first = await ask(bot, "/gap chips")
    assert said(sent)[0].startswith("China–US AI gap on “chips”")
    kept = bot.corpus.answer_log.by_message("discord", str(first.channel.id), str(first.id))
    assert kept is not None and (kept.command, kept.args) == ("gap", "chips")  # the sent message was noted
    title, text = said(await asked(bot, sent, "what about video?", replying_to=first))
    assert title.startswith("China–US AI gap on “video”: 1 estimate")
    assert text.startswith("(following up on /gap: /gap video)\n")


async def test_a_reply_reaches_back_along_the_chain_to_name_the_person(bot, sent) -> None:
    first = await ask(bot, "/gap talent")
    second = await ask(bot, "what about chips?", replying_to=first)
    title, text = said(await asked(bot, sent, "what did she say about video?", replying_to=second))
    assert title == "What the articles say: what did Odile Fenwick say about video?"
    assert "Fenwick added that the gap in video generation" in text


async def test_why_in_reply_quotes_the_context_of_the_last_cited_sentence(bot, sent) -> None:
    first = await ask(bot, "/gap video")
    title, text = said(await asked(bot, sent, "why?", replying_to=first))
    assert title == "Why: the last sentence quoted [1], in its context"
    assert text.startswith("(following up on /gap: where its last quote comes from)")
    assert "Odile Fenwick, an analyst at Kestrel Research, said" in text


async def test_a_mention_in_a_thread_where_gapbot_answered_carries_the_subject(bot, sent) -> None:
    thread = thread_under(dpytest.get_config().channels[0], 1300000000000000061)
    await ask(bot, "/gap chips", channel=thread)
    title, text = said(await asked(bot, sent, "and talent?", channel=thread))
    assert title.startswith("China–US AI gap on “talent”")
    assert text.startswith("(following up on /gap: /gap talent)")


async def test_a_mention_that_replies_to_nothing_of_gapbots_stands_as_typed(bot, sent) -> None:
    user_message = await dpytest.message("just chatting about chips")
    title, _ = said(await asked(bot, sent, "what about video?", replying_to=user_message))
    assert title == "What the articles say: what about video?"


async def test_a_slash_command_answer_is_noted_by_its_follow_up_message(tmp_path) -> None:
    bot = await discord_bot(tmp_path, Policy())
    bot.corpus.index([str(SCRAPES / "lab_rivalry.txt")])
    calls = await interact(bot, payload("gap", "chips"))
    assert calls.kinds() == ["respond", "followup"]
    answers = bot.corpus.answer_log.in_thread("discord", "1300000000000000003", "", limit=5)
    assert answers == []  # not in a thread: found by the message it was posted as
    kept = bot.corpus.answer_log.by_message("discord", "1300000000000000003", "1300000000000001000")
    assert kept is not None and (kept.command, kept.args) == ("gap", "chips")

