"""The digest on Postgres: leases as claims with a token, delivery-log writes fenced by it, one scheduler per
database, and three `gapbot digest` processes SIGKILLed and restarted on one database posting every article
exactly once (the SQLite crash test's machinery, tests/test_digest_crash.py)."""
from __future__ import annotations

import os
import queue
import random
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
from digest_fakes import DISCORD, SLACK, FakePlatforms, index  # noqa: E402
from test_digest_crash import GAPBOT, all_titles, assert_once, server  # noqa: E402,F401

from bot.digest.service import DigestService  # noqa: E402
from corpus.api import Corpus  # noqa: E402
from corpus.digest_models import Fenced  # noqa: E402
from corpus.digest_store import destination_lease  # noqa: E402
from corpus.embed import HashEmbedder  # noqa: E402

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)
A, B = "host-a:101:0:aaa", "host-b:202:0:bbb"  # two workers, on other machines: never judged dead from here


def alive(holder: str) -> bool:
    return False


def two_workers(url: str) -> tuple[Corpus, Corpus, int]:
    """Two openings of one database (two connections, as two processes have) and a destination's id."""
    one, two = (Corpus.open(url, seed=False, embedder=HashEmbedder()) for _ in range(2))
    dest, _ = DigestService(one).add_destination(SLACK, now=NOW)
    return one, two, dest.id


def test_a_lease_that_expired_and_was_taken_over_cannot_write_the_delivery_log(pg_url):
    one, two, dest = two_workers(pg_url)
    slow, quick, name = one.digest_store, two.digest_store, destination_lease(dest)
    assert slow.acquire_lease(name, A, now=NOW, expires=NOW + timedelta(minutes=1), dead=alive)
    assert not quick.acquire_lease(name, B, now=NOW, expires=NOW + timedelta(minutes=5), dead=alive)
    post = slow.begin_post(dest, ["a1"], part=0, parts=1, thread=None, now=NOW)
    later = NOW + timedelta(minutes=2)
    with pytest.raises(Fenced):  # expired: not even its holder writes any more
        slow.mark_post(post, "sent", now=later, message_id="m1")
    assert quick.acquire_lease(name, B, now=later, expires=later + timedelta(minutes=5), dead=alive)
    assert not slow.renew_lease(name, A, expires=later + timedelta(minutes=5))  # its heartbeat is refused
    with pytest.raises(Fenced):  # by the token, whatever the stalled worker's clock says
        slow.mark_post(post, "sent", now=NOW, message_id="m1")
    with pytest.raises(Fenced):
        slow.begin_post(dest, ["a2"], part=0, parts=1, thread=None, now=NOW)
    slow.release_lease(name, A)  # its release leaves the new claim alone
    quick.mark_post(post, "failed", now=later)
    assert quick.statuses(dest) == {"a1": "failed"} and quick.renew_lease(name, B, expires=later)


def test_a_claim_is_skipped_while_its_holder_writes_and_taken_once_it_is_dead(pg_url):
    one, two, dest = two_workers(pg_url)
    name = destination_lease(dest)
    assert one.digest_store.acquire_lease(name, A, now=NOW, expires=NOW + timedelta(minutes=5), dead=alive)
    with one.digest_store._fenced(dest, now=NOW):  # type: ignore[attr-defined]  # a write in flight
        assert not two.digest_store.acquire_lease(name, B, now=NOW, expires=NOW, dead=lambda h: True)
    assert two.digest_store.acquire_lease(name, B, now=NOW, expires=NOW + timedelta(minutes=5),
                                          dead=lambda h: h == A)
    with pytest.raises(Fenced):
        one.digest_store.begin_post(dest, ["a1"], part=0, parts=1, thread=None, now=NOW)


def test_a_write_without_a_claim_is_refused(pg_url):
    one, _, dest = two_workers(pg_url)
    with pytest.raises(Fenced):
        one.digest_store.begin_post(dest, ["a1"], part=0, parts=1, thread=None, now=NOW)
    assert one.digest_store.statuses(dest) == {}


def test_one_scheduler_per_database_until_its_connection_ends(pg_url):
    one, two, _ = two_workers(pg_url)
    with DigestService(one).scheduler_turn() as first:
        with DigestService(two).scheduler_turn() as second:
            assert first and not second
    with DigestService(two).scheduler_turn() as after:
        assert after


def scheduler(url: str, env: dict[str, str]) -> subprocess.Popen:
    """`gapbot digest --schedule` on the database at url (GAPBOT_DATABASE_URL, no --db)."""
    return subprocess.Popen([GAPBOT, "--no-seed", "digest", "--schedule"], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env, "GAPBOT_DATABASE_URL": url, "GAPBOT_EMBEDDER": "hash"})


def said(process: subprocess.Popen) -> queue.Queue[str]:
    """What a process writes to stderr, line by line, read by a thread: a silent process fails, not hangs."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or []], daemon=True).start()
    return lines


def test_a_second_scheduler_stands_by_and_takes_over_when_the_first_is_killed(pg_url, server):  # noqa: F811
    Corpus.open(pg_url, seed=False, embedder=HashEmbedder())
    first = scheduler(pg_url, server.env())
    second = None
    try:
        assert "0 destination(s)" in said(first).get(timeout=60)
        second = scheduler(pg_url, server.env())
        second_said = said(second)
        assert "standing by" in second_said.get(timeout=60)
        first.send_signal(signal.SIGKILL)
        assert "0 destination(s)" in second_said.get(timeout=60)
    finally:
        for p in (first, second):
            if p is not None:
                p.kill()
                p.wait()


def start(url: str, fake: FakePlatforms, kill_at: int | None) -> subprocess.Popen:
    """`gapbot digest` on the database at url, SIGKILLed at its kill_at-th step if given."""
    env = {**os.environ, **fake.env(), "GAPBOT_EMBEDDER": "hash", "GAPBOT_DATABASE_URL": url}
    env.pop("GAPBOT_DIGEST_KILL_AT", None)
    if kill_at:
        env["GAPBOT_DIGEST_KILL_AT"] = str(kill_at)
    return subprocess.Popen([GAPBOT, "--no-seed", "digest"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def race(url: str, fake: FakePlatforms, rng: random.Random) -> int:
    """Three processes at once; each killed one is restarted (killed again, sometimes) until all finish. The
    number of kills."""
    running, kills = [start(url, fake, rng.randint(1, 30)) for _ in range(3)], 0
    while running:
        p = running.pop(0)
        out, _ = p.communicate(timeout=120)
        code = p.returncode
        assert code in (0, -9), out
        if code == -9:
            kills += 1
            running.append(start(url, fake, rng.randint(1, 30) if rng.random() < 0.5 else None))
    return kills


def test_three_digest_processes_killed_and_restarted_on_one_postgres_post_every_article_once(
        server, new_pg_database):  # noqa: F811
    rng = random.Random(16)
    kills = 0
    for _ in range(3):
        url = new_pg_database()
        corpus = Corpus.open(url, seed=False, embedder=HashEmbedder())
        for t in (SLACK, DISCORD, f"webhook:{server.webhook_url()}"):
            DigestService(corpus).add_destination(t, now=datetime.now(timezone.utc))
        index(corpus, "01", "02", "03", "04", "05", "06")
        server.reset_messages()
        kills += race(url, server, rng)
        assert start(url, server, None).wait(timeout=120) == 0
        assert_once(server, all_titles(url))
    assert kills >= 3
