"""Faults: a failing destination (revoked token, deleted channel, 429 storm, 5xx, dropped connection) does not
block the others and is retried; posts made but not recorded are reconciled, not reposted; leases."""
from __future__ import annotations

import json
import os
import socket
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psutil
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
from digest_fakes import (  # noqa: E402,F401
    DISCORD,
    PASS,
    SLACK,
    Reply,
    fake_fixture,
    gapbot,
    index,
    titles_posted,
)

from bot.digest.lease import Lease, holder_dead  # noqa: E402
from bot.digest.service import DigestService  # noqa: E402

WEBHOOK_CHANNEL = "1100000000000000002"



@pytest.fixture(name="corpus")
def engine_corpus_fixture(engine_db, monkeypatch):
    """An empty corpus with the hash embedder, once per storage engine (SQLite, then Postgres)."""
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder

    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")
    return Corpus.open(engine_db, seed=False, embedder=HashEmbedder())

def setup(corpus, fake, *targets: str) -> list[str]:
    for t in targets:
        DigestService(corpus).add_destination(t, now=datetime.now(timezone.utc))
    return [corpus.article(i).title for i in index(corpus, "01", "02")]


EVERYWHERE = (("slack", "C0DIGEST"), ("discord", "1100000000000000001"), ("discord", WEBHOOK_CHANNEL))


def once_everywhere(fake, titles: list[str], channels=EVERYWHERE) -> None:
    for platform, channel in channels:
        assert sorted(titles_posted(fake, platform, channel)) == sorted(titles), (platform, channel)


FAILURES = {
    "slack token revoked": ("slack:chat.postMessage", [Reply(200, {"ok": False, "error": "token_revoked"})],
                            "token_revoked"),
    "slack 429": ("slack:chat.postMessage", [Reply(429, {"ok": False, "error": "ratelimited"},
                                                   {"Retry-After": "30"})], "rate limited by Slack"),
    "slack 5xx": ("slack:chat.postMessage", [Reply(503, "<html>down</html>")], "Slack error HTTP 503"),
    "discord channel gone": ("discord:post", [Reply(404, {"message": "Unknown Channel", "code": 10003})],
                             "Unknown Channel"),
    "discord 429 storm": ("discord:post", [Reply(429, {"message": "You are being rate limited.",
                                                       "retry_after": 0.01, "global": False})] * 3,
                          "rate limited by Discord"),
    "discord 5xx": ("discord:post", [Reply(502, "bad gateway")] * 2, "Discord error HTTP 502"),
    "webhook 5xx": ("webhook:post", [Reply(500, {"message": "oops"})], "Discord error HTTP 500"),
    "webhook deleted": ("webhook:post", [Reply(404, {"message": "Unknown Webhook", "code": 10015})],
                        "Unknown Webhook"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failing_destination_does_not_block_the_others_and_is_retried(corpus, fake, case):
    route, replies, shown = FAILURES[case]
    titles = setup(corpus, fake, SLACK, DISCORD, f"webhook:{fake.webhook_url()}")
    fake.fail(route, *replies)
    code, out = gapbot(corpus, fake.env(), "digest")
    assert code == 1 and out.count("posted ") == 2 and shown in out
    code, listing = gapbot(corpus, fake.env(), "digest", "list")
    assert "last error" in listing and shown in listing and "1 failure in a row" in listing
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    once_everywhere(fake, titles)
    assert "last error" not in gapbot(corpus, fake.env(), "digest", "list")[1]
    assert not fake.unexpected


def test_a_failure_after_some_messages_keeps_what_was_posted(corpus, fake):
    DigestService(corpus).add_destination(DISCORD, now=datetime.now(timezone.utc))
    titles = [corpus.article(i).title for i in index(corpus, "01", "02", "03", "04", "05", "06")]
    fake.fail("discord:post", PASS, Reply(403, {"message": "Missing Permissions", "code": 50013}))
    code, out = gapbot(corpus, fake.env(), "digest")
    assert code == 1 and "Missing Permissions after posting 5 articles" in out
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    assert [len(m.payload["embeds"]) for m in fake.posted("discord")] == [5, 1]
    assert sorted(titles_posted(fake, "discord", "1100000000000000001")) == sorted(titles)


def test_an_unreadable_answer_leaves_the_post_pending_until_checked(corpus, fake):
    titles = setup(corpus, fake, SLACK, f"webhook:{fake.webhook_url()}")
    fake.fail("slack:chat.postMessage", Reply(200, {"ok": True}, after=True))
    fake.fail("webhook:post", Reply(200, None, after=True))
    assert gapbot(corpus, fake.env(), "digest")[0] == 1
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    once_everywhere(fake, titles, channels=(("slack", "C0DIGEST"), ("discord", WEBHOOK_CHANNEL)))
    assert len(fake.messages) == 2


@pytest.mark.parametrize("route", ["slack:chat.postMessage", "discord:post", "webhook:post"])
def test_a_post_that_went_through_but_was_not_recorded_is_reconciled_not_reposted(corpus, fake, route):
    titles = setup(corpus, fake, SLACK, DISCORD, f"webhook:{fake.webhook_url()}")
    fake.fail(route, Reply(500, {"message": "the reply got lost"}, after=True))
    first, _ = gapbot(corpus, fake.env(), "digest")
    code, out = gapbot(corpus, fake.env(), "digest")
    assert code == 0, out
    once_everywhere(fake, titles)
    for d in DigestService(corpus).destinations():
        assert DigestService(corpus).delivery_counts(d.id) == {"sent": 2}
    if route == "discord:post":  # the same nonce was retried at once, and Discord returned the first message
        assert first == 0 and len(fake.posted("discord", "1100000000000000001")) == 1


def test_a_dropped_connection_to_discord_is_retried_safely_with_the_same_nonce(corpus, fake):
    titles = setup(corpus, fake, DISCORD)
    fake.fail("discord:post", Reply(drop=True, after=True))
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    [msg] = fake.posted("discord")
    assert sorted(titles_posted(fake, "discord", "1100000000000000001")) == sorted(titles)
    assert msg.payload["nonce"] in msg.keys[0]


def test_a_webhook_post_that_cannot_be_verified_is_not_reposted_and_is_reported(corpus, fake):
    titles = setup(corpus, fake, f"webhook:{fake.webhook_url()}")
    env = {k: v for k, v in fake.env().items() if k != "DISCORD_TOKEN"}
    fake.fail("webhook:post", Reply(500, {"message": "lost"}, after=True))
    assert gapbot(corpus, env, "digest")[0] == 1
    code, out = gapbot(corpus, env, "digest")
    assert code == 1 and "DISCORD_TOKEN" in out
    assert "DISCORD_TOKEN" in gapbot(corpus, env, "digest", "list")[1]
    assert sorted(titles_posted(fake, "discord", WEBHOOK_CHANNEL)) == sorted(titles)
    assert gapbot(corpus, env, "digest")[0] == 0 and len(fake.messages) == 1


def test_missing_tokens_fail_that_destination_only(corpus, fake):
    titles = setup(corpus, fake, SLACK, DISCORD)
    env = {k: v for k, v in fake.env().items() if k != "SLACK_BOT_TOKEN"}
    code, out = gapbot(corpus, env, "digest")
    assert code == 1 and "SLACK_BOT_TOKEN is not set" in out
    assert sorted(titles_posted(fake, "discord", "1100000000000000001")) == sorted(titles)
    assert fake.posted("slack") == []


def test_a_lease_held_by_another_live_process_means_this_run_posts_nothing(corpus, fake):
    setup(corpus, fake, SLACK)
    dest = DigestService(corpus).destination(SLACK)
    parent = psutil.Process(os.getppid())  # a live process, not this one
    other = f"{socket.gethostname()}:{parent.pid}:{parent.create_time():.2f}:abc"
    assert Lease(corpus.digest_store, f"digest:{dest.id}", holder=other).acquire()
    code, out = gapbot(corpus, fake.env(), "digest")
    assert code == 0 and out.startswith("busy") and fake.messages == []


def test_a_lease_left_by_a_dead_process_or_expired_is_taken_over(corpus, fake):
    setup(corpus, fake, SLACK)
    dest = DigestService(corpus).destination(SLACK)
    dead = f"{socket.gethostname()}:999999999:0:abc"
    assert holder_dead(dead)
    assert Lease(corpus.digest_store, f"digest:{dest.id}", holder=dead).acquire()
    assert gapbot(corpus, fake.env(), "digest")[0] == 0 and len(fake.messages) == 1
    stale = Lease(corpus.digest_store, "x", holder="elsewhere:1:0:abc", ttl=timedelta(seconds=-1))
    assert stale.acquire() and Lease(corpus.digest_store, "x").acquire()


def test_two_schedulers_at_once_post_each_article_once(corpus, fake):
    from adapters.platforms import Config, digest_service
    from corpus.api import Corpus

    titles = setup(corpus, fake, SLACK, DISCORD, f"webhook:{fake.webhook_url()}")
    start = threading.Barrier(4)
    outcomes = []

    def scheduler() -> None:
        runner = digest_service(Corpus.open(corpus.path, seed=False), Config.from_env(fake.env()))
        start.wait()
        outcomes.extend(o.status for o in runner.run_all())

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    once_everywhere(fake, titles)
    assert outcomes.count("posted") == 3 and set(outcomes) <= {"posted", "busy", "nothing"}


def test_backoff_doubles_honours_retry_after_and_resets(corpus):
    now = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)
    dest, _ = DigestService(corpus).add_destination(SLACK, now=now)
    waits = [DigestService(corpus).record_failure(dest.id, "boom", now=now) - now for _ in range(12)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)] and waits[-1] == timedelta(hours=6)
    assert DigestService(corpus).record_failure(dest.id, "429", now=now,
                                                retry_after=90000) - now == timedelta(
        seconds=90000)
    assert DigestService(corpus).due_retries(now=now) == []
    assert [d.id for d in DigestService(corpus).due_retries(now=now + timedelta(days=2))] == [dest.id]
    DigestService(corpus).store.record_ok(dest.id, now=now, posted=True)
    fresh = DigestService(corpus).destination(dest.id)
    assert fresh.failures == 0 and fresh.last_error is None and fresh.last_ok_at == now.isoformat()
    assert json.dumps(DigestService(corpus).due_retries(now=now + timedelta(days=2))) == "[]"
