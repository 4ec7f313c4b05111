"""A damaged database is named in one clear line, never a traceback; `gapbot backup` copies a live database
consistently, and the restore documented in README.md brings it back."""
from __future__ import annotations

import gc
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from ingest_fuzz import intact
from load import article
from slack_fake import FakeSlack
from slack_harness import payload, serve

import adapters.slack as slack_main
from adapters import cli
from corpus.api import Corpus
from corpus.embed import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent


def make_db(path: Path, count: int = 4) -> Corpus:
    corpus = Corpus.open(path, seed=False, embedder=HashEmbedder())
    folder = path.parent / f"{path.stem}-articles"
    folder.mkdir()
    for i in range(count):
        (folder / f"a{i}.html").write_text(article(i), encoding="utf-8")
    corpus.index([str(folder)])
    corpus.store.close()
    return corpus


def damage(path: Path, how: str) -> None:
    """Damage a database file: its header, the articles table (the schema still reads), or its second half."""
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        if how == "header":
            f.write(b"not a database!!")
        elif how == "table":
            f.seek((root - 1) * page)
            f.write(b"\xde\xad\xbe\xef" * (page // 4))
        else:
            f.truncate(path.stat().st_size // 2)


def gapbot(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GAPBOT_EMBEDDER": "hash", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "bot", *args], check=False, capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("how", ["header", "table", "half"])
def test_a_damaged_database_is_named_in_one_line_by_gapbot_ask(tmp_path: Path, how: str) -> None:
    db = tmp_path / "gapbot.db"
    make_db(db)
    damage(db, how)
    run = gapbot("--db", str(db), "--no-seed", "ask", "/sources")
    out = run.stdout + run.stderr
    assert "Traceback" not in out and str(db) in out
    assert "damaged" in out or "not a readable gapbot database" in out
    assert "backup" in out


def test_gapbot_slack_refuses_a_damaged_database_in_one_line(tmp_path: Path, fake: FakeSlack,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "gapbot.db"
    make_db(db, 2)
    damage(db, "header")
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-made-up", "SLACK_SIGNING_SECRET": "made-up",
                        "SLACK_API_URL": fake.api_url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    assert slack_main.main(["slack", "--http", "--host", "127.0.0.1", "--port", "0"],
                           db=str(db), seed=False) == 1
    err = capsys.readouterr().err
    assert f"cannot open the corpus: {db} is not a readable gapbot database" in err and "Traceback" not in err


def test_slack_answers_from_a_database_damaged_while_running(tmp_path: Path, fake: FakeSlack,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "gapbot.db"
    make_db(db, 3)
    corpus = Corpus.open(db, seed=False, embedder=HashEmbedder())
    damage(db, "table")
    with caplog.at_level(logging.ERROR, logger="bot.core"):
        for app in serve(fake, corpus, None):
            app.command("/sources")
            message = payload(fake.wait_for("response")[0])
    assert message["response_type"] == "ephemeral" and "can't read the article database" in message["text"]
    assert f"the database {db} is damaged" in caplog.text and "Traceback" not in caplog.text


def test_backup_of_a_database_being_written_is_consistent_and_restores(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")
    db, copy = tmp_path / "gapbot.db", tmp_path / "backup.db"
    corpus = make_db(db, 3)
    more = tmp_path / "more"
    more.mkdir()
    for i in range(10, 22):
        (more / f"a{i}.html").write_text(article(i), encoding="utf-8")
    writer = threading.Thread(target=corpus.index, args=([str(more)],))
    writer.start()
    assert cli.main(["--db", str(db), "--no-seed", "backup", str(copy)]) == 0
    writer.join()
    assert "articles to" in capsys.readouterr().out
    saved = Corpus.open(copy, seed=False, embedder=HashEmbedder())
    assert intact(saved) and 3 <= saved.count() <= 15
    backed_up = saved.count()
    del saved, corpus
    gc.collect()  # "stop gapbot": no connection of this process may stay open on the file
    damage(db, "table")
    # the restore in README.md: remove the -wal and -shm files, copy the backup over the database
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, db)
    run = gapbot("--db", str(db), "--no-seed", "ask", "/sources", "--json")
    assert f'"title": "{backed_up} articles indexed' in run.stdout and run.stderr == ""
    restored = Corpus.open(db, seed=False, embedder=HashEmbedder())
    assert intact(restored) and restored.count() == backed_up


def test_backup_to_an_unwritable_place_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")
    db = tmp_path / "gapbot.db"
    make_db(db, 2)
    assert cli.main(["--db", str(db), "--no-seed", "backup", str(tmp_path / "no" / "such" / "dir.db")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gapbot: cannot write a backup to") and err.count("\n") == 1
