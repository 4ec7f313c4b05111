"""Every `gapbot` command that reads or writes the corpus uses GAPBOT_DATABASE_URL when no --db is given: run
in a folder of its own, none of them makes a ./gapbot.db, and what one command writes the next one reads from
Postgres. (The long-running `gapbot slack` is run the same way in tests/test_shared_state.py.)"""
from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from adapters import cli
from bench.pg_server import wheel_install
from corpus.api import Corpus
from corpus.embed import HashEmbedder

SCRAPES = Path(__file__).parent / "fixtures" / "scrapes"


def gapbot(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run one command in-process with no --db; its standard output (it must succeed)."""
    assert cli.main(["--no-seed", *argv]) == 0, argv
    return capsys.readouterr().out


def test_every_command_reads_and_writes_the_postgres_database(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GAPBOT_DATABASE_URL", pg_url)
    monkeypatch.setenv("GAPBOT_DB", str(tmp_path / "not-this.db"))  # the URL wins over the SQLite default
    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")
    monkeypatch.setenv("PATH", f"{wheel_install() / 'bin'}{os.pathsep}{os.environ['PATH']}")
    added = gapbot(capsys, "index", str(SCRAPES / "drone_rivals.txt"), str(SCRAPES / "robotics_fair.txt"))
    assert added.count("\nadded ") + added.startswith("added ") == 2 and pg_url.split("@")[-1] in added
    assert "2 articles indexed" in gapbot(capsys, "ask", "/sources")
    hits = gapbot(capsys, "search", "drone", "makers", "--json")
    assert '"article_id"' in hits
    first = Corpus.open(pg_url, seed=False, embedder=HashEmbedder()).articles()[0]
    assert first.title in gapbot(capsys, "show", first.id[:8])
    monkeypatch.setattr("sys.stdin", io.StringIO("/sources\n"))
    assert "2 articles indexed" in gapbot(capsys, "chat")
    gapbot(capsys, "digest", "add", "slack:C0PG", "--at", "07:30")
    assert "slack:C0PG" in gapbot(capsys, "digest", "list")
    assert gapbot(capsys, "feeds", "list").startswith("No feeds.")
    assert gapbot(capsys, "adds", "--json") == ""  # nothing shared from chat yet
    assert gapbot(capsys, "report").startswith("No refused or voted-down questions")
    assert "backed up 2 articles" in gapbot(capsys, "backup", str(tmp_path / "gapbot.dump"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gapbot.dump"]  # no SQLite file anywhere here
