"""The command line as a new user meets it: --version, help for everything, .env files, closed pipes."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from adapters import cli, envfile

ARTICLE = ROOT / "tests" / "fixtures" / "digest" / "articles" / "04_talent.txt"


def gapbot(*args: str, cwd: Path, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    """`gapbot ARGS` in a child process running this checkout's code."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), "GAPBOT_EMBEDDER": "hash", **(env or {})}
    if "GAPBOT_DB" not in (env or {}):
        full.pop("GAPBOT_DB", None)
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=full, text=True, timeout=120,
                          **kw)


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_version_prints_the_version_and_exits_0(tmp_path):
    done = gapbot("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"gapbot {cli.version()}" and "usage" not in done.stdout


def test_every_console_sub_command_has_a_description_and_every_option_help():
    subs = subparsers(cli.build_parser())
    for name, parser in subs.items():
        if name in cli.DELEGATED:
            continue  # their own parsers answer `gapbot NAME --help`
        assert parser.description, name
        for action in parser._actions:
            assert action.help, f"gapbot {name}: {action.dest} has no help text"
    assert "--json" in subs["index"].format_help() and "RSS/Atom" in subs["index"].format_help()


def test_the_top_level_help_lists_every_sub_command_with_a_line_of_help():
    text = cli.build_parser().format_help()
    for name in [*subparsers(cli.build_parser())]:
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(name + " "))
        assert len(line.split(None, 1)[1]) > 10, name


def closed_pipe_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run gapbot with stdout a pipe whose reader is already gone (what `| head -1` leads to)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return gapbot(*args, cwd=tmp_path, stdout=write)
    finally:
        os.close(write)


def test_a_closed_pipe_ends_ask_and_search_quietly(tmp_path):
    db = str(tmp_path / "t.db")
    (tmp_path / "a.txt").write_bytes(ARTICLE.read_bytes())
    assert gapbot("--db", db, "--no-seed", "index", "a.txt", cwd=tmp_path).returncode == 0
    for args in (["ask", "/help"], ["search", "universities", "researchers"], ["ask", "/sources", "--json"]):
        done = closed_pipe_run(tmp_path, "--db", db, "--no-seed", *args)
        assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, (args, done.stderr)
        assert done.returncode == 0


def test_env_file_is_loaded_and_real_variables_win(tmp_path):
    (tmp_path / ".env").write_text("# settings\nGAPBOT_DB=from-file.db\n", encoding="utf-8")
    assert gapbot("--no-seed", "ask", "/sources", cwd=tmp_path).returncode == 0
    assert (tmp_path / "from-file.db").exists()
    assert gapbot("--no-seed", "ask", "/sources", cwd=tmp_path, env={"GAPBOT_DB": "real.db"}).returncode == 0
    assert (tmp_path / "real.db").exists()


def test_env_file_parsing():
    text = ('A=1\nexport B="two words"  \n# C=3\nD=four # a comment\nE=\nbad line\nF=\'#kept\'\n')
    assert envfile.parse(text) == {"A": "1", "B": "two words", "D": "four", "E": "", "F": "#kept"}


def test_env_file_never_overrides_and_skips_blanks(tmp_path):
    path = tmp_path / ".env"
    path.write_text("TOKEN=file\nOTHER=x\nEMPTY=\n", encoding="utf-8")
    env = {"TOKEN": "real"}
    assert envfile.load(path, env) == ["OTHER"]
    assert env == {"TOKEN": "real", "OTHER": "x"}
    assert envfile.load(tmp_path / "missing.env", env) == []


def test_first_run_note_only_for_a_new_database(tmp_path, capsys):
    cli.first_run_note(str(tmp_path / "new.db"))
    assert "indexing the bundled articles" in capsys.readouterr().err
    (tmp_path / "old.db").write_bytes(b"x" * 10)
    cli.first_run_note(str(tmp_path / "old.db"))
    assert capsys.readouterr().err == ""


def test_a_new_database_says_on_stderr_that_seeding_is_under_way(tmp_path):
    done = gapbot("--db", "fresh.db", "ask", "/sources", cwd=tmp_path)
    assert done.returncode == 0 and "indexing the bundled articles" in done.stderr
    assert "indexing the bundled" not in done.stdout and "articles indexed" in done.stdout
    for args in (["slack", "--manifest"], ["digest", "--help"]):  # these never open the database
        done = gapbot("--db", "other.db", *args, cwd=tmp_path)
        assert done.returncode == 0 and "indexing" not in done.stderr and not (tmp_path / "other.db").exists()


@pytest.mark.slow
def test_the_model_loading_bar_stays_out_of_the_output(tmp_path):
    (tmp_path / "a.txt").write_bytes(ARTICLE.read_bytes())
    done = gapbot("--db", "m.db", "--no-seed", "index", "a.txt", cwd=tmp_path, env={"GAPBOT_EMBEDDER": ""})
    assert done.returncode == 0, done.stderr
    assert "Loading weights" not in done.stderr + done.stdout and "1 added" in done.stdout
