"""Mentions and DMs, end to end through dpytest's fake Discord: mention -> reply, no mention -> silence."""
from __future__ import annotations

import json
import logging
import sys

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend

from adapters.discord import client as discord_client
from adapters.discord import create_bot
from bot.reply import Attachment, Citation, Reply, Section
from corpus.embed import HashEmbedder


@pytest.fixture
async def bot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # dpytest saves the files the bot sends into the working directory
    client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False)
    await client._async_setup_hook()
    # dpytest builds its guild from member-add events, which discord.py caches only with the members intent;
    # the real bot runs without it (Discord sends the bot's own member with each guild).
    client._connection._intents.members = True
    client._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(client._connection._intents)
    dpytest.configure(client, members=["ada", "bob"])
    yield client
    await dpytest.empty_queue()


@pytest.fixture
def sent(bot):
    """The payload of every message the bot sends (dpytest's fake keeps neither reference nor mentions)."""
    payloads: list[dict] = []
    fake_send = bot.http.send_message

    async def send_message(channel_id, *, params):
        body = params.payload if params.payload is not None else json.loads(params.multipart[0]["value"])
        payloads.append({**body, "files": [f.filename for f in params.files or []]})
        channel = sys._getframe(1).f_locals["channel"]  # noqa: F841 - dpytest's fake reads its caller's `channel`
        return await fake_send(channel_id, params=params)

    bot.http.send_message = send_message
    return payloads


@pytest.fixture
def core(monkeypatch):
    """Replace the core with one that answers with `core.reply`, or echoes the text it was given."""

    class Core:
        def __init__(self) -> None:
            self.reply: Reply | None = None
            self.texts: list[str] = []

        def __call__(self, request, corpus, **_):
            self.texts.append(request.text)
            return self.reply or Reply(command="ask", title=f"You asked: {request.text}",
                                       sections=[Section(f"• {request.text}")])

    fake = Core()
    monkeypatch.setattr(discord_client, "run_command", fake)
    return fake


def mention(bot) -> str:
    return f"<@{bot.user.id}>"


async def test_a_mention_is_answered_with_a_reply_to_that_message(bot, sent):
    question = await dpytest.message(f"{mention(bot)} /help")
    reply = dpytest.get_message()
    assert reply.embeds[0].title == "gapbot answers from the articles your team has shared."
    assert "/who" in reply.embeds[0].description
    assert sent[0]["message_reference"]["message_id"] == question.id
    assert sent[0]["allowed_mentions"] == {"parse": []}  # and no replied_user: the asker is not pinged
    assert dpytest.verify().message().nothing()


async def test_the_mention_is_removed_wherever_it_is(bot, sent, core):
    await dpytest.message(f"hey {mention(bot)} who is iflytek?")
    assert core.texts == ["hey who is iflytek?"]
    assert dpytest.get_message().embeds[0].title == "You asked: hey who is iflytek?"


async def test_no_mention_no_reply(bot, sent, core):
    await dpytest.message("who is iflytek?")
    await dpytest.message("@everyone who is iflytek?")
    assert dpytest.verify().message().nothing()
    assert core.texts == [] and sent == []


async def test_the_bots_own_messages_are_ignored(bot, sent, core):
    channel = dpytest.get_config().channels[0]
    backend.make_message(f"{mention(bot)} /help", bot.user, channel)
    await dpytest.run_all_events()
    assert dpytest.verify().message().nothing()
    assert core.texts == []


async def test_a_direct_message_needs_no_mention(bot, sent, core):
    ada = dpytest.get_config().members[0]
    dm = await ada.create_dm()
    await dpytest.message("gap chips", channel=dm, member=ada)
    assert core.texts == ["gap chips"]
    assert dpytest.get_message().channel == dm


async def test_nothing_the_user_typed_can_ping(bot, sent, core):
    ada = dpytest.get_config().members[0]
    role = "<@&123456789012345678>"
    await dpytest.message(f"{mention(bot)} who is @everyone or @here or <@{ada.id}> or {role}")
    body = sent[0]
    text = json.dumps(body, ensure_ascii=False)
    for ping in ("@everyone", "@here", f"<@{ada.id}>", "<@&123456789012345678>"):
        assert ping not in text
    assert "@\u200beveryone" in body["embeds"][0]["title"]
    assert body["allowed_mentions"] == {"parse": []}


async def test_an_unknown_command_gets_a_suggestion(bot, sent):
    await dpytest.message(f"{mention(bot)} /hepl")
    content = dpytest.get_message().embeds[0].title
    assert "/hepl" in content and "/help" in content


async def test_a_one_line_reply_is_a_plain_message(bot, sent, core):
    core.reply = Reply(command="who", title="I don't know anyone called Zork.", answered=False)
    await dpytest.message(f"{mention(bot)} /who zork")
    reply = dpytest.get_message()
    assert reply.content == "I don't know anyone called Zork." and not reply.embeds


async def test_without_embed_permission_a_long_reply_is_split_into_plain_messages(bot, sent, core):
    channel = dpytest.get_config().channels[0]
    await dpytest.set_permission_overrides(channel.guild.default_role, channel, embed_links=False)
    words = " ".join(f"word{i}" for i in range(900))
    core.reply = Reply(command="ask", title="Long", sections=[Section(words)],
                       citations=[Citation(1, "a1", "Title", "Quote.", "Pub", "2024-01-02", "https://x.org/a")])
    await dpytest.message(f"{mention(bot)} /ask long")
    assert len(sent) >= 4
    assert all(len(m["content"]) <= 2000 and not m.get("embeds") for m in sent)
    assert "message_reference" in sent[0] and all("message_reference" not in m for m in sent[1:])
    joined = " ".join(m["content"] for m in sent)
    assert all(f"word{i} " in joined for i in range(899))  # nothing lost, no word cut in two
    assert sent[-1]["content"].endswith("-# Searched 0 articles")
    assert "<https://x.org/a>" in sent[-1]["content"]


async def test_the_chart_is_attached_as_a_file(bot, sent, core):
    core.reply = Reply(command="gap", title="The gap", sections=[Section("About two years. [1]")],
                       image=Attachment("gap.png", lambda: b"\x89PNG fake", "Estimates"))
    await dpytest.message(f"{mention(bot)} /gap")
    assert [a.filename for a in dpytest.get_message().attachments] == ["gap.png"]
    assert sent[0]["files"] == ["gap.png"]
    assert sent[0]["embeds"][0]["image"]["url"] == "attachment://gap.png"


async def test_no_message_content_in_the_logs(bot, sent, caplog):
    caplog.set_level(logging.DEBUG, logger="adapters")
    await dpytest.message(f"{mention(bot)} what about the secret-word-xyzzy")
    assert dpytest.get_message()
    assert "adapters.discord" in caplog.text
    assert "xyzzy" not in caplog.text
