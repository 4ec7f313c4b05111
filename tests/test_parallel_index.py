"""Two `gapbot index` processes at once give the database one process would: no article twice (exact or
near-duplicate), no false "could not be indexed", no traceback, exit 0, and /who and /gap up to date."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from load import article
from test_interrupted_index import ROOT, answers_behind, env

from corpus.api import Corpus
from corpus.embed import HashEmbedder

N = 16


def both(db: Path, first: Path, second: Path) -> list[tuple[int, str, str]]:
    """Run `gapbot index first` and `gapbot index second` at the same time;
    (exit code, stdout, stderr) each."""
    procs = [subprocess.Popen([sys.executable, "-m", "bot", "--db", str(db), "--no-seed", "index", str(src)],
                              env=env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for src in (first, second)]
    outputs = [p.communicate(timeout=600) for p in procs]
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs)]


def write(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def empty_db(tmp_path: Path) -> Path:
    path = tmp_path / "gapbot.db"
    Corpus.open(path, seed=False, embedder=HashEmbedder()).store.close()  # created before both start
    return path


def check(runs: list[tuple[int, str, str]], db: Path) -> list[str]:
    """The statuses both processes reported, after checking each ended cleanly."""
    for _, out, err in runs:
        assert "Traceback" not in err and "could not be indexed" not in out, out + err
    assert not answers_behind(db)
    return [line.split()[0] for _, out, _ in runs for line in out.splitlines()[:-1]]


def test_two_indexers_on_the_same_folder(tmp_path: Path) -> None:
    db = empty_db(tmp_path)
    src = write(tmp_path / "news", {f"a{i:02d}.html": article(300 + i) for i in range(N)})
    runs = both(db, src, src)
    statuses = check(runs, db)
    assert [code for code, _, _ in runs] == [0, 0]
    assert sorted(statuses) == ["added"] * N + ["duplicate"] * N
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == N


def test_two_indexers_on_near_duplicate_folders(tmp_path: Path) -> None:
    db = empty_db(tmp_path)
    # the second folder republishes each article with its last sentence reworded:
    # a near-duplicate, not the same
    texts = {f"a{i:02d}.html": article(400 + i) for i in range(N)}
    copies = {f"copy{i:02d}.html": t.replace("</p></article>", " Shares rose.</p></article>")
              for i, t in enumerate(texts.values())}
    runs = both(db, write(tmp_path / "wire", texts), write(tmp_path / "mirror", copies))
    statuses = check(runs, db)
    assert [code for code, _, _ in runs] == [0, 0]
    assert sorted(statuses) == ["added"] * N + ["duplicate"] * N
    with sqlite3.connect(db) as conn:
        titles = [r[0] for r in conn.execute("SELECT title FROM articles")]
        sized = conn.execute("SELECT sized_count FROM gap_overview").fetchone()[0]
    assert sorted(titles) == sorted(set(titles)) and len(titles) == N  # one copy of each story
    assert sized == N  # one estimate per story, as one indexer gives


@pytest.mark.stress
def test_stress_three_indexers_on_overlapping_folders(tmp_path: Path) -> None:
    """Rounds of three processes at once: a folder, the same folder, and near-duplicate copies of it."""
    db, per_round, tally = empty_db(tmp_path), 12, {"rounds": 0, "lost": 0, "duplicated": 0, "failed": 0}
    for r in range(int(os.environ.get("GAPBOT_STRESS_ROUNDS", "4"))):
        texts = {f"a{i:02d}.html": article(2000 + r * per_round + i) for i in range(per_round)}
        copies = {f"copy{i:02d}.html": t.replace("</p></article>", " Shares rose.</p></article>")
                  for i, t in enumerate(texts.values())}
        src, mirror = write(tmp_path / f"wire{r}", texts), write(tmp_path / f"mirror{r}", copies)
        procs = [subprocess.Popen([sys.executable, "-m", "bot", "--db", str(db),
                                   "--no-seed", "index", str(s)],
                                  env=env(), cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
                 for s in (src, src, mirror)]
        runs = [(p, *p.communicate(timeout=900)) for p in procs]
        statuses = check([(p.returncode, out, err) for p, out, err in runs], db)
        tally["failed"] += sum(p.returncode != 0 for p, _, _ in runs)
        with sqlite3.connect(db) as conn:
            titles = [t for (t,) in conn.execute("SELECT title FROM articles")]
        tally["lost"] += (r + 1) * per_round - len(set(titles))
        tally["duplicated"] += len(titles) - len(set(titles))
        tally["rounds"] += 1
        assert sorted(statuses) == ["added"] * per_round + ["duplicate"] * 2 * per_round
    print(tally)
    assert tally["lost"] == tally["duplicated"] == tally["failed"] == 0
