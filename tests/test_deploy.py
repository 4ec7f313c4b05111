"""The deployment files agree with the code and the README: the commands they run exist, the variables
they set are documented, and .env.example lists every documented variable.

No Docker daemon is needed (none is available where these tests run): the files are parsed, not built."""
from __future__ import annotations

import argparse
import re
import shlex

import pytest
import yaml
from conftest import ROOT

from adapters import cli
from adapters.digest.cli import digest_parser
from adapters.discord import _parser as discord_parser
from adapters.slack import build_parser as slack_parser

PARSERS = {"slack": slack_parser, "discord": discord_parser, "digest": digest_parser}


def documented() -> set[str]:
    """The variables in README.md's tables (rows that start with a `VARIABLE`)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)", text, re.M))


def example() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, re.M))


def check_command(argv: list[str]) -> None:
    """Fail unless argv (after `gapbot`) parses: a real sub-command with options it accepts."""
    top, rest = cli.build_parser().parse_known_args(argv)
    assert top.cmd, argv
    if top.cmd in PARSERS:
        PARSERS[top.cmd]().parse_args(rest)
    else:
        assert not rest, argv


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_slack_discord_and_the_digest_on_one_volume(compose):
    services = compose["services"]
    commands = {name: s["command"] for name, s in services.items()}
    assert commands["slack"][0] == "slack" and commands["discord"][0] == "discord"
    assert commands["digest"][:2] == ["digest", "--schedule"]
    for name, argv in commands.items():
        check_command(argv)
    mounts = {s["volumes"][0] for s in services.values()}
    assert mounts == {"gapbot-data:/data"} and "gapbot-data" in compose["volumes"]
    assert {s["environment"]["GAPBOT_DB"] for s in services.values()} == {"/data/gapbot.db"}
    for name in ("slack", "discord", "digest"):  # the database is seeded once, before the bots start
        assert services[name]["depends_on"]["init"]["condition"] == "service_completed_successfully"


@pytest.fixture(scope="module")
def scaled() -> dict:
    return yaml.safe_load((ROOT / "compose.postgres.yaml").read_text(encoding="utf-8"))


def gapbot_services(spec: dict) -> dict[str, dict]:
    """The services that run the gapbot image."""
    return {name: s for name, s in spec["services"].items() if s.get("image") == "gapbot:latest"}


def test_the_scaled_out_compose_runs_every_process_on_one_postgres_database(scaled):
    services = gapbot_services(scaled)
    for s in services.values():
        check_command(s["command"])
    urls = {s["environment"]["GAPBOT_DATABASE_URL"] for s in services.values()}
    assert len(urls) == 1 and urls.pop().split("@")[1].startswith("postgres:5432/")
    assert scaled["services"]["init"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name, s in services.items():
        assert "GAPBOT_DB" not in s["environment"]
        if name != "init":
            assert s["depends_on"]["init"]["condition"] == "service_completed_successfully"
    assert services["digest"]["command"] == ["digest", "--schedule"]


def test_the_scaled_out_slack_workers_are_behind_the_balancer(scaled):
    slack = scaled["services"]["slack"]["command"]
    assert slack[:2] == ["slack", "--http"] and slack[slack.index("--host") + 1] == "0.0.0.0"
    conf = scaled["configs"]["balancer"]["content"]
    assert f"server slack:{slack[slack.index('--port') + 1]};" in conf
    assert "proxy_pass http://gapbot_slack" in conf


def test_the_scaled_out_discord_shards_cover_every_shard_once(scaled):
    shards = [s["command"] for s in gapbot_services(scaled).values() if s["command"][0] == "discord"]
    counts = {argv[argv.index("--shard-count") + 1] for argv in shards}
    assert len(counts) == 1
    ids = sorted(int(i) for argv in shards for i in argv[argv.index("--shards") + 1].split(","))
    assert ids == list(range(int(counts.pop())))


def test_compose_and_dockerfile_set_only_documented_variables(compose):
    env = {k for s in compose["services"].values() for k in s.get("environment", {})}
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    env |= set(re.findall(r"\b((?:GAPBOT|SLACK|DISCORD|HF)_[A-Z0-9_]+)=", docker))
    assert env and env <= documented()


def test_dockerfile_cpu_torch_as_pinned_model_inside_non_root_health_check():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    pin = re.search(r'"torch==([\d.]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))[1]
    assert f"download.pytorch.org/whl/cpu torch=={pin}" in text
    assert "MiniLMEmbedder().encode" in text  # the build fails unless the model loads offline in the image
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0")
    health = re.search(r"HEALTHCHECK[^\n]*\\\n\s*CMD (.+)", text)[1]
    argv = shlex.split(health.split(">")[0])
    assert argv[0] == "gapbot" and "--no-seed" in argv
    check_command(argv[1:])
    entry = re.search(r"^CMD (\[.+\])", text, re.M)[1]
    check_command(yaml.safe_load(entry))


def test_env_example_lists_every_documented_variable_and_nothing_undocumented():
    assert documented() - example() == set()
    assert example() - documented() == set()


def test_env_file_is_ignored_by_git():
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_check_command_rejects_a_command_the_cli_lacks():
    with pytest.raises(SystemExit):
        check_command(["digest", "--every-hour"])
    with pytest.raises(AssertionError):
        check_command(["--db", "x.db"])
    assert isinstance(cli.build_parser(), argparse.ArgumentParser)
