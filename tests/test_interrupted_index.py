"""An indexing run stopped part-way (kill -9, SIGTERM, Ctrl-C) loses nothing:
what landed is listed, and /who and /gap catch up with the articles on the next open or run. Real `gapbot
index` processes and real signals.

The stop is placed deterministically: once some articles of the run have committed,
the test takes SQLite's write lock, so the indexer cannot commit another article
(nor its rebuild) until the signal has been sent."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from load import article, token

from corpus.api import Corpus
from corpus.embed import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
FIRST, RUN = 3, 30  # articles indexed completely first, then articles in the run that is stopped


def env() -> dict[str, str]:
    return {**os.environ, "GAPBOT_EMBEDDER": "hash", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


def gapbot(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "--no-seed", *args], env=env(),
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def folder(path: Path, numbers: range) -> Path:
    path.mkdir()
    for i in numbers:
        (path / f"a{i:03d}.html").write_text(article(i), encoding="utf-8")
    return path


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    """A database whose first articles were indexed completely (so its /who and /gap tables exist)."""
    path = tmp_path / "gapbot.db"
    corpus = Corpus.open(path, seed=False, embedder=HashEmbedder())
    corpus.index([str(folder(tmp_path / "first", range(FIRST)))])
    corpus.store.close()
    return path


def count(conn: sqlite3.Connection, sql: str) -> int:
    return conn.execute(sql).fetchone()[0]


def stop_midway(db: Path, source: Path, how: signal.Signals, *,
                at: int = FIRST + 2) -> tuple[subprocess.Popen, str, str]:
    """Start `gapbot index source`, wait until the database holds `at` articles, hold the write lock, send
    `how`, release the lock; returns the process and its output."""
    proc = subprocess.Popen([sys.executable, "-m", "bot", "--db", str(db), "--no-seed", "index", str(source)],
                            env=env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    conn = sqlite3.connect(db, isolation_level=None, timeout=60)
    deadline = time.monotonic() + 240
    while count(conn, "SELECT count(*) FROM articles") < at:
        assert proc.poll() is None and time.monotonic() < deadline, "the indexer never got going"
        time.sleep(0.05)
    conn.execute("BEGIN IMMEDIATE")  # the indexer's next commit waits here
    proc.send_signal(how)
    conn.execute("ROLLBACK")
    conn.close()
    out, err = proc.communicate(timeout=240)
    return proc, out, err


def landed(db: Path, source: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT source FROM articles WHERE source LIKE ?",
                                           [f"{source}/%"])}


def answers_behind(db: Path) -> bool:
    """Whether /gap's stored overview counts fewer articles than the database holds."""
    with sqlite3.connect(db) as conn:
        return count(conn, "SELECT articles FROM gap_overview") < count(conn, "SELECT count(*) FROM articles")


def newest_token(sources: set[str]) -> str:
    return token(max(int(Path(s).stem[1:]) for s in sources))


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_lists_what_landed_and_the_next_open_catches_up(db: Path, tmp_path: Path,
                                                                         how: signal.Signals) -> None:
    source = folder(tmp_path / "run", range(100, 100 + RUN))
    proc, out, err = stop_midway(db, source, how)
    assert proc.returncode == 128 + how, (out, err)
    assert "Traceback" not in err and "interrupted" in err
    listed = {line.split()[2] for line in out.splitlines() if line.startswith("added")}
    got = landed(db, source)
    assert listed == got and 2 <= len(got) < RUN  # every landed article is listed, and only those
    assert answers_behind(db)  # stopped before the rebuild
    reply = json.loads(gapbot(db, "ask", f"/who {newest_token(got)}", "--json").stdout)
    assert reply["answered"], reply["title"]
    assert not answers_behind(db)
    gap = json.loads(gapbot(db, "ask", "/gap", "--json").stdout)
    assert len(gap["data"]["claims"]) == FIRST + len(got)  # each of these articles gives one estimate


def test_after_kill_9_a_rerun_that_finds_only_duplicates_still_repairs(db: Path, tmp_path: Path) -> None:
    source = folder(tmp_path / "run", range(200, 200 + RUN))
    proc, out, _ = stop_midway(db, source, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    got = landed(db, source)
    assert 2 <= len(got) < RUN and answers_behind(db)
    again = gapbot(db, "index", *sorted(got))
    assert again.returncode == 0, again.stdout + again.stderr
    assert [line.split()[0] for line in again.stdout.splitlines()[:-1]] == ["duplicate"] * len(got)
    assert not answers_behind(db)
    with sqlite3.connect(db) as conn:  # each landed article's mentions are linked to entities now
        linked = {r[0] for r in conn.execute("SELECT a.source FROM articles a JOIN entity_sentences es "
                                             "ON es.article_id = a.id")}
    assert got <= linked


def test_a_corpus_written_by_other_means_and_stamped_is_not_rebuilt_on_open(db: Path, tmp_path: Path) -> None:
    """The benchmark's synthetic corpora write their entity links themselves
    (bench/synth.py): opening one must keep them,
    not rebuild them from the mentions the synthetic articles lack."""
    from bench import synth

    out = tmp_path / "synth.db"
    synth.build(db, out, 2000, model=HashEmbedder.name, log=lambda m: None)
    with sqlite3.connect(out) as conn:
        generation = count(conn, "SELECT value FROM meta WHERE key = 'generation'")
    corpus = Corpus.open(out, seed=False, embedder=HashEmbedder())
    assert not corpus.store.derived_stale()
    assert corpus.store.version() == int(generation)  # not rebuilt (a rebuild moves the generation on)


@pytest.mark.stress
def test_stress_runs_stopped_at_random_then_rerun_lose_and_duplicate_nothing(db: Path,
                                                                             tmp_path: Path) -> None:
    """Rounds of: index a folder, stop it after a random number of articles by a random signal, index the
    folder again. After each round every article is there exactly once and /who and /gap are up to date."""
    rnd, per_round, tally = random.Random(13), 10, {"rounds": 0, "lost": 0, "duplicated": 0, "unlisted": 0}
    for r in range(int(os.environ.get("GAPBOT_STRESS_ROUNDS", "12"))):
        source = folder(tmp_path / f"round{r}", range(1000 + r * per_round, 1000 + (r + 1) * per_round))
        how = rnd.choice([signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
        before = FIRST + r * per_round
        proc, out, err = stop_midway(db, source, how, at=before + rnd.randint(1, per_round - 2))
        assert "Traceback" not in err
        listed = {line.split()[2] for line in out.splitlines() if line.startswith("added")}
        tally["unlisted"] += 0 if how == signal.SIGKILL else len(landed(db, source) ^ listed)
        again = gapbot(db, "index", str(source))
        assert again.returncode == 0 and "Traceback" not in again.stderr, again.stdout + again.stderr
        with sqlite3.connect(db) as conn:
            titles = [t for (t,) in conn.execute("SELECT title FROM articles")]
        tally["lost"] += before + per_round - len(set(titles))
        tally["duplicated"] += len(titles) - len(set(titles))
        tally["rounds"] += 1
        assert not answers_behind(db)
    print(tally)
    assert tally["lost"] == tally["duplicated"] == tally["unlisted"] == 0
