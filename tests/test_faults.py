"""Platform faults and load: Slack and Discord answering 429, 500, dropping the connection or timing out are
retried with backoff, nothing is lost and nothing is posted twice; 50 slash commands at once are all acked
within Slack's 3 seconds."""
from __future__ import annotations

import asyncio
import copy
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import discord
import pytest
from discord_fake import FakeDiscord, Fault
from load import article
from slack_fake import Failure, FakeSlack, post, signed_headers, slash_body
from slack_harness import SECRET, payload, serve
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from test_discord_slash import payload as interaction

from adapters.discord import create_bot
from adapters.discord import retry as discord_retry
from adapters.discord.render import render as discord_render
from adapters.slack import deliver as slack_deliver
from adapters.slack.render import render as slack_render
from bot.guard import Guard, Policy
from bot.reply import Reply, Section
from corpus.api import Corpus
from corpus.embed import HashEmbedder

LONG = Reply(command="ask", title="A long answer",  # three Slack messages, three Discord embeds
             sections=[Section(f"Part {i}: " + "the chip gap is measured in years. " * 2)
                       for i in range(110)])
TIMEOUT = Failure(delay=1.5, drop=True)  # no answer within the client's 1 s timeout


class NoJitter(Jitter):
    def recalculate(self, duration: float) -> float:
        return duration


class Planned(FakeSlack):
    """A FakeSlack that fails chosen calls of a method by their number (1-based), so faults land mid-reply."""

    def __init__(self, plan: dict[str, dict[int, Failure]]):
        super().__init__()
        self.plan = plan

    def next_failure(self, method: str) -> Failure | None:
        return self.plan.get(method, {}).get(len(self.called(method)))

    def delivered(self, method: str) -> list[Any]:
        """The bodies of the calls that were answered normally: what Slack really posted."""
        return [payload(c) for c in self.called(method) if c.failure is None]


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short timeouts and backoff, so faults cost tenths of seconds
    (the production values are tested below)."""
    monkeypatch.setattr(slack_deliver, "TIMEOUT", 1)
    monkeypatch.setattr(slack_deliver, "BACKOFF", BackoffRetryIntervalCalculator(0.05, NoJitter()))
    monkeypatch.setattr(discord_retry, "TIMEOUT", 0.5)
    monkeypatch.setattr(discord_retry, "BACKOFF", 0.05)


def test_production_backoff_doubles() -> None:
    intervals = [slack_deliver.BACKOFF.backoff_factor * 2 ** n for n in range(3)]
    assert intervals == [0.5, 1.0, 2.0] and slack_deliver.TIMEOUT == 30 and discord_retry.TIMEOUT == 30


# --- Slack --------------------------------------------------------------------------------------------------

FAULTS = {1: Failure(status=429, retry_after=0), 3: Failure(status=500, error="internal_error"),
          5: Failure(drop=True), 6: TIMEOUT}


@pytest.mark.parametrize("where", ["chat.postMessage", "response"])
def test_slack_faults_mid_reply_lose_nothing_and_post_nothing_twice(quick: None, where: str) -> None:
    fake = Planned({where: FAULTS}).start()
    try:
        client = WebClient(token="xoxb-test", base_url=fake.api_url, timeout=slack_deliver.TIMEOUT,
                           retry_handlers=slack_deliver.retry_handlers())
        url = fake.response_url() if where == "response" else None
        slack_deliver.deliver(client, LONG, slack_deliver.Target(channel="C1", response_url=url))
        sent = fake.delivered(where)
    finally:
        fake.close()
    expected = slack_render(LONG)
    assert len(expected) == 3 and [m["blocks"] for m in sent] == [m["blocks"] for m in expected]
    assert len(fake.called(where)) == 3 + len(FAULTS)


def slash(url: str, response_url: str, i: int) -> float:
    """Send /ask number i as user i; seconds until the app acknowledged it."""
    body = slash_body("/ask", f"What does the Zorblax000{i % 3} report say about chip makers?",
                      response_url=f"{response_url}?n={i}", user_id=f"U{i:04d}")
    result = post(url, body, signed_headers(SECRET, body))
    assert result.status == 200
    return result.seconds


def test_fifty_concurrent_slash_commands_are_acked_within_3_seconds(tmp_path: Path) -> None:
    corpus = Corpus.open(tmp_path / "load.db", seed=False, embedder=HashEmbedder())
    for i in range(3):
        (tmp_path / f"a{i}.html").write_text(article(i), encoding="utf-8")
    corpus.index([str(tmp_path / f"a{i}.html") for i in range(3)])
    fake = FakeSlack().start()
    app = serve(fake, corpus, None)
    try:
        url = next(app).events_url
        start = time.monotonic()
        with ThreadPoolExecutor(50) as pool:
            acks = list(pool.map(partial(slash, url, fake.response_url()), range(50)))
        answers = fake.wait_for("response", 50, timeout=60)
        took = time.monotonic() - start
    finally:
        app.close()
        fake.close()
    print(f"\n50 slash commands: slowest ack {max(acks):.2f} s, all answered in {took:.1f} s")
    assert max(acks) < 3.0
    assert Counter(c.params["n"] for c in answers) == Counter(str(i) for i in range(50))  # each once
    assert all(payload(c)["response_type"] == "in_channel" for c in answers)


# --- Discord ------------------------------------------------------------------------------------------------

@pytest.fixture
async def discord_api(monkeypatch: pytest.MonkeyPatch):
    fake = FakeDiscord().start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base)
    yield fake
    fake.close()


@pytest.fixture
async def online_bot(tmp_path: Path, discord_api: FakeDiscord, monkeypatch: pytest.MonkeyPatch):
    bot = create_bot(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder(), warm=False)
    await bot.login("made-up-token")  # against the fake: GET /users/@me, /oauth2/applications/@me
    monkeypatch.setattr("adapters.discord.client.run_command", lambda request, corpus, **_: LONG)
    yield bot
    await bot.close()


def dm(bot: discord.Client, text: str) -> discord.Message:
    """A direct message to the bot, as the gateway would deliver it."""
    data = {"id": "1300000000000000777", "channel_id": "1300000000000000003", "type": 0, "content": text,
            "author": {"id": "1300000000000000004", "username": "ana", "discriminator": "0", "avatar": None},
            "attachments": [], "embeds": [], "mentions": [], "mention_roles": [], "mention_everyone": False,
            "pinned": False, "tts": False, "timestamp": "2025-01-01T00:00:00+00:00", "edited_timestamp": None,
            "flags": 0}
    return discord.Message(state=bot._connection, channel=bot.get_partial_messageable(1300000000000000003),
                           data=data)


def descriptions(reply: Reply) -> list[str]:
    return [f"{o.embed.title or ''}|{o.embed.description}" for o in discord_render(reply) if o.embed]


async def test_discord_reply_through_faults_is_posted_once_each(quick: None, online_bot, discord_api) -> None:
    # 429, a 500, a dropped connection, then an answer so late the bot gives up and sends again: Discord had
    # made the message, and the retry's nonce gets that message back instead of a second one
    discord_api.fail("message", Fault(status=429), Fault(), Fault(status=500), Fault(), Fault(drop=True),
                     Fault(delay=1.0))
    await online_bot.on_message(dm(online_bot, "/ask how long is the gap?"))
    assert discord_api.contents("message") == descriptions(LONG)
    outcomes = [o for k, o in discord_api.calls if k == "message"]
    assert outcomes == ["429", "posted", "500", "posted", "dropped", "posted", "same nonce"]


async def test_discord_slash_follow_ups_through_faults_are_posted_once_each(quick: None, online_bot,
                                                                           discord_api) -> None:
    discord_api.fail("followup", Fault(status=429), Fault(), Fault(status=500), Fault(drop=True),
                     Fault(delay=1.0, drop=True))
    online_bot._connection.parse_interaction_create(copy.deepcopy(interaction("ask", "how long is the gap?")))
    invokers = [t for t in asyncio.all_tasks() if t.get_name() == "CommandTree-invoker"]
    await asyncio.wait_for(asyncio.gather(*invokers), timeout=30)
    assert discord_api.contents("followup") == descriptions(LONG)
    outcomes = [o for k, o in discord_api.calls if k == "followup"]
    assert outcomes == ["429", "posted", "500", "dropped", "timed out", "posted", "posted"]


@pytest.mark.stress
def test_stress_slack_faults_many_replies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of replies with a random fault before about half their messages, production backoff."""
    import random

    rnd = random.Random(8)
    kinds = [Failure(status=429, retry_after=0), Failure(status=500), Failure(status=503), Failure(drop=True)]
    monkeypatch.setattr(slack_deliver, "TIMEOUT", 2)
    plan = {n: rnd.choice(kinds) for n in range(1, 1200) if rnd.random() < 0.5}
    plan = {n: f for n, f in plan.items() if n - 1 not in plan}  # never two faults in a row on one message
    fake = Planned({"chat.postMessage": plan}).start()
    replies = 0
    try:
        client = WebClient(token="xoxb-test", base_url=fake.api_url, timeout=2,
                           retry_handlers=slack_deliver.retry_handlers())
        while len(fake.called("chat.postMessage")) < 1000:
            slack_deliver.deliver(client, LONG, slack_deliver.Target(channel="C1"))
            replies += 1
        sent = fake.delivered("chat.postMessage")
    finally:
        fake.close()
    faults = sum(c.failure is not None for c in fake.called("chat.postMessage"))
    print(f"\nslack faults: {replies} replies, {len(fake.called('chat.postMessage'))} calls, {faults} "
          f"faults, {len(sent)} posted")
    assert [m["blocks"] for m in sent] == [m["blocks"] for m in slack_render(LONG)] * replies


@pytest.mark.stress
async def test_stress_discord_replies_through_random_faults(quick: None, online_bot, discord_api) -> None:
    """Sixty three-part replies, each call faulted with probability 0.3 (at most twice running): 429, dropped,
    late, or timed out."""
    import random

    rnd = random.Random(9)
    kinds = [Fault(status=429), Fault(drop=True), Fault(delay=0.8), Fault(delay=0.8, drop=True)]
    plan = [rnd.choice(kinds) if rnd.random() < 0.3 else Fault() for _ in range(400)]
    plan = [Fault() if plan[i - 1] != Fault() and plan[i - 2] != Fault() else f for i, f in enumerate(plan)]
    discord_api.fail("message", *plan)  # at most two faults in a row: within the four attempts of a send
    online_bot.guard = Guard(Policy(per_minute=0))  # one user asks sixty questions: no rate limit here
    for n in range(60):
        message = dm(online_bot, f"/ask question {n}")
        message.id = 1300000000000010000 + n  # a message id per question, so nonces differ between replies
        await online_bot.on_message(message)
    calls = Counter(o for k, o in discord_api.calls if k == "message")
    print(f"\ndiscord faults: 60 replies, {sum(calls.values())} calls {dict(calls)}, "
          f"{len(discord_api.contents('message'))} posted")
    assert discord_api.contents("message") == descriptions(LONG) * 60
