"""`gapbot serve` says which platforms it skipped and why, instead of idling silently."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

from adapters.serve import skipped


def test_no_tokens_names_both_platforms_and_the_missing_variables():
    assert skipped({}) == ["Slack skipped: SLACK_BOT_TOKEN is not set",
                           "Discord skipped: DISCORD_TOKEN is not set"]


def test_a_bot_token_alone_asks_for_the_app_token_or_signing_secret():
    reasons = skipped({"SLACK_BOT_TOKEN": "xoxb-1", "DISCORD_TOKEN": "d"})
    assert reasons == ["Slack skipped: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP)"]
    assert skipped({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "DISCORD_TOKEN": "d"}) == []


def test_installing_in_several_workspaces_needs_the_secrets_and_http():
    assert skipped({"SLACK_CLIENT_ID": "1.2", "DISCORD_TOKEN": "d"}) == [
        "Slack skipped: installing in several workspaces needs SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET "
        "(HTTP)"]
    assert skipped({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s",
                    "DISCORD_TOKEN": "d"}) == []


def test_serve_without_tokens_prints_the_reasons_before_running(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(PYTHONPATH=str(ROOT), GAPBOT_EMBEDDER="hash")
    argv = [sys.executable, "-m", "bot", "--db", str(tmp_path / "s.db"), "--no-seed", "serve"]
    proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)
    try:
        lines = []
        for line in proc.stderr:  # read until the line that says what runs; the process then idles
            lines.append(line)
            if "running" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = "".join(lines)
    assert "Slack skipped: SLACK_BOT_TOKEN is not set" in text and "Discord skipped: DISCORD_TOKEN" in text
    assert "running digest scheduler" in text
