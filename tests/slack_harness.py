"""The running Slack app for tests: served over HTTP on 127.0.0.1, talking to a FakeSlack, with fixtures.

tests/conftest.py registers this module as a pytest plugin: any test module can ask for its fixtures by name.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_fake import (
    FakeSlack,
    HttpResult,
    action_body,
    event_body,
    post,
    signed_headers,
    slash_body,
)

from adapters.slack.app import Handler, create_app
from adapters.slack.server import SlackServer, make_server
from bot.guard import Guard
from bot.intake import Intake
from bot.reply import Citation, Reply, Request, Section
from corpus.api import Corpus
from corpus.embed import HashEmbedder

SECRET = "test-signing-secret"  # a made-up value, used only to sign test requests


class Scripted:
    """Stands in for handle(): records each Request and answers with .reply (or waits on .gate first)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.reply = Reply(command="who", title="iFlytek", sections=[Section("A speech company [1].")],
                           citations=[Citation(1, "a1", "iFlytek profile", "q", "Wire", "2024-05-01",
                                               "https://example.com/a1")])
        self.gate: threading.Event | None = None

    def __call__(self, request: Request) -> Reply:
        self.requests.append(request)
        if self.gate is not None:
            self.gate.wait(10)
        return self.reply


class Echo:
    """A handler that repeats the typed text back in every field (the worst a command could do)."""

    def __call__(self, request: Request) -> Reply:
        return Reply(command="ask", title=f"You asked: {request.text}",
                     sections=[Section(request.text, "Echo")], citations=[Citation(1, "a1",
                                                                                   request.text[:400], "q",
                                                                                   request.text[:50], None,
                                         "javascript:alert(1)")], footer=request.text)


@dataclass
class Slack:
    """The app under test, served over HTTP, with the fake Web API it talks to."""

    fake: FakeSlack
    server: SlackServer
    scripted: Scripted = field(default_factory=Scripted)

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/slack/events"

    def command(self, command: str, text: str = "", **fields: str) -> HttpResult:
        """Send a signed slash command; its response_url points at the fake."""
        body = slash_body(command, text, response_url=self.fake.response_url(), **fields)
        return post(self.events_url, body, signed_headers(SECRET, body))

    def click(self, action_id: str, value: str, *, ephemeral: bool = False, **fields: Any) -> HttpResult:
        """Send a signed block_actions payload: a click on a button; its response_url points at the fake."""
        url = self.fake.response_url("action")
        body = action_body(action_id, value, response_url=url, ephemeral=ephemeral, **fields)
        return post(self.events_url, body, signed_headers(SECRET, body))

    def event(self, name: str, *, headers: dict[str, str] | None = None, **event: Any) -> HttpResult:
        """Send a signed Events API payload."""
        body = event_body(name, **event)
        return post(self.events_url, body,
                    {**signed_headers(SECRET, body, content_type="application/json"), **(headers or {})})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """An empty corpus with the hash embedder, shared by a module's tests."""
    return Corpus.open(tmp_path_factory.mktemp("slack") / "slack.db", seed=False, embedder=HashEmbedder())


def serve(fake: FakeSlack, corpus: Corpus, handler: Handler | None, *,
          guard: Guard | None = None, intake: Intake | None = None) -> Iterator[Slack]:
    """The app over corpus (with handler in place of handle(), if given; with intake, /add can fetch), served
    until the test ends."""
    app = create_app(corpus, token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url, handler=handler,
                     guard=guard, intake=intake)
    server = make_server(app, host="127.0.0.1", port=0, health=lambda: {"articles": corpus.count()})
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield Slack(fake, server, handler if isinstance(handler, Scripted) else Scripted())
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fresh fake Slack Web API; the user UADMIN1 is a workspace admin."""
    server = FakeSlack(admins=("UADMIN1",)).start()
    yield server
    server.close()


@pytest.fixture
def slack(fake: FakeSlack, corpus: Corpus) -> Iterator[Slack]:
    """The app with a scripted handler in place of handle()."""
    yield from serve(fake, corpus, Scripted())


@pytest.fixture
def slack_core(fake: FakeSlack, corpus: Corpus) -> Iterator[Slack]:
    """The app over the real core."""
    yield from serve(fake, corpus, None)


def payload(call: Any) -> dict[str, Any]:
    """A recorded call's JSON body."""
    return json.loads(call.body)


