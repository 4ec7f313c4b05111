"""gapbot installed in several workspaces (OAuth): Bolt's install flow served by our HTTP server against the
fake Slack, installations kept beside the corpus (SQLite file or Postgres), and each workspace answered with
its own bot token. Once per storage engine."""
from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from slack_fake import FakeSlack, HttpResult, event_body, get, post, signed_headers, slash_body
from slack_harness import SECRET

from adapters.platforms import Config, poster_for
from adapters.slack import ConfigError, Settings, worker_app
from adapters.slack.installs import Installs, OAuthApp
from adapters.slack.manifest import SCOPES
from adapters.slack.server import SlackServer, make_server
from bot.digest.deliver import PostError
from bot.digest.service import DigestService
from corpus.api import Corpus
from corpus.embed import HashEmbedder

ARTICLE = Path(__file__).parent / "fixtures" / "digest" / "articles" / "01_export_rules.txt"
CREDENTIALS = OAuthApp("0001.0002", "made-up-client-secret")
COOKIE = "slack-app-oauth-state"


@dataclass
class Worker:
    """One `gapbot slack --http` worker in OAuth mode, served on loopback."""

    server: SlackServer
    installs: Installs
    corpus: Corpus

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def command(self, fake: FakeSlack, text: str, **fields: str) -> HttpResult:
        """Send a signed /gap command; its response_url points at the fake."""
        body = slash_body("/gap", text, response_url=fake.response_url(), **fields)
        return post(self.base + "/slack/events", body, signed_headers(SECRET, body))

    def event(self, body: str) -> HttpResult:
        """Send a signed Events API body."""
        return post(self.base + "/slack/events", body,
                    signed_headers(SECRET, body, content_type="application/json"))


def serve_oauth_worker(fake: FakeSlack, db: str) -> Worker:
    """A worker built by the same code as `gapbot slack --http` with SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET set."""
    corpus = Corpus.open(db, seed=False, embedder=HashEmbedder())
    installs = Installs.on(db, client_id=CREDENTIALS.client_id)
    installs.create_tables(corpus)
    ready: Future[Corpus] = Future()
    ready.set_result(corpus)
    settings = Settings(None, SECRET, None, fake.api_url, oauth=CREDENTIALS)
    server = make_server(worker_app(settings, ready, db=db, installs=installs), host="127.0.0.1", port=0,
                         health=lambda: {"ready": True}, ready=ready.done)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return Worker(server, installs, corpus)


@pytest.fixture()
def worker(fake: FakeSlack, engine_db: str) -> Iterator[Worker]:
    served = serve_oauth_worker(fake, engine_db)
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()
        served.installs.installations.engine.dispose()


def start_install(base: str) -> tuple[HttpResult, str]:
    """Open the install page: the page, and the state Bolt put in the browser's cookie."""
    page = get(base + "/slack/install")
    cookie = {k.lower(): v for k, v in page.headers.items()}.get("set-cookie", "")
    found = re.search(COOKIE + r"=([^;]+)", cookie)
    assert page.status == 200 and found, (page.status, page.headers)
    return page, found.group(1)


def finish_install(base: str, code: str, state: str, *, cookie: bool = True) -> HttpResult:
    """Come back from Slack's consent screen with code and state (and the browser's cookie, if cookie)."""
    return get(f"{base}/slack/oauth_redirect?code={code}&state={state}",
               {"Cookie": f"{COOKIE}={state}"} if cookie else {})


def install(fake: FakeSlack, base: str, *, team: str, token: str) -> HttpResult:
    """The whole install of one workspace through the worker at base."""
    fake.grant(f"code-{team}", team=team, token=token)
    _, state = start_install(base)
    return finish_install(base, f"code-{team}", state)


def posts_to(fake: FakeSlack, channel: str) -> list[str | None]:
    """The tokens each chat.postMessage to channel came with."""
    return [c.token for c in fake.called("chat.postMessage") if c.params.get("channel") == channel]


def answered(fake: FakeSlack, worker: Worker, *, team: str, channel: str, event_id: str) -> str | None:
    """Ask /help from team in a DM and wait for the answer; the token it was posted with."""
    assert worker.event(event_body("message_im", event_id=event_id, team=team, channel=channel,
                                   text="/help")).status == 200
    fake.wait_until(lambda calls: len(posts_to(fake, channel)) == 1)
    return posts_to(fake, channel)[0]


def test_the_install_page_asks_for_the_manifests_scopes(worker: Worker) -> None:
    page, state = start_install(worker.base)
    link = re.search(r'<a href="([^"]+)"', page.body)
    assert link is not None
    url = urlsplit(html.unescape(link.group(1)))
    assert (url.netloc, url.path) == ("slack.com", "/oauth/v2/authorize")
    query = dict(parse_qsl(url.query))
    assert query["scope"].split(",") == SCOPES
    assert (query["state"], query["client_id"]) == (state, CREDENTIALS.client_id)


def test_two_workspaces_are_each_answered_with_their_own_token(fake: FakeSlack, worker: Worker) -> None:
    for team, token in (("T0TEAM1", "xoxb-team-one"), ("T0TEAM2", "xoxb-team-two")):
        done = install(fake, worker.base, team=team, token=token)
        assert done.status == 200, done.body
    assert worker.installs.bot_token("T0TEAM1") == "xoxb-team-one"
    assert worker.installs.bot_token("T0TEAM2") == "xoxb-team-two"
    assert answered(fake, worker, team="T0TEAM2", channel="D0TWO", event_id="Ev0TWO") == "xoxb-team-two"
    assert answered(fake, worker, team="T0TEAM1", channel="D0ONE", event_id="Ev0ONE") == "xoxb-team-one"
    assert answered(fake, worker, team="T0TEAM1", channel="D0AGAIN", event_id="Ev0AGAIN") == "xoxb-team-one"
    # Slack checked the token once at the install and once at the team's first event, not at every event
    assert [c.token for c in fake.called("auth.test")].count("xoxb-team-one") == 2


def test_a_workspace_that_never_installed_gets_no_answer(fake: FakeSlack, worker: Worker) -> None:
    install(fake, worker.base, team="T0TEAM1", token="xoxb-team-one")
    stranger = worker.event(event_body("message_im", event_id="Ev0STRANGER", team="T0STRANGER",
                                       channel="D0STRANGER", text="/help"))
    assert stranger.status < 500
    # answered after the stranger's event was turned away: the worker is still up and it posted nothing there
    assert answered(fake, worker, team="T0TEAM1", channel="D0AFTER", event_id="Ev0AFTER") == "xoxb-team-one"
    assert posts_to(fake, "D0STRANGER") == []


def test_an_install_link_works_once(fake: FakeSlack, worker: Worker) -> None:
    fake.grant("code-first", team="T0TEAM1", token="xoxb-team-one")
    fake.grant("code-again", team="T0TEAM3", token="xoxb-team-three")
    _, state = start_install(worker.base)
    assert finish_install(worker.base, "code-first", state).status == 200
    again = finish_install(worker.base, "code-again", state)
    assert again.status == 401 and "invalid_state" in again.body
    assert worker.installs.bot_token("T0TEAM3") is None
    assert "code-again" in fake.codes  # Slack was never asked for the token


def test_an_install_coming_back_without_its_cookie_is_refused(fake: FakeSlack, worker: Worker) -> None:
    fake.grant("code-other-browser", team="T0TEAM3", token="xoxb-team-three")
    _, state = start_install(worker.base)
    refused = finish_install(worker.base, "code-other-browser", state, cookie=False)
    assert refused.status == 400 and "invalid_browser" in refused.body
    assert worker.installs.bot_token("T0TEAM3") is None


def test_uninstalling_forgets_the_workspaces_token(fake: FakeSlack, worker: Worker) -> None:
    install(fake, worker.base, team="T0TEAM1", token="xoxb-team-one")
    install(fake, worker.base, team="T0TEAM2", token="xoxb-team-two")
    gone = {"type": "event_callback", "team_id": "T0TEAM2", "api_app_id": "A0001", "event_id": "Ev0GONE",
            "event_time": int(time.time()), "event": {"type": "app_uninstalled", "event_ts": "1700000300.0"}}
    assert worker.event(json.dumps(gone)).status == 200
    assert worker.installs.bot_token("T0TEAM2") is None
    assert worker.installs.bot_token("T0TEAM1") == "xoxb-team-one"


def test_a_digest_subscribed_in_a_workspace_goes_out_with_its_token(fake: FakeSlack, worker: Worker) -> None:
    install(fake, worker.base, team="T0TEAM1", token="xoxb-team-one")
    install(fake, worker.base, team="T0TEAM2", token="xoxb-team-two")
    assert worker.command(fake, "digest subscribe", team_id="T0TEAM2", user_id="UADMIN1",
                          channel_id="C0DIGEST").status == 200
    [told] = fake.wait_for("response")
    assert "daily digest" in json.dumps(told.params), told.params
    subscribed = DigestService(worker.corpus).destination("slack:C0DIGEST")
    assert subscribed is not None and subscribed.space == "T0TEAM2"
    worker.corpus.index([str(ARTICLE)])
    config = Config(slack_api_url=fake.api_url, slack_tokens=worker.installs.bot_token)
    service = DigestService(worker.corpus, posters=lambda dest: poster_for(dest, config))
    [outcome] = service.run_all()
    assert posts_to(fake, "C0DIGEST") == ["xoxb-team-two"], outcome


def test_a_digest_for_a_workspace_that_uninstalled_says_so(fake: FakeSlack, worker: Worker) -> None:
    service = DigestService(worker.corpus)
    service.add_destination("slack:C0GONE", space="T0GONE")
    service.add_destination("slack:C0CLI")
    config = Config(slack_api_url=fake.api_url, slack_tokens=worker.installs.bot_token)
    gone, cli = (poster_for(service.destination(t), config) for t in ("slack:C0GONE", "slack:C0CLI"))
    with pytest.raises(PostError, match="not installed in workspace T0GONE"):
        gone.send({"channel": "C0GONE", "text": "x"}, key="k", thread=None)
    with pytest.raises(PostError, match="subscribe it from Slack"):
        cli.send({"channel": "C0CLI", "text": "x"}, key="k", thread=None)
    assert fake.called("chat.postMessage") == []


def test_oauth_needs_http_mode_and_both_credentials() -> None:
    env = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_APP_TOKEN": "xapp-made-up"}
    with pytest.raises(ConfigError, match="--http"):
        Settings.from_env(env, socket=True)
    settings = Settings.from_env(env, socket=False)
    assert settings.bot_token is None and settings.oauth == OAuthApp("1.2", "s")
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET"):
        Settings.from_env({**env, "SLACK_CLIENT_SECRET": ""}, socket=False)
