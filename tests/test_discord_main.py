"""`gapbot discord [--sync]`: configuration errors, slash-command registration against a fake Discord API,
intents, and the model warm-up at start-up."""
from __future__ import annotations

import asyncio
import threading

import discord
import pytest

from adapters import cli
from adapters.discord import create_bot, main
from adapters.discord.client import INTENTS
from bot.core import commands

APP_ID = "1300000000000000001"
BOT_USER = {"id": APP_ID, "username": "gapbot", "discriminator": "0", "avatar": None, "bot": True,
            "global_name": None, "public_flags": 0}
APPLICATION = {"id": APP_ID, "name": "gapbot", "description": "", "icon": None, "bot_public": True,
               "bot_require_code_grant": False,
               "owner": {**BOT_USER, "id": "1300000000000000009", "bot": False},
               "verify_key": "0" * 64, "flags": 0}


@pytest.fixture
def discord_api(monkeypatch):
    """A stand-in for Discord's REST API: answers login and command registration; anything else fails."""
    calls: list[tuple[str, str, object]] = []

    async def request(http, route, **kwargs):
        calls.append((route.method, route.url.removeprefix(discord.http.Route.BASE), kwargs.get("json")))
        if (route.method, route.path) == ("GET", "/users/@me"):
            return BOT_USER
        if (route.method, route.path) == ("GET", "/oauth2/applications/@me"):
            return APPLICATION
        if route.method == "PUT" and route.path.endswith("/commands"):
            # Discord answers a context-menu command with an empty description
            return [{"description": "", **c, "id": str(1300000000000000200 + i), "application_id": APP_ID,
                     "version": "1"} for i, c in enumerate(kwargs["json"])]
        raise AssertionError(f"unexpected call to Discord: {route.method} {route.url}")

    monkeypatch.setattr(discord.http.HTTPClient, "request", request)
    return calls


@pytest.fixture
def env(monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("DISCORD_GUILD_ID", raising=False)
    monkeypatch.delenv("DISCORD_SHARD_IDS", raising=False)
    monkeypatch.delenv("DISCORD_SHARD_COUNT", raising=False)
    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")
    return monkeypatch


def test_a_missing_token_is_one_clear_line(env, tmp_path, capsys):
    assert cli.main(["--db", str(tmp_path / "x.db"), "--no-seed", "discord"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gapbot discord: DISCORD_TOKEN is not set") and err.count("\n") == 1


def test_a_malformed_guild_id_is_refused(env, tmp_path, capsys):
    env.setenv("DISCORD_TOKEN", "fake-token")
    env.setenv("DISCORD_GUILD_ID", "my-server")
    assert main(["discord", "--sync"], db=str(tmp_path / "x.db"), seed=False) == 1
    assert "DISCORD_GUILD_ID must be a server's numeric id" in capsys.readouterr().err


def test_sync_registers_every_command_to_the_test_server(env, tmp_path, capsys, discord_api):
    env.setenv("DISCORD_TOKEN", "fake-token")
    env.setenv("DISCORD_GUILD_ID", "1300000000000000002")
    assert main(["discord", "--sync"], db=str(tmp_path / "x.db"), seed=False) == 0
    method, path, body = discord_api[-1]
    assert (method, path) == ("PUT", f"/applications/{APP_ID}/guilds/1300000000000000002/commands")
    slash = [c for c in body if c["type"] == 1]
    assert [c["name"] for c in slash] == [c.name for c in commands()]
    for spec, cmd in zip(slash, commands(), strict=True):
        assert [o["name"] for o in spec.get("options", [])] == ([cmd.arg] if cmd.arg else [])
    assert [(c["name"], c["type"]) for c in body if c["type"] != 1] == [("Add to gapbot", 3)]  # on messages
    out = capsys.readouterr().out
    assert out.startswith(f"registered {len(slash)} slash commands to server 1300000000000000002")
    assert out.rstrip().endswith('; message menu: "Add to gapbot"')


def test_sync_without_a_server_registers_globally(env, tmp_path, capsys, discord_api):
    env.setenv("DISCORD_TOKEN", "fake-token")
    assert main(["discord", "--sync"], db=str(tmp_path / "x.db"), seed=False) == 0
    assert discord_api[-1][:2] == ("PUT", f"/applications/{APP_ID}/commands")
    assert "globally" in capsys.readouterr().out


def test_sync_with_shards_registers_from_the_process_running_shard_0(env, tmp_path, capsys, discord_api):
    env.setenv("DISCORD_TOKEN", "fake-token")
    env.setenv("DISCORD_SHARD_IDS", "1")  # the option wins over the environment
    env.setenv("DISCORD_SHARD_COUNT", "2")
    assert main(["discord", "--sync", "--shards", "0"], db=str(tmp_path / "x.db"), seed=False) == 0
    assert discord_api[-1][:2] == ("PUT", f"/applications/{APP_ID}/commands")
    assert "globally" in capsys.readouterr().out


def test_sync_on_the_other_shards_calls_discord_not_at_all(env, tmp_path, capsys, discord_api):
    env.setenv("DISCORD_TOKEN", "fake-token")
    assert main(["discord", "--sync", "--shards", "1", "--shard-count", "2"], db=str(tmp_path / "x.db"),
                seed=False) == 0
    assert discord_api == [] and not (tmp_path / "x.db").exists()
    assert "registered by the process that runs shard 0" in capsys.readouterr().err


def test_only_non_privileged_intents():
    assert not (INTENTS.message_content or INTENTS.members or INTENTS.presences)
    assert INTENTS.guilds and INTENTS.guild_messages and INTENTS.dm_messages


async def test_the_model_is_loaded_in_the_background_at_start_up(tmp_path):
    class SlowModel:
        name, dim = "slow", 384
        loaded_in: str | None = None

        def load(self):
            self.loaded_in = threading.current_thread().name

    model = SlowModel()
    bot = create_bot(tmp_path / "x.db", seed=False, embedder=model)
    await bot._async_setup_hook()
    await bot.setup_hook()
    await asyncio.gather(*bot._tasks)
    assert model.loaded_in is not None and model.loaded_in != threading.main_thread().name
