"""Sharing from Discord, end to end through the real discord.py client: /add as a slash command, the "Add to
gapbot" message context menu (interactions built from recorded payloads), and a watched channel through
dpytest's fake Discord (reactions, the reason sent by DM), with article pages on loopback."""
from __future__ import annotations

import asyncio
import copy
import json
import threading

import discord
import discord.ext.test as dpytest
import pytest
import yarl
from aiohttp import web
from discord.ext.test import backend
from discord.gateway import DiscordWebSocket
from discord_fake import APPLICATION, BOT_USER
from test_add import PAGE, loopback_intake
from test_discord_slash import EPHEMERAL, FIXTURES, RecordingAdapter, payload
from test_discord_slash import interact as answered

from adapters.discord import create_bot, main, watching_any
from adapters.discord.client import DiscordBot
from bot.intake import AddPolicy, Intake
from corpus.api import Corpus
from corpus.embed import HashEmbedder
from corpus.fetch import Fetcher, Reach
from corpus.watch_store import Watch

DEFERRED = 5
USER, CHANNEL = "1300000000000000004", "1300000000000000003"
ADMINISTRATOR = 8
MESSAGE_ID = "1300000000000000777"


@pytest.fixture
async def bot(tmp_path):
    client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False,
                        intake=loopback_intake())
    await client._async_setup_hook()
    client._connection.user = discord.ClientUser(state=client._connection, data={
        "id": "1300000000000000001", "username": "gapbot", "discriminator": "0", "avatar": None, "bot": True})
    yield client
    await client.close()


async def interact(bot, data: dict) -> RecordingAdapter:
    """Deliver an interaction and wait until the bot has answered it (a first add loads the extraction
    libraries, slow on a busy machine, hence the long wait)."""
    return await answered(bot, data, timeout=120)


def menu_payload(content: str, *, embeds: list[dict] | None = None) -> dict:
    """An interaction choosing Apps -> Add to gapbot on a message by another member."""
    data = json.loads((FIXTURES / "interaction_command.json").read_text())
    author = {"id": "1300000000000000005", "username": "bob", "discriminator": "0", "avatar": None}
    message = {"id": MESSAGE_ID, "channel_id": CHANNEL, "type": 0, "content": content, "author": author,
               "embeds": embeds or [], "attachments": [], "mentions": [], "mention_roles": [],
               "mention_everyone": False, "pinned": False, "tts": False, "edited_timestamp": None,
               "timestamp": "2026-02-14T09:00:00+00:00"}
    data["data"] = {"id": "1300000000000000011", "name": "Add to gapbot", "type": 3, "target_id": MESSAGE_ID,
                    "resolved": {"messages": {MESSAGE_ID: message}}}
    return data


async def test_add_as_a_slash_command(bot, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    sent = await interact(bot, payload("add", httpserver.url_for("/harbour")))
    assert sent.kinds() == ["respond", "followup"]
    assert sent.calls[0][1] == {"type": DEFERRED}  # public: the channel sees what was added
    body = sent.followups()[0]
    assert not body.get("flags", 0) & EPHEMERAL
    assert body["embeds"][0]["title"] == "Added: Harbour labs weigh the chip race"
    assert "2–3 years, China behind" in body["embeds"][0]["description"]
    [record] = bot.corpus.add_log.recent(limit=1)
    assert (record.platform, record.user, record.channel, record.space) == (
        "discord", USER, CHANNEL, "1300000000000000002")


async def test_the_context_menu_adds_the_messages_links_privately(bot, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/harbour")
    # the link in the message's embed (a link preview) as well as in its words
    sent = await interact(bot, menu_payload(f"have a look {url}", embeds=[{"type": "link", "url": url}]))
    assert sent.kinds() == ["respond", "followup"]
    assert sent.calls[0][1] == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
    body = sent.followups()[0]
    assert body["flags"] & EPHEMERAL
    assert body["embeds"][0]["title"] == "Added: Harbour labs weigh the chip race"
    assert len(httpserver.log) == 1
    [record] = bot.corpus.add_log.recent(limit=1)
    assert (record.user, record.channel) == (USER, CHANNEL)  # who chose the menu, not who wrote the message


async def test_the_context_menu_on_a_message_without_a_link(bot):
    sent = await interact(bot, menu_payload("nothing to see"))
    assert sent.kinds() == ["respond"]
    answer = sent.calls[0][1]
    assert answer["data"]["flags"] & EPHEMERAL
    assert answer["data"]["content"] == "That message has no http(s) link to add."


def admin(data: dict) -> dict:
    data = copy.deepcopy(data)
    data["member"]["permissions"] = str(int(data["member"]["permissions"]) | ADMINISTRATOR)
    return data


async def test_watch_by_a_server_admin_and_not_by_a_member(bot):
    refused = (await interact(bot, payload("watch", "on"))).followups()[0]
    assert refused["flags"] & EPHEMERAL and "can use /watch" in refused["content"]
    assert bot.corpus.watches.listed("discord") == []
    on = (await interact(bot, admin(payload("watch", "on")))).followups()[0]
    assert on["embeds"][0]["title"] == "gapbot now watches this channel"
    # this bot was started with no channel watched, so without the message content intent: it says so
    assert "restart" in on["embeds"][0]["description"]
    assert [w.channel for w in bot.corpus.watches.listed("discord")] == [CHANNEL]
    status = (await interact(bot, admin(payload("watch")))).followups()[0]
    assert status["embeds"][0]["title"] == "This channel is watched."
    off = (await interact(bot, admin(payload("watch", "off")))).followups()[0]
    assert off["embeds"][0]["title"] == "gapbot no longer watches this channel"


def test_the_message_content_intent_is_asked_for_only_when_a_channel_is_watched(tmp_path):
    db = tmp_path / "g.db"
    quiet = create_bot(db, seed=False, embedder=HashEmbedder(), warm=False, intake=loopback_intake())
    assert not quiet.intents.message_content and not quiet.intake.policy.hears_channels
    configured = Intake(lambda: Fetcher(reach=Reach()),
                        AddPolicy.from_env({"GAPBOT_WATCH_CHANNELS": "discord:1300000000000000003"}))
    assert create_bot(db, seed=False, embedder=HashEmbedder(), warm=False, intake=configured).intents \
        .message_content
    assert not watching_any(quiet.corpus, Intake(lambda: Fetcher(), AddPolicy.from_env(
        {"GAPBOT_WATCH_CHANNELS": "slack:C1"})))
    quiet.corpus.watches.watch(Watch("discord", "42", "1", "7", "2026-12-01T00:00:00+00:00"))
    restarted = create_bot(db, seed=False, embedder=HashEmbedder(), warm=False, intake=loopback_intake())
    assert restarted.intents.message_content and restarted.intake.policy.hears_channels


# --- a watched channel, through dpytest ------------------------------------------------------------------

async def watching_bot(tmp_path, intake: Intake) -> DiscordBot:
    corpus = Corpus.open(tmp_path / "w.db", seed=False, embedder=HashEmbedder())
    client = DiscordBot(corpus, warm=False, intake=intake, watching=True)
    await client._async_setup_hook()
    client._connection._intents.members = True  # dpytest builds its guild from member events (see mentions)
    client._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(client._connection._intents)
    dpytest.configure(client, members=["ada", "bob"])
    client.reacted = []  # type: ignore[attr-defined]

    async def add_reaction(channel_id: int, message_id: int, emoji: str) -> None:
        # dpytest's own add_reaction builds an event this discord.py no longer parses: record the call instead
        client.reacted.append((message_id, emoji))  # type: ignore[attr-defined]

    client.http.add_reaction = add_reaction  # type: ignore[method-assign]
    channel = dpytest.get_config().channels[0]
    corpus.watches.watch(Watch("discord", str(channel.id), str(channel.guild.id), None,
                               "2026-12-01T00:00:00+00:00"))
    return client


def marks(client: DiscordBot, message: discord.Message) -> list[str]:
    return [emoji for mid, emoji in client.reacted if mid == message.id]  # type: ignore[attr-defined]


async def test_links_posted_in_a_watched_channel_get_reactions(tmp_path, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/harbour")
    client = await watching_bot(tmp_path, loopback_intake())
    try:
        quiet = await dpytest.message("no link, just words")
        first = await dpytest.message(f"worth a read {url}")
        again = await dpytest.message(f"seen this? {url}", member=1)
        assert marks(client, quiet) == [] and marks(client, first) == ["✅"]
        assert marks(client, again) == ["♻️"]
        assert dpytest.verify().message().nothing()  # reactions only: nothing posted
        assert [r.status for r in client.corpus.add_log.recent(limit=5)] == ["duplicate", "added"]
    finally:
        await dpytest.empty_queue()


async def test_a_refused_link_gets_a_warning_and_the_reason_by_dm(tmp_path, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    client = await watching_bot(tmp_path, Intake(lambda: Fetcher(reach=Reach())))
    try:
        posted = await dpytest.message(f"look {httpserver.url_for('/harbour')}")
        assert marks(client, posted) == ["⚠️"]
        told = dpytest.get_message()
        assert isinstance(told.channel, discord.DMChannel)
        assert told.channel == posted.author.dm_channel  # the poster's DM
        assert "loopback address" in told.content or "loopback address" in told.embeds[0].description
        assert httpserver.log == []  # never fetched
    finally:
        await dpytest.empty_queue()


async def test_the_bots_own_and_other_bots_messages_are_not_added(tmp_path, httpserver):
    client = await watching_bot(tmp_path, loopback_intake())
    try:
        channel = dpytest.get_config().channels[0]
        backend.make_message(f"mine {httpserver.url_for('/a')}", client.user, channel)
        await dpytest.run_all_events()
        assert client.reacted == [] and httpserver.log == []  # type: ignore[attr-defined]
        assert client.corpus.add_log.recent(limit=1) == []
    finally:
        await dpytest.empty_queue()


async def test_with_dms_closed_the_reason_is_a_short_reply(tmp_path, httpserver):
    client = await watching_bot(tmp_path, Intake(lambda: Fetcher(reach=Reach())))

    async def dms_closed(user_id: int):
        raise discord.Forbidden(FakeResponse(403), {"code": 50007,
                                                     "message": "Cannot send messages to this user"})

    client.http.start_private_message = dms_closed  # type: ignore[method-assign]
    try:
        posted = await dpytest.message(f"look {httpserver.url_for('/harbour')}")
        assert marks(client, posted) == ["⚠️"]
        told = dpytest.get_message()
        assert told.channel == posted.channel and told.content.startswith("**Refused: ")
        assert "loopback address" in told.content and len(told.content) < 500
    finally:
        await dpytest.empty_queue()


class FakeResponse:
    """What discord.HTTPException reads from an HTTP answer."""

    def __init__(self, status: int) -> None:
        self.status, self.reason = status, "Forbidden"


def test_a_refused_message_content_intent_is_one_clear_line(tmp_path, monkeypatch, capsys):
    gateway = RefusingGateway()
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(gateway.url))

    async def request(http, route, **kwargs):  # Discord's REST API: only the login is asked for
        logins = {"/users/@me": BOT_USER, "/oauth2/applications/@me": APPLICATION}
        assert route.method == "GET" and route.path in logins, route.path
        return logins[route.path]

    monkeypatch.setattr(discord.http.HTTPClient, "request", request)
    for name, value in {"DISCORD_TOKEN": "fake-token", "GAPBOT_EMBEDDER": "hash",
                        "GAPBOT_WATCH_CHANNELS": "discord:1300000000000000003"}.items():
        monkeypatch.setenv(name, value)
    try:
        assert main(["discord"], db=str(tmp_path / "x.db"), seed=False) == 1
    finally:
        gateway.close()
    err = capsys.readouterr().err
    assert err.startswith("gapbot discord: Discord refused the Message Content intent")
    assert "Privileged Gateway Intents" in err and err.count("\n") == 1
    assert gateway.intents and gateway.intents[0] & MESSAGE_CONTENT  # it asked for it


MESSAGE_CONTENT = 1 << 15


class RefusingGateway:
    """A local Discord gateway that says hello, reads the IDENTIFY and closes with 4014 (disallowed
    intents), as Discord does when the Message Content intent is not enabled for the application."""

    def __init__(self) -> None:
        self.intents: list[int] = []
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._serve, args=(started,), daemon=True).start()
        assert started.wait(10)

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/", self._socket)
        self.runner = web.AppRunner(app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.url = f"ws://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/"  # type: ignore[union-attr]
        started.set()
        self.loop.run_forever()

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None}))
        async for frame in ws:  # a heartbeat may come before the IDENTIFY
            sent = json.loads(frame.data)
            if sent["op"] == 2:
                self.intents.append(sent["d"]["intents"])
                await ws.close(code=4014, message=b"Disallowed intent(s).")
        return ws

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
