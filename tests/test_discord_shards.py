"""Discord sharded across processes: `gapbot discord --shards IDS --shard-count N` builds discord.py's
AutoShardedClient for those shards, refuses settings that do not make sense (exit 2, one line), and two
shards' bots on one Postgres database count a person's commands together.

dpytest refuses sharded clients (its configure() raises "Sharded clients not yet supported"), so the shards'
bots are driven as test_discord_slash.py drives the plain one: interactions built from recorded payloads,
parsed by the real client's connection state and answered through its command tree."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import discord
import pytest
from discord_fake import FakeDiscord
from discord_gateway import FakeGateway
from test_discord_slash import BOT_USER, EPHEMERAL, interact, payload

from adapters import serve
from adapters.discord import create_bot
from adapters.discord.client import INTENTS, DiscordBot, identify_wait
from adapters.discord.shards import Shards
from bot.guard import Policy
from corpus.embed import HashEmbedder
from corpus.shared_state import PgRateCounts

ROOT = Path(__file__).resolve().parent.parent
USER = "1300000000000000004"  # the member in the recorded interaction
# two servers whose events Discord sends to different shards of two: shard = (server id >> 22) % 2
GUILD_ON_0, GUILD_ON_1 = 1300000000000000002, 1300000000004194306
SLOW_DOWN = "You're asking faster than I can keep up with"
ANSWERED = ["respond", "delete_original", "followup"]  # deferred, then /help answered to the asker alone


def test_the_two_servers_are_on_different_shards() -> None:
    assert [(g >> 22) % 2 for g in (GUILD_ON_0, GUILD_ON_1)] == [0, 1]


@pytest.mark.parametrize(("ids", "count", "expected"), [
    ("0,1", "4", Shards((0, 1), 4)), ("3", "4", Shards((3,), 4)), (" 2 0 ", "3", Shards((2, 0), 3)),
    (None, "2", Shards((0, 1), 2)), (None, None, None), ("", "", None)])
def test_shard_settings_are_read(ids: str | None, count: str | None, expected: Shards | None) -> None:
    assert Shards.parse(ids, count) == expected


@pytest.mark.parametrize(("ids", "count", "reason"), [
    ("0,4", "4", "shard 4 does not exist: with 4 shards the ids are 0 to 3"),
    ("1,1", "4", "shard 1 is listed twice"),
    ("1", None, "shard ids given without a shard count"),
    ("0,x", "2", "the shard ids (--shards, DISCORD_SHARD_IDS) must be numbers such as 0,1, not '0,x'"),
    (",", "2", "the shard ids (--shards, DISCORD_SHARD_IDS) must be numbers"),
    ("-1", "2", "must be numbers"),
    ("0", "0", "the shard count (--shard-count, DISCORD_SHARD_COUNT) must be a whole number, 1 or more"),
    (None, "four", "must be a whole number")])
def test_shard_settings_that_make_no_sense_are_refused(ids: str | None, count: str | None,
                                                       reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        Shards.parse(ids, count)


def test_only_the_process_with_shard_0_registers_commands() -> None:
    assert Shards((0, 2), 4).registers_commands and not Shards((1, 3), 4).registers_commands
    assert Shards((1, 3), 4).describe() == "shards 1,3 of 4" and Shards((2,), 4).describe() == "shard 2 of 4"


@pytest.mark.parametrize(("shard", "waited", "wait"), [(0, 0.0, 0.0), (3, 0.0, 15.0), (3, 7.0, 8.0),
                                                       (1, 9.0, 0.0)])
def test_each_shard_first_identifies_at_its_own_turn(shard: int, waited: float, wait: float) -> None:
    assert identify_wait(shard, waited=waited) == wait  # 5 s apart, whichever process runs the shard


def test_shard_settings_build_an_auto_sharded_client(tmp_path: Path) -> None:
    bot = create_bot(tmp_path / "x.db", seed=False, embedder=HashEmbedder(), warm=False,
                     shards=Shards((1, 3), 4))
    assert isinstance(bot, discord.AutoShardedClient) and isinstance(bot, DiscordBot)
    assert (bot.shard_ids, bot.shard_count) == ([1, 3], 4)
    assert bot.intents == INTENTS and bot.allowed_mentions is not None
    assert not bot.allowed_mentions.everyone and not bot.allowed_mentions.users


def test_without_shard_settings_the_bot_is_the_plain_client(tmp_path: Path) -> None:
    bot = create_bot(tmp_path / "x.db", seed=False, embedder=HashEmbedder(), warm=False)
    assert type(bot) is DiscordBot and not isinstance(bot, discord.AutoShardedClient)
    assert (bot.shard_id, bot.shard_count) == (None, None)


def gapbot_discord(*args: str, env: dict[str, str], db: Path) -> subprocess.CompletedProcess[str]:
    """`gapbot discord ARGS` in a process of its own, with a token that is never used."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": "not-used", "GAPBOT_EMBEDDER": "hash",
            "HF_HUB_OFFLINE": "1", **env}
    for name in ("DISCORD_SHARD_IDS", "DISCORD_SHARD_COUNT"):
        if name not in env:
            full.pop(name, None)
    return subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "--no-seed", "discord", *args],
                          env=full, capture_output=True, text=True, timeout=60, cwd=db.parent)


@pytest.mark.parametrize(("args", "env", "line"), [
    (["--shards", "0,4", "--shard-count", "4"], {},
     "shard 4 does not exist: with 4 shards the ids are 0 to 3"),
    ([], {"DISCORD_SHARD_IDS": "1,1", "DISCORD_SHARD_COUNT": "4"}, "shard 1 is listed twice"),
    (["--shards", "1"], {}, "shard ids given without a shard count: set --shard-count (or "
     "DISCORD_SHARD_COUNT) to the number of shards across all processes")])
def test_gapbot_discord_refuses_bad_shards_with_one_line(tmp_path: Path, args: list[str],
                                                         env: dict[str, str], line: str) -> None:
    done = gapbot_discord(*args, env=env, db=tmp_path / "x.db")
    assert done.returncode == 2
    assert done.stderr == f"gapbot discord: {line}\n" and done.stdout == ""
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened


def test_sync_is_left_to_the_process_running_shard_0(tmp_path: Path) -> None:
    done = gapbot_discord("--sync", env={"DISCORD_SHARD_IDS": "1,3", "DISCORD_SHARD_COUNT": "4"},
                          db=tmp_path / "x.db")
    assert done.returncode == 0
    assert done.stderr == ("gapbot discord: shards 1,3 of 4: the slash commands are registered by the "
                           "process that runs shard 0; nothing to do here\n")


# --- two shards' bots on one database, as two processes would run them -------------------------------------

async def shard_bot(db: str, shard: int) -> DiscordBot:
    bot = create_bot(db, seed=False, embedder=HashEmbedder(), warm=False, policy=Policy(per_minute=1),
                     shards=Shards((shard,), 2))
    await bot._async_setup_hook()
    bot._connection.user = discord.ClientUser(state=bot._connection, data=BOT_USER)  # as login() would
    return bot


def in_guild(guild: int, *, interaction: int = 1300000000000000100) -> dict:
    """/help typed by the same member, in the given server."""
    data = payload("help")
    data["guild_id"] = data["guild"]["id"] = data["channel"]["guild_id"] = str(guild)
    data["id"] = str(interaction)
    return data


async def test_a_person_is_counted_once_across_two_shards_on_postgres(pg_url: str) -> None:
    a, b = await shard_bot(pg_url, 0), await shard_bot(pg_url, 1)
    try:
        first = await interact(a, in_guild(GUILD_ON_0))
        assert first.kinds() == ANSWERED
        second = await interact(b, in_guild(GUILD_ON_1))
        assert second.kinds() == ["respond"]  # refused at once: the limit of 1 was used on the other shard
        body = second.calls[0][1]
        assert body["data"]["flags"] & EPHEMERAL and body["data"]["content"].startswith(SLOW_DOWN)
        assert a.guard.limiter.first_refusal(f"discord:{USER}") is False  # shard 0 knows it was said
    finally:
        await a.close()
        await b.close()


async def test_on_sqlite_each_shards_process_counts_for_itself(tmp_path: Path) -> None:
    db = str(tmp_path / "gapbot.db")
    a, b = await shard_bot(db, 0), await shard_bot(db, 1)
    try:
        assert (await interact(a, in_guild(GUILD_ON_0))).kinds() == ANSWERED
        assert (await interact(b, in_guild(GUILD_ON_1))).kinds() == ANSWERED
        assert (await interact(b, in_guild(GUILD_ON_1))).kinds() == ["respond"]  # its own limit of 1
    finally:
        await a.close()
        await b.close()


def test_the_bot_gapbot_serve_runs_shares_the_rate_limit_on_postgres(pg_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")
    bot = serve.discord_bot(pg_url, {"GAPBOT_RATE_LIMIT": "3"})
    assert isinstance(bot.guard.limiter, PgRateCounts) and bot.guard.limiter.limit == 3


# --- two `gapbot discord` processes, one shard each, on one Postgres database ------------------------------

@pytest.fixture()
def two_shard_processes(pg_url: str, tmp_path: Path) -> Iterator[tuple[FakeDiscord, FakeGateway,
                                                                       list[subprocess.Popen[str]]]]:
    """`gapbot discord --shards I --shard-count 2` for I = 0 and 1, the database given only by
    GAPBOT_DATABASE_URL, connected to a loopback gateway and REST API."""
    rest, gateway = FakeDiscord().start(), FakeGateway().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "GAPBOT_"))}
    env.update(PYTHONPATH=str(ROOT), DISCORD_TOKEN="made-up-token", GAPBOT_EMBEDDER="hash",
               GAPBOT_DATABASE_URL=pg_url, GAPBOT_RATE_LIMIT="1", HF_HUB_OFFLINE="1")
    launcher = [sys.executable, str(ROOT / "tests" / "discord_gateway.py"), rest.base, gateway.url]
    procs = [subprocess.Popen([*launcher, "--no-seed", "discord", "--shards", str(i), "--shard-count", "2"],
                              cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in (0, 1)]
    try:
        yield rest, gateway, procs
    finally:
        stop(procs)
        gateway.close()
        rest.close()


def stop(procs: list[subprocess.Popen[str]]) -> list[str]:
    """Ctrl-C each process still running; what each wrote to stderr."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    errors = []
    for proc in procs:
        try:
            errors.append(proc.communicate(timeout=30)[1])
        except subprocess.TimeoutExpired:
            proc.kill()
            errors.append(proc.communicate()[1])
        except ValueError:  # stopped and read already
            errors.append("")
    return errors


def wait_until(done: Callable[[], bool], *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_two_gapbot_discord_processes_count_a_person_once(
        two_shard_processes: tuple[FakeDiscord, FakeGateway, list[subprocess.Popen[str]]]) -> None:
    rest, gateway, procs = two_shard_processes
    gateway.wait_for_shards({0, 1})
    # a fresh value, not INTENTS.value: the dpytest fixtures set .members on that shared object
    intents = discord.Intents(guilds=True, guild_messages=True, dm_messages=True).value
    assert gateway.identified == {0: (2, intents), 1: (2, intents)}
    gateway.dispatch(0, "INTERACTION_CREATE", in_guild(GUILD_ON_0, interaction=1300000000000000101))
    wait_until(lambda: len(rest.callbacks) == 1 and len(rest.contents("followup")) == 1)
    assert rest.callbacks[0]["type"] == 5  # deferred, then answered by shard 0's process
    assert "/who" in rest.contents("followup")[0]
    gateway.dispatch(1, "INTERACTION_CREATE", in_guild(GUILD_ON_1, interaction=1300000000000000102))
    wait_until(lambda: len(rest.callbacks) == 2)
    refusal = rest.callbacks[1]  # shard 1's process knows the limit of 1 was used on shard 0
    assert refusal["type"] == 4 and refusal["data"]["flags"] & EPHEMERAL
    assert refusal["data"]["content"].startswith(SLOW_DOWN)
    errors = stop(procs)
    assert [p.returncode for p in procs] == [0, 0]
    for shard, err in enumerate(errors):
        assert f"gapbot discord: running shard {shard} of 2\n" in err and "Traceback" not in err
