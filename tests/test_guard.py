"""Access and abuse: allowlists, configured admins and the per-user rate limit,
in the guard and on both platforms."""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import discord.ext.test as dpytest
import pytest
from slack_fake import FakeSlack
from slack_harness import SECRET, Scripted, Slack, payload
from test_discord_slash import BOT_USER, EPHEMERAL, interact
from test_discord_slash import payload as interaction

from adapters.discord import create_bot, guard_from_env
from adapters.slack import ConfigError, Settings
from adapters.slack.app import create_app
from adapters.slack.server import make_server
from bot.guard import NOT_ENABLED, Guard, Policy, RateLimiter, Verdict
from bot.reply import Reply, Request
from corpus.api import Corpus
from corpus.embed import HashEmbedder


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def slack_request(user: str = "U1", channel: str = "C1") -> Request:
    return Request("/gap", platform="slack", user=user, channel=channel)


# --- the platform-neutral guard ----------------------------------------------------------------------------

def test_no_policy_allows_everything_up_to_the_rate_limit() -> None:
    guard = Guard()
    assert all(guard.check(slack_request()).allowed for _ in range(10))
    assert not guard.check(slack_request()).allowed
    assert guard.check(slack_request(user="U2")).allowed  # one user's flood does not starve another


def test_allowlists_refuse_elsewhere_once_and_privately() -> None:
    guard = Guard(Policy(spaces=frozenset({"T1"}), channels=frozenset({"C1"})))
    assert guard.check(slack_request(), space="T1").allowed
    first = guard.check(slack_request(channel="C9"), space="T1")
    assert first.reply is not None and first.reply.ephemeral and first.reply.title == NOT_ENABLED
    assert not first.repeat
    assert guard.check(slack_request(channel="C9"), space="T1").repeat
    assert not guard.check(slack_request(user="U2", channel="C9"), space="T1").repeat  # told per person
    assert not guard.check(slack_request(), space="T9").allowed
    assert guard.check(slack_request(channel="D7"), space="T1", direct=True).allowed  # a DM in the workspace
    assert not guard.check(slack_request(channel="D7"), space=None, direct=True).allowed  # no workspace known


def test_rate_limit_is_a_sliding_minute_and_says_when_to_come_back() -> None:
    clock = Clock()
    guard = Guard(Policy(per_minute=3), clock=clock)
    for _ in range(3):
        assert guard.check(slack_request()) == Verdict()
        clock.now += 10
    slow = guard.check(slack_request())
    assert slow.reply is not None and slow.reply.ephemeral and "try again in 30 s" in slow.reply.title
    assert not slow.repeat and guard.check(slack_request()).repeat  # said once, then quiet
    clock.now += 30  # the first command of the minute has left the window
    assert guard.check(slack_request()).allowed
    assert not guard.check(slack_request()).repeat  # a new refusal after an admitted command is said again


def test_rate_limit_zero_means_none_and_memory_is_bounded() -> None:
    assert all(Guard(Policy(per_minute=0)).check(slack_request()).allowed for _ in range(100))
    limiter = RateLimiter(1, size=50)
    for i in range(1000):
        limiter.take(f"user{i}")
    assert len(limiter._keys) == 50


def test_rate_limit_holds_under_concurrent_requests() -> None:
    guard = Guard(Policy(per_minute=10))
    results: list[bool] = []

    def burst() -> None:
        for _ in range(20):
            results.append(guard.check(slack_request()).allowed)

    threads = [threading.Thread(target=burst) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 10 and len(results) == 160


def test_configured_admins_bare_or_per_platform() -> None:
    guard = Guard(Policy(admins=frozenset({"U1", "discord:42"})))
    assert guard.is_admin("slack", "U1") and guard.is_admin("discord", "42")
    assert not guard.is_admin("slack", "42") and not guard.is_admin("slack", None)


def test_policy_from_the_environment() -> None:
    env = {"GAPBOT_DISCORD_GUILDS": "11, 12", "GAPBOT_DISCORD_CHANNELS": "21",
           "GAPBOT_ADMINS": "U1 discord:42", "GAPBOT_RATE_LIMIT": "5"}
    policy = guard_from_env(env).policy
    assert policy == Policy(spaces=frozenset({"11", "12"}), channels=frozenset({"21"}),
                            admins=frozenset({"U1", "discord:42"}), per_minute=5)
    assert Policy.from_env({}, spaces="X", channels="Y") == Policy()
    with pytest.raises(ValueError, match="GAPBOT_RATE_LIMIT"):
        guard_from_env({"GAPBOT_RATE_LIMIT": "lots"})
    tokens = {"SLACK_BOT_TOKEN": "xoxb-secret-1", "SLACK_SIGNING_SECRET": "sig-secret-2"}
    settings = Settings.from_env({**tokens, "GAPBOT_SLACK_TEAMS": "T1"}, socket=False)
    assert settings.policy.spaces == {"T1"}
    assert "secret" not in repr(settings)  # a logged Settings shows no token
    with pytest.raises(ConfigError, match="GAPBOT_RATE_LIMIT"):
        Settings.from_env({**tokens, "GAPBOT_RATE_LIMIT": "-1"}, socket=False)


# --- Slack -------------------------------------------------------------------------------------------------

@pytest.fixture
def guarded(fake: FakeSlack, corpus: Corpus) -> Iterator[Slack]:
    """The Slack app with a scripted core, enabled only in workspace T0001's #C0CHAN1, 3 commands a minute."""
    scripted = Scripted()
    guard = Guard(Policy(spaces=frozenset({"T0001"}), channels=frozenset({"C0CHAN1"}),
                         admins=frozenset({"U0BOSS"}), per_minute=3))
    app = create_app(corpus, token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url, handler=scripted,
                     guard=guard)
    server = make_server(app, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield Slack(fake, server, scripted)
    server.shutdown()
    server.server_close()


def test_slack_elsewhere_is_told_once_privately(guarded: Slack) -> None:
    assert guarded.command("/gap", channel_id="C0OTHER").status == 200
    (call,) = guarded.fake.wait_for("response")
    assert payload(call)["response_type"] == "ephemeral" and "not enabled here" in payload(call)["text"]
    guarded.command("/gap", channel_id="C0OTHER")
    guarded.command("/gap", team_id="T0OTHER")
    guarded.fake.wait_for("response", 2)
    guarded.event("app_mention", channel="C0OTHER2", event_id="Ev2")
    guarded.fake.wait_for("chat.postEphemeral")  # a mention elsewhere: told privately, not in the channel
    guarded.command("/who", "iflytek")  # the enabled channel is answered
    answers = guarded.fake.wait_for("response", 3)
    assert payload(answers[-1])["response_type"] == "in_channel"
    assert len(guarded.scripted.requests) == 1 and guarded.fake.called("chat.postMessage") == []


def test_slack_rate_limit_is_polite_and_per_user(guarded: Slack) -> None:
    for _ in range(5):
        guarded.command("/who", "iflytek")
    guarded.command("/who", "iflytek", user_id="U0OTHER")
    calls = guarded.fake.wait_for("response", 5)
    texts = [payload(c)["text"] for c in calls]
    assert sum("try again in" in t for t in texts) == 1  # the 4th is told, the 5th is not answered at all
    assert len(guarded.scripted.requests) == 4
    assert {r.user for r in guarded.scripted.requests} == {"U0USER1", "U0OTHER"}
    refusal = next(c for c in calls if "try again in" in payload(c)["text"])
    assert payload(refusal)["response_type"] == "ephemeral"


def test_slack_configured_admin_needs_no_users_info(guarded: Slack) -> None:
    guarded.command("/digest", "preview", user_id="U0BOSS")
    guarded.command("/digest", "preview")
    guarded.fake.wait_for("response", 2)
    by_user = {r.user: r.is_admin for r in guarded.scripted.requests}
    assert by_user == {"U0BOSS": True, "U0USER1": False}
    assert [c.params.get("user") for c in guarded.fake.called("users.info")] == ["U0USER1"]


def test_slack_non_admin_gets_a_clear_refusal(fake: FakeSlack, corpus: Corpus) -> None:
    app = create_app(corpus, token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url)
    server = make_server(app, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        Slack(fake, server).command("/digest", "subscribe")
        message = payload(fake.wait_for("response")[0])
        assert message["response_type"] == "ephemeral" and "admins" in message["text"]
    finally:
        server.shutdown()
        server.server_close()


# --- Discord -----------------------------------------------------------------------------------------------

async def discord_bot(tmp_path, policy: Policy):
    import discord

    client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False,
                        guard=Guard(policy))
    await client._async_setup_hook()
    client._connection.user = discord.ClientUser(state=client._connection, data=BOT_USER)
    return client


async def test_discord_slash_elsewhere_is_refused_at_once_and_ephemerally(tmp_path) -> None:
    bot = await discord_bot(tmp_path, Policy(spaces=frozenset({"1"})))
    try:
        for _ in range(2):  # Discord needs an answer to every interaction, so a repeat is answered too
            sent = await interact(bot, interaction("gap"))
            assert sent.kinds() == ["respond"]
            body = sent.calls[0][1]
            assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
            assert body["data"]["content"] == NOT_ENABLED
    finally:
        await bot.close()


async def test_discord_slash_rate_limited_and_configured_admin(tmp_path) -> None:
    user = "1300000000000000004"  # the member in the recorded interaction
    bot = await discord_bot(tmp_path, Policy(admins=frozenset({f"discord:{user}"}), per_minute=2))
    try:
        kinds = [(await interact(bot, interaction("digest", "preview"))).kinds() for _ in range(3)]
        assert kinds[0][0] == "respond" and len(kinds[0]) > 1  # deferred, then answered
        assert kinds[2] == ["respond"]
        assert bot.guard.is_admin("discord", user)
    finally:
        await bot.close()


@pytest.fixture
async def mention_bot(tmp_path, monkeypatch):
    import discord

    monkeypatch.chdir(tmp_path)
    client = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False,
                        guard=Guard(Policy(spaces=frozenset({"1"}))))
    await client._async_setup_hook()
    client._connection._intents.members = True
    client._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(client._connection._intents)
    dpytest.configure(client, members=["ada"])
    yield client
    await dpytest.empty_queue()


async def test_discord_mention_elsewhere_is_answered_once(mention_bot, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr("adapters.discord.client.run_command",
                        lambda request, corpus, **_: asked.append(request.text) or Reply(command="x",
                                                                                          title="x"))
    await dpytest.message(f"<@{mention_bot.user.id}> /gap")
    assert dpytest.get_message().content == NOT_ENABLED
    await dpytest.message(f"<@{mention_bot.user.id}> /gap")
    assert dpytest.verify().message().nothing() and asked == []
    ada = dpytest.get_config().members[0]
    await dpytest.message("/gap", channel=await ada.create_dm(), member=ada)  # a DM has no server to allow
    assert dpytest.get_message().content == NOT_ENABLED


# --- secrets and message text in logs -----------------------------------------------------------------------

@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_logs_never_carry_secrets_and_carry_text_only_when_debugging(
        fake: FakeSlack, corpus: Corpus, level: int, caplog: pytest.LogCaptureFixture) -> None:
    token = "xoxb-made-up-secret-token-1234"
    app = create_app(corpus, token=token, signing_secret=SECRET, api_url=fake.api_url)
    server = make_server(app, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        with caplog.at_level(level):
            slack = Slack(fake, server)
            slack.command("/ask", "what about the secret-word-xyzzy?")
            slack.event("app_mention", text="<@UBOT0001> tell me about plugh-word", event_id="Ev9")
            slack.command("/digest", "preview")  # asks users.info, with the token
            fake.wait_for("response", 2)
            fake.wait_for("chat.postEphemeral")
    finally:
        server.shutdown()
        server.server_close()
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert token not in logged and SECRET not in logged
    if level == logging.INFO:
        assert "xyzzy" not in logged and "plugh" not in logged
