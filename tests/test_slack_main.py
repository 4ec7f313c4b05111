"""`gapbot slack`: configuration errors, the manifest, Socket Mode,
and the HTTP server run as a real process."""
from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml
from slack_fake import Failure, FakeSlack, get, post, signed_headers, slash_body

import adapters.slack as slack_main
import adapters.slack.manifest as slack_manifest
from adapters.slack.app import create_app
from corpus.api import Corpus
from corpus.embed import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-signing-secret"  # made up, signs test requests only
TOKEN = "xoxb-made-up-test-token"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.close()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean environment: no SLACK_* or PORT variables from the machine running the tests."""
    for name in [n for n in os.environ if n.startswith("SLACK_") or n == "PORT"]:
        monkeypatch.delenv(name)
    return monkeypatch


# --- configuration -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode,have,missing", [
    ("--http", {}, "SLACK_BOT_TOKEN"),
    ("--http", {"SLACK_BOT_TOKEN": TOKEN}, "SLACK_SIGNING_SECRET"),
    ("--socket", {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}, "SLACK_APP_TOKEN"),
])
def test_missing_variable_is_one_clear_line(env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path, mode: str, have: dict[str,
                                                                                  str], missing: str) -> None:
    for name, value in have.items():
        env.setenv(name, value)
    assert slack_main.main(["slack", mode], db=str(tmp_path / "x.db"), seed=False) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"gapbot slack: {missing} is not set") and "\n" not in err
    assert TOKEN not in err and SECRET not in err
    assert not (tmp_path / "x.db").exists()


def test_refused_token_stops_with_exit_1_without_showing_it(env: pytest.MonkeyPatch, fake: FakeSlack,
                                                            capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    env.setenv("SLACK_BOT_TOKEN", TOKEN)
    env.setenv("SLACK_SIGNING_SECRET", SECRET)
    env.setenv("SLACK_API_URL", fake.api_url)
    fake.fail("auth.test", Failure(status=200, error="invalid_auth"))
    assert slack_main.main(["slack", "--http", "--port", "0"], db=str(tmp_path / "x.db"), seed=False) == 1
    err = capsys.readouterr().err
    assert "invalid_auth" in err and TOKEN not in err
    assert fake.called("auth.test")[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_refused_app_token_stops_socket_mode_with_exit_1(env: pytest.MonkeyPatch, fake: FakeSlack,
                                                         capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
    env.setenv("SLACK_BOT_TOKEN", TOKEN)
    env.setenv("SLACK_APP_TOKEN", "xapp-made-up")
    env.setenv("SLACK_API_URL", fake.api_url)
    env.setenv("GAPBOT_EMBEDDER", "hash")
    fake.fail("apps.connections.open", Failure(status=200, error="invalid_auth"))
    assert slack_main.main(["slack", "--socket"], db=str(tmp_path / "x.db"), seed=False) == 1
    err = capsys.readouterr().err.strip()
    assert err == "gapbot slack: Slack refused SLACK_APP_TOKEN (invalid_auth)"
    assert fake.called("apps.connections.open")[0].headers["authorization"] == "Bearer xapp-made-up"


def test_settings_choose_what_each_mode_needs() -> None:
    env = {"SLACK_BOT_TOKEN": "b", "SLACK_APP_TOKEN": "a", "SLACK_API_URL": "http://127.0.0.1:9/api"}
    socket_mode = slack_main.Settings.from_env(env, socket=True)
    assert (socket_mode.app_token, socket_mode.signing_secret, socket_mode.api_url) == ("a",
                                                                                        "",
                                                                                        env["SLACK_API_URL"])
    with pytest.raises(slack_main.ConfigError):
        slack_main.Settings.from_env(env, socket=False)


def test_model_is_loaded_in_the_background_at_start_up(tmp_path: Path) -> None:
    class Loader(HashEmbedder):
        def __init__(self) -> None:
            self.loaded_in: str | None = None

        def load(self) -> None:
            import threading

            self.loaded_in = threading.current_thread().name

    corpus = Corpus.open(tmp_path / "m.db", seed=False, embedder=Loader())
    slack_main.warm_up(corpus)
    assert corpus.embedder.loaded_in == "MainThread"  # type: ignore[attr-defined]
    ready = slack_main.open_corpus_in_background(str(tmp_path / "m.db"), seed=False)
    assert ready.result(timeout=30).count() == 0
    assert slack_main.health(ready) == {"ready": True, "articles": 0}


# --- the manifest ------------------------------------------------------------------------------------------

def test_manifest_yml_creates_the_app_with_its_one_slash_command() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert manifest == slack_manifest.manifest(), "regenerate: gapbot slack --manifest > manifest.yml"
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/gap"]
    assert manifest["settings"]["socket_mode_enabled"] is True
    # messages in channels are read for watched channels, which get reactions
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_mention", "message.im", "message.channels", "message.groups"}
    assert {"commands", "chat:write", "files:write", "app_mentions:read", "im:history", "channels:history",
            "groups:history", "reactions:write"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert manifest["features"]["shortcuts"] == [{"name": "Add to gapbot", "type": "message",
                                                  "callback_id": "add_to_gapbot",
                                                  "description": "Add the links in this message to gapbot's "
                                                                 "articles"}]


def test_manifest_for_http_mode_points_everything_at_slack_events(capsys: pytest.CaptureFixture[str]) -> None:
    assert slack_main.main(["slack", "--manifest", "--url", "https://gapbot.example"], db="unused.db") == 0
    manifest = yaml.safe_load(capsys.readouterr().out)
    url = "https://gapbot.example/slack/events"
    assert {c["url"] for c in manifest["features"]["slash_commands"]} == {url}
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["socket_mode_enabled"] is False
    # the same app can be installed in several workspaces (SLACK_CLIENT_ID): Slack sends installers back here,
    # and tells it of an uninstall
    assert manifest["oauth_config"]["redirect_urls"] == ["https://gapbot.example/slack/oauth_redirect"]
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_procfile_runs_the_http_mode() -> None:
    lines = (ROOT / "Procfile").read_text().splitlines()
    # a platform router connects from outside
    assert "web: gapbot slack --http --host 0.0.0.0 --port $PORT" in lines


# --- Socket Mode: the same app, fed through slack_bolt's Socket Mode handler --------------------------------

class SocketRecorder:
    """Stands in for the websocket client: records the envelopes acknowledged."""

    logger = logging.getLogger("socket-test")

    def __init__(self) -> None:
        self.acks: list[Any] = []

    def send_socket_mode_response(self, response: Any) -> None:
        self.acks.append(response)


def test_socket_mode_acks_the_envelope_and_answers(env: pytest.MonkeyPatch, fake: FakeSlack,
                                                   tmp_path: Path) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.socket_mode.request import SocketModeRequest

    corpus = Corpus.open(tmp_path / "s.db", seed=False, embedder=HashEmbedder())
    app = create_app(corpus, token=TOKEN, signing_secret="", api_url=fake.api_url)
    handler = SocketModeHandler(app, "xapp-made-up")
    recorder = SocketRecorder()
    try:
        form = dict(parse_qsl(slash_body("/help", "", response_url=fake.response_url())))
        handler.handle(recorder, SocketModeRequest("slash_commands", "env-1", form))  # type: ignore[arg-type]
        assert [a.envelope_id for a in recorder.acks] == ["env-1"]
        assert json.loads(fake.wait_for("response")[0].body)["response_type"] == "ephemeral"
        event = json.loads((Path(__file__).parent / "fixtures/slack/app_mention.json").read_text())
        retried = SocketModeRequest("events_api", "env-2", event, retry_attempt=1, retry_reason="timeout")
        handler.handle(recorder, retried)  # type: ignore[arg-type]
        assert [a.envelope_id for a in recorder.acks] == ["env-1", "env-2"]
        # a sentinel from another channel: once it is answered, the retry sent before it has been dealt with
        fresh = {**event, "event_id": "Ev0SENTINEL", "event": {**event["event"], "channel": "C0SENTINEL"}}
        handler.handle(recorder, SocketModeRequest("events_api", "env-3", fresh))  # type: ignore[arg-type]
        fake.wait_until(lambda calls: any(c.params.get("channel") == "C0SENTINEL" for c in calls))
        assert fake.called("chat.postMessage") == []
    finally:
        handler.close()


# --- the HTTP server as a real process ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base: str, proc: subprocess.Popen[str], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            health = get(base + "/healthz")
            if health.status == 200 and json.loads(health.body).get("ready"):
                return json.loads(health.body)
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server never became healthy")


def test_gapbot_slack_http_serves_signed_commands_and_stops_on_sigterm(fake: FakeSlack,
                                                                       tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url,
               GAPBOT_EMBEDDER="hash", PORT=str(port))
    cmd = [sys.executable, "-m", "bot", "--db", str(tmp_path / "p.db"), "--no-seed", "slack", "--http",
           "--host", "127.0.0.1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_healthy(base, proc) == {"ok": True, "ready": True, "articles": 0}
        body = slash_body("/help", "", response_url=fake.response_url())
        assert post(base + "/slack/events", body, signed_headers(SECRET, body)).status == 200
        assert post(base + "/slack/events", body, signed_headers("wrong", body)).status == 401
        assert json.loads(fake.wait_for("response")[0].body)["response_type"] == "ephemeral"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert TOKEN not in err + out and SECRET not in err + out
