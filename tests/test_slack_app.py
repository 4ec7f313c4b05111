"""The Slack adapter end to end: signed Slack payloads over HTTP into the Bolt app, Web API calls to a fake."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_fake import (
    BOT_USER,
    FakeSlack,
    HttpResult,
    event_body,
    get,
    post,
    refuse_non_loopback,
    signed_headers,
    slash_body,
)

from adapters.slack.app import create_app
from adapters.slack.server import SlackServer, make_server
from bot.core import handle
from bot.reply import Attachment, Citation, Reply, Request, Section
from corpus.embed import HashEmbedder
from corpus.index import Corpus

SECRET = "test-signing-secret"  # a made-up value, used only to sign test requests
PNG = b"\x89PNG\r\n\x1a\nfake-chart"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_non_loopback(monkeypatch)


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

    def event(self, name: str, *, headers: dict[str, str] | None = None, **event: Any) -> HttpResult:
        """Send a signed Events API payload."""
        body = event_body(name, **event)
        return post(self.events_url, body,
                    {**signed_headers(SECRET, body, content_type="application/json"), **(headers or {})})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return Corpus.open(tmp_path_factory.mktemp("slack") / "slack.db", seed=False, embedder=HashEmbedder())


def _serve(fake: FakeSlack, corpus: Corpus, scripted: Scripted | None) -> Iterator[Slack]:
    app = create_app(corpus, token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url, handler=scripted)
    server = make_server(app, host="127.0.0.1", port=0, health=lambda: {"articles": corpus.count()})
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield Slack(fake, server, scripted or Scripted())
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack(admins=("UADMIN1",)).start()
    yield server
    server.close()


@pytest.fixture
def slack(fake: FakeSlack, corpus: Corpus) -> Iterator[Slack]:
    """The app with a scripted handler in place of handle()."""
    yield from _serve(fake, corpus, Scripted())


@pytest.fixture
def slack_core(fake: FakeSlack, corpus: Corpus) -> Iterator[Slack]:
    """The app over the real core."""
    yield from _serve(fake, corpus, None)


def payload(call: Any) -> dict[str, Any]:
    return json.loads(call.body)


# --- slash commands ---------------------------------------------------------------------------------------

def test_slash_help_is_acked_then_answered_privately_through_response_url(slack_core: Slack) -> None:
    result = slack_core.command("/help")
    assert result.status == 200 and result.body == ""
    (call,) = slack_core.fake.wait_for("response")
    message = payload(call)
    assert message["response_type"] == "ephemeral"
    assert message["blocks"][0]["type"] == "header"
    assert "/gap" in json.dumps(message["blocks"])
    assert message["text"]


def test_slash_answer_is_in_channel_with_sources_and_fallback_text(slack: Slack) -> None:
    slack.command("/who", "iflytek")
    message = payload(slack.fake.wait_for("response")[0])
    assert message["response_type"] == "in_channel"
    assert message["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "iFlytek",
                                                               "emoji": True}}
    sources = [b for b in message["blocks"] if b["type"] == "context"]
    assert sources[0]["elements"][0]["text"] == "[1] <https://example.com/a1|iFlytek profile — Wire — 2024-05-01>"
    assert message["text"].startswith("iFlytek")
    (request,) = slack.scripted.requests
    assert request == Request(text="/who iflytek", platform="slack", user="U0USER1", channel="C0CHAN1")


def test_ack_comes_back_at_once_however_slow_the_answer(slack: Slack) -> None:
    slack.scripted.gate = threading.Event()
    result = slack.command("/ask", "what is the gap?")
    assert result.status == 200 and result.seconds < 1.0
    assert slack.fake.called("response") == []
    slack.scripted.gate.set()
    assert slack.fake.wait_for("response")


def test_unanswered_reply_is_ephemeral(slack: Slack) -> None:
    slack.scripted.reply = Reply(command="ask", title="The articles don't cover that.", answered=False)
    slack.command("/ask", "weather on mars")
    assert payload(slack.fake.wait_for("response")[0])["response_type"] == "ephemeral"


def test_a_command_added_to_the_registry_gets_a_slash_command(fake: FakeSlack, corpus: Corpus) -> None:
    from bot.registry import COMMANDS, command

    @command()
    def cmd_zzping(args: str, ctx: Any) -> Reply:
        """Reply pong."""
        return Reply(command="zzping", title="pong")

    try:
        for slack in _serve(fake, corpus, None):
            slack.command("/zzping")
            assert payload(fake.wait_for("response")[0])["blocks"][0]["text"]["text"] == "pong"
    finally:
        COMMANDS.pop("zzping")


def test_admin_status_is_asked_of_slack_only_for_admin_commands(fake: FakeSlack, corpus: Corpus) -> None:
    from bot.registry import COMMANDS, command

    @command(admin=True)
    def cmd_zzadmin(args: str, ctx: Any) -> Reply:
        """An admin-only command."""
        return Reply(command="zzadmin", title=f"admin={ctx.request.is_admin}")

    try:
        for slack in _serve(fake, corpus, None):
            slack.command("/help")
            fake.wait_for("response")
            assert fake.called("users.info") == []
            slack.command("/zzadmin", user_id="UADMIN1")
            assert fake.wait_for("users.info")[0].params["user"] == "UADMIN1"
            assert payload(fake.wait_for("response", 2)[1])["blocks"][0]["text"]["text"] == "admin=True"
    finally:
        COMMANDS.pop("zzadmin")


# --- signatures --------------------------------------------------------------------------------------------

def test_bad_signature_is_refused_before_any_work(slack: Slack) -> None:
    body = slash_body("/who", "iflytek", response_url=slack.fake.response_url())
    headers = signed_headers("not-the-secret", body)
    assert post(slack.events_url, body, headers).status == 401
    time.sleep(0.2)
    assert slack.scripted.requests == [] and slack.fake.calls == []


def test_missing_signature_is_refused(slack: Slack) -> None:
    body = slash_body("/who", "iflytek", response_url=slack.fake.response_url())
    assert post(slack.events_url, body, {"Content-Type": "application/x-www-form-urlencoded"}).status == 401
    assert slack.scripted.requests == []


def test_stale_timestamp_is_refused_even_when_correctly_signed(slack: Slack) -> None:
    body = slash_body("/who", "iflytek", response_url=slack.fake.response_url())
    headers = signed_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60)
    assert post(slack.events_url, body, headers).status == 401
    assert slack.scripted.requests == [] and slack.fake.calls == []


def test_url_verification_challenge_is_answered(slack: Slack) -> None:
    body = json.dumps({"token": "x", "challenge": "abc123", "type": "url_verification"})
    result = post(slack.events_url, body, signed_headers(SECRET, body, content_type="application/json"))
    assert result.status == 200 and json.loads(result.body) == {"challenge": "abc123"}


# --- mentions and DMs --------------------------------------------------------------------------------------

def test_mention_is_answered_in_the_messages_thread(slack: Slack) -> None:
    assert slack.event("app_mention").status == 200
    (call,) = slack.fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0CHAN1" and call.params["thread_ts"] == "1700000100.000200"
    assert call.blocks()[0]["text"]["text"] == "iFlytek"
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert slack.scripted.requests[0].text == "who iflytek"


def test_mention_inside_a_thread_answers_in_that_thread(slack: Slack) -> None:
    slack.event("app_mention", thread_ts="1699999999.000001")
    assert slack.fake.wait_for("chat.postMessage")[0].params["thread_ts"] == "1699999999.000001"


def test_private_reply_to_a_mention_is_ephemeral_to_the_asker(slack: Slack) -> None:
    slack.scripted.reply = Reply(command="help", title="Help", sections=[Section("• /gap")], ephemeral=True)
    slack.event("app_mention", text=f"<@{BOT_USER}> help")
    (call,) = slack.fake.wait_for("chat.postEphemeral")
    assert call.params["user"] == "U0USER1" and call.params["thread_ts"] == "1700000100.000200"
    assert slack.fake.called("chat.postMessage") == []


def test_direct_message_is_answered_in_the_dm(slack: Slack) -> None:
    slack.scripted.reply = Reply(command="ask", title="Not in the corpus.", answered=False)
    slack.event("message_im")
    (call,) = slack.fake.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0DM0001" and "thread_ts" not in call.params
    assert slack.scripted.requests[0].text == "who iflytek"


@pytest.mark.parametrize("event", [{"subtype": "message_changed"}, {"bot_id": "B0001"},
                                   {"user": BOT_USER}, {"channel_type": "channel"}])
def test_edits_bot_messages_and_channel_messages_are_ignored(slack: Slack, event: dict[str, Any]) -> None:
    assert slack.event("message_im", **event).status == 200
    time.sleep(0.3)
    assert slack.scripted.requests == [] and slack.fake.called("chat.postMessage") == []


def test_retried_event_is_not_answered_twice(slack: Slack) -> None:
    slack.event("app_mention")
    slack.fake.wait_for("chat.postMessage")
    retry = slack.event("app_mention", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    again = slack.event("app_mention")
    assert retry.status == 200 and again.status == 200
    time.sleep(0.3)
    assert len(slack.scripted.requests) == 1 and len(slack.fake.called("chat.postMessage")) == 1


def test_distinct_events_are_each_answered(slack: Slack) -> None:
    slack.event("app_mention", event_id="Ev0A")
    slack.event("app_mention", event_id="Ev0B")
    assert len(slack.fake.wait_for("chat.postMessage", 2)) == 2


# --- limits and hostile input ------------------------------------------------------------------------------

def test_reply_longer_than_one_message_is_split(slack: Slack) -> None:
    lines = "\n".join(f"• item {i} " + "x" * 80 for i in range(3000))
    slack.scripted.reply = Reply(command="sources", title="Many", sections=[Section(lines)])
    slack.command("/sources", "1000")
    calls = slack.fake.wait_for("response", 2)
    time.sleep(0.2)
    messages = [payload(c) for c in slack.fake.called("response")]
    assert 2 <= len(messages) <= 5
    for message in messages:
        assert len(message["blocks"]) <= 50 and message["response_type"] == "in_channel"
        assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")
    assert "item 0 " in json.dumps(messages[0]) and "item 2999 " in json.dumps(messages[-1])
    assert "(part 2 of" in messages[1]["text"] and calls


class Echo:
    """A handler that repeats the typed text back in every field (the worst a command could do)."""

    def __call__(self, request: Request) -> Reply:
        return Reply(command="ask", title=f"You asked: {request.text}", sections=[Section(request.text, "Echo")],
                     citations=[Citation(1, "a1", request.text[:400], "q", request.text[:50], None,
                                         "javascript:alert(1)")], footer=request.text)


# Slack's markup for what the user typed (mentions, a link), then literal text that looks like markup
HOSTILE = ("<!channel> <!here> <!everyone> @here <@U0BOSS|boss> <https://evil.example|click> "
           "&lt;!channel&gt; &lt;@U0BOSS&gt; &amp; more ")


def test_hostile_argument_cannot_ping_or_link(fake: FakeSlack, corpus: Corpus) -> None:
    for slack in _serve(fake, corpus, Echo()):  # type: ignore[arg-type]
        result = slack.command("/ask", HOSTILE + "A" * 50_000)
        assert result.status == 200 and result.seconds < 3
        messages = [payload(c) for c in fake.wait_for("response")]
        text = json.dumps(messages)
        for bad in ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS", "<https://evil", "javascript:", "@here"):
            assert bad not in text
        assert "&lt;!channel&gt;" in text and "&amp; more" in text


def test_hostile_argument_through_the_real_core(slack_core: Slack) -> None:
    result = slack_core.command("/ask", HOSTILE + "B" * 50_000)
    assert result.status == 200
    text = json.dumps([payload(c) for c in slack_core.fake.wait_for("response")])
    assert "<!channel>" not in text and "<@U0BOSS" not in text and "<!here>" not in text


# --- Web API failures ---------------------------------------------------------------------------------------

def test_web_api_429_is_retried_after_retry_after(slack: Slack) -> None:
    from slack_fake import Failure

    slack.fake.fail("chat.postMessage", Failure(status=429, retry_after=1))
    slack.event("app_mention")
    first, second = slack.fake.wait_for("chat.postMessage", 2)
    assert second.at - first.at >= 1.0
    assert second.params == first.params


def test_response_url_429_is_retried(slack: Slack) -> None:
    from slack_fake import Failure

    slack.fake.fail("response", Failure(status=429, retry_after=0))
    slack.command("/who", "iflytek")
    first, second = slack.fake.wait_for("response", 2)
    assert payload(first) == payload(second)


def test_dropped_connection_is_retried(slack: Slack) -> None:
    from slack_fake import Failure

    slack.fake.fail("chat.postMessage", Failure(drop=True))
    slack.event("app_mention")
    assert len(slack.fake.wait_for("chat.postMessage", 2)) == 2


# --- the /gap chart -----------------------------------------------------------------------------------------

def chart_reply() -> Reply:
    return Reply(command="gap", title="The gap: 1–2 years", sections=[Section("Most say 1–2 years [1].")],
                 image=Attachment("gap.png", lambda: PNG, title="Gap estimates"))


def test_gap_chart_is_uploaded_beside_a_slash_answer(slack: Slack) -> None:
    slack.scripted.reply = chart_reply()
    slack.command("/gap")
    slack.fake.wait_for("files.completeUploadExternal")
    methods = [c.method for c in slack.fake.calls if c.method != "auth.test"]
    assert methods == ["response", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    assert slack.fake.called("upload")[0].body == PNG
    complete = slack.fake.called("files.completeUploadExternal")[0].params
    assert complete["channel_id"] == "C0CHAN1" and "Gap estimates" in complete["files"]


def test_gap_chart_goes_into_the_mention_thread(slack: Slack) -> None:
    slack.scripted.reply = chart_reply()
    slack.event("app_mention", text=f"<@{BOT_USER}> gap")
    complete = slack.fake.wait_for("files.completeUploadExternal")[0].params
    assert complete["thread_ts"] == "1700000100.000200"


def test_refused_chart_upload_tells_the_asker_privately(slack: Slack) -> None:
    from slack_fake import Failure

    slack.scripted.reply = chart_reply()
    slack.fake.fail("files.completeUploadExternal", Failure(status=200, error="not_in_channel"))
    slack.command("/gap")
    answer, hint = slack.fake.wait_for("response", 2)
    assert payload(answer)["response_type"] == "in_channel"
    assert payload(hint)["response_type"] == "ephemeral" and "invite" in payload(hint)["text"].lower()


# --- the server itself --------------------------------------------------------------------------------------

def test_healthz_and_unknown_paths(slack: Slack) -> None:
    base = slack.events_url.rsplit("/slack/", 1)[0]
    health = get(base + "/healthz")
    assert health.status == 200 and json.loads(health.body) == {"ok": True, "articles": 0}
    assert get(base + "/slack/events").status == 404
    assert post(base + "/other", "{}", {"Content-Type": "application/json"}).status == 404
    assert claims_huge_body(slack.server.server_port) == 413 and slack.scripted.requests == []


def claims_huge_body(port: int) -> int:
    """Send only the headers of a 2 MB POST; the status the server answers without reading the body."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.putrequest("POST", "/slack/events")
    conn.putheader("Content-Length", str(2 << 20))
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


def test_core_handle_is_what_the_app_calls(slack_core: Slack, corpus: Corpus) -> None:
    slack_core.command("/sources")
    message = payload(slack_core.fake.wait_for("response")[0])
    expected = handle(Request("/sources", platform="slack"), corpus)
    assert message["blocks"][0]["text"]["text"] == expected.title
