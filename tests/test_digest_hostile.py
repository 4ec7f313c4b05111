"""A hostile feed subscribed (its server sends headers one byte at a time):
scheduled digests still post, a poll never waits for another,
and SIGTERM stops `gapbot digest --schedule` at once whatever a fetch is doing."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
from digest_fakes import SLACK, corpus_fixture, fake_fixture, index, titles_posted  # noqa: E402,F401
from raw_server import RawServer, trickle_headers  # noqa: E402

from adapters.platforms import Config, digest_service  # noqa: E402
from bot.digest.service import DigestService  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def hostile():
    server = RawServer(trickle_headers)
    yield server
    server.close()


def test_a_scheduled_digest_posts_while_a_hostile_feed_holds_the_poll(corpus, fake, hostile):
    ids = index(corpus, "01", "02")
    DigestService(corpus).add_feed(f"{hostile.url}/feed.xml", now=datetime.now(timezone.utc))
    dest, _ = DigestService(corpus).add_destination(SLACK, now=datetime.now(timezone.utc))
    config = Config.from_env(fake.env())
    stuck = threading.Thread(target=DigestService(corpus).poll_feeds,
                             kwargs={"fetcher": config.fetcher()}, daemon=True)
    stuck.start()
    assert hostile.connected.wait(10)  # the feed job is now inside the hostile fetch
    # a second poll does not queue behind it
    assert DigestService(corpus).poll_feeds(fetcher=config.fetcher()) == []
    digest_service(corpus, config).scheduled(dest.id)
    assert titles_posted(fake, "slack", "C0DIGEST") == [corpus.article(i).title for i in ids]
    assert stuck.is_alive()  # the digest went out while the hostile fetch was still running
    hostile.close()
    stuck.join(10)
    assert not stuck.is_alive()
    [feed] = DigestService(corpus).feeds()
    assert feed.last_status == "error" and feed.failures == 1


@pytest.mark.parametrize("command", [["digest", "--schedule"], ["serve"]], ids=["digest-schedule", "serve"])
def test_sigterm_stops_the_scheduler_during_a_hostile_fetch(corpus, hostile, command, tmp_path):
    DigestService(corpus).add_feed(f"{hostile.url}/feed.xml", now=datetime.now(timezone.utc))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "GAPBOT_EMBEDDER": "hash",
           "GAPBOT_ALLOW_PRIVATE_URLS": "1"}
    # serve: the scheduler only
    env = {k: v for k, v in env.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    # a file, not a pipe nobody reads, so the child never blocks on it
    log = (tmp_path / "stderr.txt").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--db", str(corpus.path), "--no-seed", *command],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        assert hostile.connected.wait(60)  # the poll at start is inside the hostile fetch
        proc.send_signal(signal.SIGTERM)
        # the fetch's own deadline is 60 s: only the stop switch ends it this soon
        code = proc.wait(timeout=10)
    finally:
        proc.kill()
        proc.wait()
        log.close()
    assert code == 0, (tmp_path / "stderr.txt").read_text()[-2000:]
    [feed] = DigestService(corpus).feeds()
    assert feed.last_error == "stopped: gapbot is shutting down"
