"""Files and databases gapbot meets: another application's SQLite file or a newer gapbot's database is refused
unchanged, a read-only database still answers, a full database stops indexing cleanly,
a link out of an indexed folder is not followed,
and text without a byte-order mark or in a legacy encoding is read."""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from ingest_fuzz import intact
from load import article
from test_interrupted_index import ROOT, env

from adapters import cli, console
from corpus.api import Corpus
from corpus.embed import HashEmbedder
from corpus.sources import decode

STORY = ("Chip makers weigh new rules\n\nChip makers in Zürich and São Paulo said on Tuesday that new export "
         "rules would slow their plans for the coming year.\n\nAnalysts at a Genève research group expect "
         "the gap in advanced lithography to last about three years. Officials in Málaga declined to "
         "comment.\n")
ZH = ("深圳的芯片制造商周二表示，新的出口规定将放慢他们明年的计划。\n\n"
      "分析人士预计，先进光刻技术的差距将持续大约三年。\n")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gapbot_main(db: Path, *args: str) -> int:
    return cli.main(["--db", str(db), "--no-seed", *args])


def corpus_with(tmp_path: Path, count: int) -> Corpus:
    corpus = Corpus.open(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder())
    src = tmp_path / "articles"
    src.mkdir()
    for i in range(count):
        (src / f"a{i}.html").write_text(article(500 + i), encoding="utf-8")
    corpus.index([str(src)])
    return corpus


def test_another_applications_sqlite_file_is_refused_and_left_unchanged(tmp_path: Path, capsys) -> None:
    db = tmp_path / "notes.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes(body) VALUES ('buy milk')")
    conn.close()
    before = digest(db)
    assert gapbot_main(db, "ask", "/sources") == 1
    err = capsys.readouterr().err
    assert "another application's SQLite database (tables: notes)" in err and "Traceback" not in err
    assert digest(db) == before and not Path(f"{db}-wal").exists()


def test_a_database_from_a_newer_gapbot_is_refused(tmp_path: Path, capsys) -> None:
    corpus = Corpus.open(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder())
    corpus.store.db.execute("INSERT INTO _migrations VALUES ('0999_from_the_future.sql', datetime('now'))")
    corpus.store.close()
    assert gapbot_main(Path(corpus.path), "ask", "/sources") == 1
    err = capsys.readouterr().err
    assert "newer gapbot (migration 0999_from_the_future.sql" in err and "Upgrade gapbot" in err


def as_unprivileged(args: list[str]) -> list[str]:
    """Run args without the right to ignore file permissions (root has it;
    a read-only file means nothing to it)."""
    if os.geteuid() != 0:
        return args
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *args]


def test_a_read_only_database_still_answers(tmp_path: Path) -> None:
    corpus = corpus_with(tmp_path, 3)
    corpus.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    corpus.store.close()
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.move(corpus.path, folder / "gapbot.db")
    for extra in ("-wal", "-shm", "-indexing"):
        Path(f"{corpus.path}{extra}").unlink(missing_ok=True)
    (folder / "gapbot.db").chmod(0o444)
    folder.chmod(0o555)
    try:
        for command in ("/sources", "/gap"):
            run = subprocess.run(as_unprivileged([sys.executable, "-m", "bot", "--db",
                                                  str(folder / "gapbot.db"), "ask", command]), env=env(),
                                                  cwd=ROOT, capture_output=True,
                                 text=True, timeout=300, check=False)
            assert run.returncode == 0 and "not a readable" not in run.stderr, run.stderr
            assert "3 articles" in run.stdout or "3 estimates" in run.stdout, run.stdout
        assert sorted(p.name for p in folder.iterdir()) == ["gapbot.db"]  # nothing written beside it
    finally:
        folder.chmod(0o755)


def test_a_full_database_is_said_once_and_nothing_is_half_written(tmp_path: Path, capsys, caplog) -> None:
    corpus = corpus_with(tmp_path, 2)
    db = corpus.store.db
    # SQLite's own cap on the file's size, set on the connection the indexer writes with: a real SQLITE_FULL
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 30}")
    more = tmp_path / "more"
    more.mkdir()
    for i in range(12):
        (more / f"b{i:02d}.html").write_text(article(600 + i), encoding="utf-8")
    args = argparse.Namespace(sources=[str(more)], json=False)
    with caplog.at_level(logging.WARNING):
        code = console.cmd_index(args, corpus)
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("full") == 1 and "Traceback" not in out + err
    assert not [r for r in caplog.records if r.exc_info]  # no traceback logged either
    lines = out.splitlines()
    added = [ln for ln in lines if ln.startswith("added")]
    assert [ln for ln in lines if ln.startswith("rejected")] == [next(ln for ln in lines if "is full" in ln)]
    assert 0 < len(added) < 12
    db.execute("PRAGMA max_page_count = 1073741823")
    assert intact(corpus) and corpus.count() == 2 + len(added)
    assert db.execute("SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM sentences)"
                      ).fetchone()[0] == 0


def test_a_link_out_of_an_indexed_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "memo.txt").write_text("Internal memo\n\n" + STORY, encoding="utf-8")
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "story.html").write_text(article(700), encoding="utf-8")
    (folder / "memo.txt").symlink_to(outside / "memo.txt")
    (folder / "more").symlink_to(outside)
    (folder / "again.html").symlink_to(folder / "story.html")  # a link inside the folder is fine
    corpus = Corpus.open(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder())
    results = {Path(r.source).name: r for r in corpus.index([str(folder)])}
    assert {results["story.html"].status, results["again.html"].status} == {"added", "duplicate"}
    for name in ("memo.txt", "more"):
        assert results[name].status == "rejected" and "outside" in results[name].reason
    assert corpus.count() == 1


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "gb18030", "latin-1"])
def test_text_without_a_byte_order_mark_or_in_a_legacy_encoding_is_read(encoding: str) -> None:
    text = ZH if encoding == "gb18030" else STORY
    assert decode(text.encode(encoding), "story.txt") == text


def test_a_utf16_file_without_a_byte_order_mark_is_indexed(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(STORY.encode("utf-16-le"))
    corpus = Corpus.open(tmp_path / "gapbot.db", seed=False, embedder=HashEmbedder())
    [result] = corpus.index([str(path)])
    assert result.status == "added" and "São Paulo" in corpus.article(result.article_id).body
