"""A thread is part of its channel: GAPBOT_DISCORD_CHANNELS allows (or refuses) requests in a thread by the
channel the thread belongs to, as README.md says. Slash commands from recorded interaction payloads, moved
into a thread; mentions through dpytest's fake Discord with a real discord.Thread in its guild."""
from __future__ import annotations

import discord
import discord.ext.test as dpytest
import pytest
from test_discord_slash import interact, payload
from test_guard import discord_bot

from bot.guard import NOT_ENABLED, Guard, Policy
from bot.reply import Reply

CHANNEL, OTHER, THREAD = "1300000000000000003", "1300000000000000099", "1300000000000000050"


def in_thread(data: dict, parent: str) -> dict:
    """The interaction as Discord sends it from a public thread under `parent`."""
    data["channel_id"] = THREAD
    data["channel"] = {"id": THREAD, "type": 11, "guild_id": data["guild_id"], "parent_id": parent,
                       "name": "chip talk", "owner_id": "1300000000000000004", "flags": 0,
                       "rate_limit_per_user": 0, "message_count": 3, "member_count": 2,
                       "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "locked": False,
                                           "archive_timestamp": "2024-03-01T09:30:00.000000+00:00"}}
    return data


@pytest.mark.parametrize("parent, answered", [(CHANNEL, True), (OTHER, False)])
async def test_a_slash_command_in_a_thread_is_checked_by_its_channel(tmp_path, monkeypatch, parent: str,
                                                                    answered: bool) -> None:
    monkeypatch.setattr("adapters.discord.client.run_command", lambda request,
                        corpus, **_: Reply(command="gap", title="Gap"))
    bot = await discord_bot(tmp_path, Policy(channels=frozenset({CHANNEL})))
    try:
        sent = await interact(bot, in_thread(payload("gap"), parent))
        if answered:
            assert sent.kinds() == ["respond", "followup"]
        else:
            assert sent.kinds() == ["respond"] and sent.calls[0][1]["data"]["content"] == NOT_ENABLED
    finally:
        await bot.close()


@pytest.fixture
async def thread_bot(tmp_path, monkeypatch):
    """A bot in dpytest's fake guild, allowed only in its first text channel; returns (bot, that channel)."""
    from adapters.discord import create_bot
    from corpus.embed import HashEmbedder

    monkeypatch.chdir(tmp_path)
    client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False)
    await client._async_setup_hook()
    client._connection._intents.members = True
    client._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(client._connection._intents)
    dpytest.configure(client, members=["ada"])
    channel = dpytest.get_config().channels[0]
    client.guard = Guard(Policy(channels=frozenset({str(channel.id)})))
    yield client, channel
    await dpytest.empty_queue()


def thread_under(channel: discord.TextChannel, thread_id: int) -> discord.Thread:
    data = {"id": str(thread_id), "type": 11, "guild_id": str(channel.guild.id), "parent_id": str(channel.id),
            "name": "chip talk", "owner_id": str(channel.guild.me.id), "flags": 0, "rate_limit_per_user": 0,
            "message_count": 0, "member_count": 1,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "locked": False,
                                "archive_timestamp": "2024-03-01T09:30:00.000000+00:00"}}
    thread = discord.Thread(guild=channel.guild, state=channel._state, data=data)
    channel.guild._add_thread(thread)
    return thread


async def test_a_mention_in_a_thread_under_an_allowed_channel_is_answered(thread_bot, monkeypatch) -> None:
    bot, channel = thread_bot
    asked: list[str] = []
    monkeypatch.setattr("adapters.discord.client.run_command",
                        lambda request,
                        corpus, **_: asked.append(request.channel) or Reply(command="gap", title="Gap"))
    thread = thread_under(channel, 1300000000000000051)
    await dpytest.message(f"<@{bot.user.id}> /gap", channel=thread)
    assert asked == [str(thread.id)]  # answered, and the request still says where it was asked
