"""Crashes: the digest process dies at each step of a run (between writing the log and posting, between
posting and recording, ...), is run again, and every article is posted to every destination exactly once."""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
from digest_fakes import ARTICLES, DISCORD, SLACK, FakePlatforms, titles_posted  # noqa: E402

from adapters.platforms import Config, digest_service  # noqa: E402
from bot.digest.service import DigestService  # noqa: E402
from corpus.api import Corpus  # noqa: E402
from corpus.embed import HashEmbedder  # noqa: E402

GAPBOT = str(Path(sys.executable).parent / "gapbot")
CHANNELS = (("slack", "C0DIGEST"), ("discord", "1100000000000000001"), ("discord", "1100000000000000002"))


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs (but finally blocks do)."""


@pytest.fixture(scope="module")
def server():
    fake = FakePlatforms().start()
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def hash_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hash embedder for this module's in-process corpora, unset afterwards (it once leaked into later
    tests, whose subprocesses then embedded with it)."""
    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")


def template(folder: Path, fake: FakePlatforms, targets: list[str], articles: list[str]) -> Path:
    """A database with these destinations and articles, built once and copied for every crash."""
    path = folder / "template.db"
    corpus = Corpus.open(path, seed=False, embedder=HashEmbedder())
    for t in targets:
        DigestService(corpus).add_destination(t, now=datetime.now(timezone.utc))
    corpus.index([str(p) for n in articles for p in ARTICLES.glob(f"{n}*.txt")])
    return path


def fresh(path: Path, folder: Path, name: str) -> Path:
    """A copy of the template database (SQLite's backup API, so the WAL is included)."""
    target = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src, dst = sqlite3.connect(path), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


def all_titles(path: Path) -> list[str]:
    return sorted(a.title for a in Corpus.open(path, seed=False).articles())


def assert_once(fake: FakePlatforms, titles: list[str], channels=CHANNELS) -> None:
    for platform, channel in channels:
        assert sorted(titles_posted(fake, platform, channel)) == titles, (platform, channel)


def crash_at(n: int):
    seen = [0]

    def checkpoint(name: str) -> None:
        seen[0] += 1
        if seen[0] == n:
            raise Crash(name)

    return checkpoint


def run_in_process(path: Path, fake: FakePlatforms, *, crash: int | None = None) -> bool:
    """One `gapbot digest` run in this process; False if it 'crashed'."""
    runner = digest_service(Corpus.open(path, seed=False), Config.from_env(fake.env()))
    if crash:
        runner.deliverer.checkpoint = crash_at(crash)
    try:
        outcomes = runner.run_all()
    except Crash:
        return False
    assert all(o.status in ("posted", "nothing") for o in outcomes), [(o.target, o.error) for o in outcomes]
    return True


def run_process(path: Path, fake: FakePlatforms, *, kill_at: int | None = None) -> int:
    """`gapbot digest` as a subprocess, SIGKILLed at the kill_at-th step if given; its return code."""
    env = {**os.environ, **fake.env(), "GAPBOT_EMBEDDER": "hash"}
    env.pop("GAPBOT_DIGEST_KILL_AT", None)
    if kill_at:
        env["GAPBOT_DIGEST_KILL_AT"] = str(kill_at)
    done = subprocess.run([GAPBOT, "--db", str(path), "--no-seed", "digest"], env=env, capture_output=True,
                          timeout=60)
    return done.returncode


def test_a_crash_at_any_step_of_any_destination_is_recovered_exactly_once(server, tmp_path):
    base = template(tmp_path, server, [SLACK, DISCORD, f"webhook:{server.webhook_url()}"],
                    ["01", "02", "03", "04", "05", "06"])
    titles = all_titles(base)
    step = 0
    while True:
        step += 1
        server.reset_messages()
        path = fresh(base, tmp_path, "run")
        finished = run_in_process(path, server, crash=step)
        assert run_in_process(path, server)
        assert_once(server, titles)
        if finished:
            break
    assert step > 20  # Slack: header + 2 thread replies; Discord and the webhook: 2 messages each


def test_sigkill_at_each_step_of_a_run_then_a_rerun_posts_every_article_once(server, tmp_path):
    base = template(tmp_path, server, [SLACK], ["01", "02", "03"])
    titles = all_titles(base)
    for step in range(1, 20):
        server.reset_messages()
        path = fresh(base, tmp_path, "run")
        code = run_process(path, server, kill_at=step)
        assert code in (-9, 0)
        assert run_in_process(path, server)
        assert_once(server, titles, channels=CHANNELS[:1])
        if code == 0:
            break
    assert step == 6  # lease, selected, pending, posted, recorded: killed at each, then a run that finished


@pytest.mark.stress
def test_stress_sigkill_at_random_steps_over_many_runs(server, tmp_path):
    base = template(tmp_path, server, [SLACK, DISCORD, f"webhook:{server.webhook_url()}"],
                    ["01", "02", "03", "04", "05", "06"])
    titles = all_titles(base)
    rng = random.Random(6)
    kills = 0
    for round_ in range(50):
        server.reset_messages()
        path = fresh(base, tmp_path, "run")
        while rng.random() < 0.9:  # kill at random points, sometimes several times in a row
            code = run_process(path, server, kill_at=rng.randint(1, 30))
            kills += code == -9
            if code == 0:
                break
        assert run_process(path, server) == 0
        assert_once(server, titles)
    assert kills >= 50
