"""Slash commands, driven offline: discord.Interaction objects built from recorded interaction payloads.

Discord's interaction endpoints are replaced by a recording adapter, so each test can assert what was sent,
in what order: the defer, the follow-ups, their ephemeral flag (64), the autocomplete choices.
"""
from __future__ import annotations

import asyncio
import copy
import json
import threading
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from adapters.discord import create_bot
from adapters.discord.slash import option_name
from bot.core import commands
from bot.registry import COMMANDS, command
from bot.reply import Citation, Reply, Request, Section
from corpus.embed import HashEmbedder

FIXTURES = Path(__file__).parent / "fixtures" / "discord"
BOT_USER = {"id": "1300000000000000001", "username": "gapbot", "discriminator": "0", "avatar": None,
            "bot": True, "global_name": None, "public_flags": 0}
EPHEMERAL = 64
DEFERRED_CHANNEL_MESSAGE = 5
AUTOCOMPLETE_RESULT = 8


class RecordingAdapter(AsyncWebhookAdapter):
    """Stands in for Discord's interaction endpoints; records each call. Any other call fails loudly."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, Any]] = []
        self._ids = iter(range(1300000000000001000, 1300000000000002000))

    async def create_interaction_response(self, interaction_id, token, *, session, proxy=None,
                                          proxy_auth=None, params):
        self.calls.append(("respond", params.payload))
        flags = (params.payload.get("data") or {}).get("flags", 0)
        return {"interaction": {"id": str(interaction_id), "type": 2, "response_message_ephemeral":
                                bool(flags & EPHEMERAL), "response_message_loading": True}}

    async def delete_original_interaction_response(self, application_id, token, *, session, proxy=None,
                                                   proxy_auth=None):
        self.calls.append(("delete_original", None))

    async def execute_webhook(self, webhook_id, token, *, session, proxy=None, proxy_auth=None, payload=None,
                              multipart=None, files=None, thread_id=None, wait=False, with_components=False):
        body = payload if payload is not None else json.loads(multipart[0]["value"])
        self.calls.append(("followup", {**body, "files": [f.filename for f in files or []]}))
        return {"id": str(next(self._ids)), "channel_id": "1300000000000000003", "type": 0,
                "content": body.get("content", ""), "embeds": body.get("embeds", []), "attachments": [],
                "author": {"id": str(webhook_id), "username": "gapbot", "discriminator": "0", "avatar": None},
                "mentions": [], "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
                "timestamp": "2025-01-01T00:00:00+00:00", "edited_timestamp": None,
                "flags": body.get("flags", 0), "webhook_id": str(webhook_id)}

    async def request(self, *args, **kwargs):  # pragma: no cover - only reached by a call not faked above
        raise AssertionError(f"unexpected call to Discord: {args} {kwargs}")

    def kinds(self) -> list[str]:
        """The calls made, in order."""
        return [kind for kind, _ in self.calls]

    def followups(self) -> list[dict[str, Any]]:
        """The follow-up message bodies, in order."""
        return [body for kind, body in self.calls if kind == "followup"]


@pytest.fixture
async def bot(tmp_path):
    client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False)
    await client._async_setup_hook()
    # what login() would set from GET /users/@me
    client._connection.user = discord.ClientUser(state=client._connection, data=BOT_USER)
    yield client
    await client.close()


def payload(name: str, value: str | None = None, *, fixture: str = "interaction_command.json",
            option: str | None = None) -> dict[str, Any]:
    """A recorded interaction payload, invoking /name with its one option (named as the registry says)."""
    data = json.loads((FIXTURES / fixture).read_text())
    data["data"]["name"] = name
    arg = option or (option_name(COMMANDS[name].arg or "") if name in COMMANDS else "text")
    if value is None:
        data["data"].pop("options", None)
    else:
        focused = data["data"].get("options", [{}])[0].get("focused")
        data["data"]["options"] = [{"name": arg, "type": 3, "value": value, **({"focused": True} if focused
                                                                             else {})}]
    return data


async def interact(bot, data: dict[str, Any], *, timeout: float = 10) -> RecordingAdapter:
    """Deliver an INTERACTION_CREATE event as the gateway would, and wait until the bot has answered it."""
    adapter = RecordingAdapter()
    token = async_context.set(adapter)
    try:
        bot._connection.parse_interaction_create(copy.deepcopy(data))
        invokers = [t for t in asyncio.all_tasks() if t.get_name() == "CommandTree-invoker"]
        await asyncio.wait_for(asyncio.gather(*invokers), timeout=timeout)
    finally:
        async_context.reset(token)
    return adapter


@pytest.fixture
def core(monkeypatch):
    """Replace the core with a stand-in that records each Request and answers with `core.reply`."""

    class Core:
        def __init__(self) -> None:
            spark = Citation(1, "a1", "iFlytek's Spark", "Quote.", "Caixin", "2024-05-01",
                             "https://example.com/spark")
            self.reply = Reply(command="who", title="iFLYTEK", citations=[spark],
                               sections=[Section("A Hefei speech company. [1]")])
            self.requests: list[Request] = []
            self.threads: list[str] = []

        def __call__(self, request, corpus, **_):
            self.requests.append(request)
            self.threads.append(threading.current_thread().name)
            return self.reply

    fake = Core()
    monkeypatch.setattr("adapters.discord.client.run_command", fake)
    return fake


async def test_slash_defers_at_once_then_follows_up_in_public(bot, core):
    sent = await interact(bot, payload("who", "iflytek"))
    assert sent.kinds() == ["respond", "followup"]
    assert sent.calls[0][1] == {"type": DEFERRED_CHANNEL_MESSAGE}  # public "thinking…", no flags
    body = sent.followups()[0]
    assert not body.get("flags", 0) & EPHEMERAL
    assert body["embeds"][0]["title"] == "iFLYTEK"
    assert "[iFlytek's Spark](https://example.com/spark)" in body["embeds"][0]["description"]
    assert body["allowed_mentions"] == {"parse": []}  # nothing in it may ping anyone
    assert core.requests == [Request("/who iflytek", platform="discord", user="1300000000000000004",
                                     channel="1300000000000000003", is_admin=False,
                                     space="1300000000000000002")]
    assert core.threads[0] != threading.main_thread().name


@pytest.mark.parametrize("reply", [
    Reply(command="ask", title="Nothing in the corpus answers that.", answered=False),
    Reply(command="who", title="not ready yet", answered=False, ephemeral=True),
], ids=["unanswered", "error"])
async def test_errors_and_misses_are_ephemeral(bot, core, reply):
    core.reply = reply
    sent = await interact(bot, payload("ask", "what is the meaning of life"))
    # the public "thinking…" message is deleted so that the follow-up can be ephemeral
    assert sent.kinds() == ["respond", "delete_original", "followup"]
    assert sent.followups()[0]["flags"] & EPHEMERAL
    assert sent.followups()[0]["content"] == reply.title


async def test_help_from_the_real_core_is_ephemeral_in_a_dm(bot):
    sent = await interact(bot, payload("help", fixture="interaction_dm.json"))
    assert sent.kinds() == ["respond", "delete_original", "followup"]
    body = sent.followups()[0]
    assert body["flags"] & EPHEMERAL
    assert "/who" in body["embeds"][0]["description"]


async def test_every_registered_command_parses_its_option(bot, core):
    for cmd in commands():
        await interact(bot, payload(cmd.name, "x  y" if cmd.arg else None))
    expected = [f"/{c.name} x  y" if c.arg else f"/{c.name}" for c in commands()]
    assert [r.text for r in core.requests] == expected


async def test_an_optional_option_left_empty(bot, core):
    optional = next(c for c in commands() if c.arg and not c.required)
    await interact(bot, payload(optional.name))
    assert core.requests[-1].text == f"/{optional.name}"


async def test_unknown_command_gets_the_cores_suggestion_ephemerally(bot):
    sent = await interact(bot, payload("hepl", "me", option="topic"))
    assert sent.kinds() == ["respond", "delete_original", "followup"]
    body = sent.followups()[0]
    assert body["flags"] & EPHEMERAL
    assert "hepl" in body["embeds"][0]["title"] and "/help" in body["embeds"][0]["title"]


async def test_defer_comes_before_a_slow_core_which_never_blocks_the_loop(bot, monkeypatch):
    started, released = threading.Event(), threading.Event()
    released_in_time: list[bool] = []

    def slow_core(request, corpus, **_):  # a cold model load: it finishes only once the event loop has run
        started.set()
        released_in_time.append(released.wait(5))
        return Reply(command="ask", title="Answer", sections=[Section("Text.")])

    monkeypatch.setattr("adapters.discord.client.run_command", slow_core)

    async def release_from_the_loop():
        while not started.is_set():
            await asyncio.sleep(0.005)
        released.set()

    release = asyncio.create_task(release_from_the_loop())
    sent = await interact(bot, payload("ask", "anything"))
    release.cancel()
    assert sent.kinds() == ["respond", "followup"]
    assert released_in_time == [True]  # the loop kept running while the core worked


async def test_long_answer_is_split_into_embeds_within_limits(bot, core):
    paragraph = "The gap in chips is widening according to several executives. " * 20
    core.reply = Reply(command="ask", title="Long", sections=[Section(f"{paragraph}\n\n" * 10)])
    sent = await interact(bot, payload("ask", "chips"))
    bodies = sent.followups()
    assert len(bodies) > 1
    assert all(len(b["embeds"][0]["description"]) <= 4096 for b in bodies)
    assert bodies[0]["embeds"][0]["title"] == "Long" and "title" not in bodies[1]["embeds"][0]


async def test_chart_is_attached_to_the_followup(bot, core):
    from bot.reply import Attachment

    core.reply = Reply(command="gap", title="The gap", sections=[Section("1–2 years [1]")],
                       image=Attachment("gap chart.png", lambda: b"\x89PNG fake", "Gap estimates"))
    body = (await interact(bot, payload("gap", "chips"))).followups()[0]
    assert body["files"] == ["gap_chart.png"]
    assert body["embeds"][0]["image"]["url"] == "attachment://gap_chart.png"


def _add_entities(bot, rows: list[tuple[str, str, list[str], int]]) -> None:
    with bot.corpus.store.transaction() as db:
        for name, kind, aliases, mentions in rows:
            db.execute("INSERT INTO entities(key, name, kind, aliases, mention_count) VALUES (?, ?, ?, ?, ?)",
                       [name.lower(), name, kind, json.dumps(aliases), mentions])


async def test_who_autocompletes_entity_names_most_mentioned_first(bot):
    _add_entities(bot, [("Liu Qingfeng", "person", [], 7), ("iFLYTEK", "company", ["iFlytek", "科大讯飞"], 6),
                        ("Zhou Hongyi", "person", [], 14), ("Flynn Labs", "company", [], 1)])
    sent = await interact(bot, payload("who", "fly", fixture="interaction_autocomplete.json"))
    assert sent.kinds() == ["respond"]
    answer = sent.calls[0][1]
    assert answer["type"] == AUTOCOMPLETE_RESULT
    assert answer["data"]["choices"] == [{"name": "Flynn Labs", "value": "Flynn Labs"},
                                         {"name": "iFLYTEK", "value": "iFLYTEK"}]
    sent = await interact(bot, payload("who", "", fixture="interaction_autocomplete.json"))
    names = [c["name"] for c in sent.calls[0][1]["data"]["choices"]]
    assert names == ["Zhou Hongyi", "Liu Qingfeng", "iFLYTEK", "Flynn Labs"]


async def test_who_autocomplete_with_no_entities_offers_nothing(bot):
    sent = await interact(bot, payload("who", "ifl", fixture="interaction_autocomplete.json"))
    assert sent.calls == [("respond", {"type": AUTOCOMPLETE_RESULT, "data": {"choices": []}})]


async def test_a_new_core_command_becomes_a_slash_command_without_adapter_changes(tmp_path):
    @command(arg="when", arg_help="which day's digest", required=True, admin=True)
    def cmd_zz_digest(args, ctx):
        """Post the digest."""
        return Reply(command="zz_digest", title="digest")

    try:
        client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False)
        spec = client.tree.get_command("zz_digest").to_dict(client.tree)
    finally:
        del COMMANDS["zz_digest"]
    assert spec["description"] == "Post the digest."
    assert spec["options"] == [{"type": 3, "name": "when", "description": "which day's digest",
                                "required": True}]
    assert spec["default_member_permissions"] == discord.Permissions(administrator=True).value
