"""The Slack adapter's output under stress:
long replies, hostile text, Web API failures, the chart, the server."""
from __future__ import annotations

import json
import logging
import time

import pytest
from slack_fake import BOT_USER, Failure, FakeSlack, get, post
from slack_harness import Echo, Slack, payload, serve

from bot.core import handle
from bot.reply import Attachment, Reply, Request, Section
from corpus.api import Corpus

PNG = b"\x89PNG\r\n\x1a\nfake-chart"


# --- limits and hostile input ------------------------------------------------------------------------------

def test_reply_longer_than_one_message_is_split(slack: Slack) -> None:
    lines = "\n".join(f"• item {i} " + "x" * 80 for i in range(3000))
    slack.scripted.reply = Reply(command="sources", title="Many", sections=[Section(lines)])
    slack.command("/sources", "1000")
    calls = slack.fake.wait_for("response", 2)
    slack.fake.wait_until(lambda calls: any(b"item 2999 " in c.body for c in calls if c.method == "response"))
    messages = [payload(c) for c in slack.fake.called("response")]
    assert 2 <= len(messages) <= 5
    for message in messages:
        assert len(message["blocks"]) <= 50 and message["response_type"] == "in_channel"
        assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if b["type"] == "section")
    assert "item 0 " in json.dumps(messages[0]) and "item 2999 " in json.dumps(messages[-1])
    assert "(part 2 of" in messages[1]["text"] and calls


# Slack's markup for what the user typed (mentions, a link), then literal text that looks like markup
HOSTILE = ("<!channel> <!here> <!everyone> @here <@U0BOSS|boss> <https://evil.example|click> "
           "&lt;!channel&gt; &lt;@U0BOSS&gt; &amp; more ")


def test_hostile_argument_cannot_ping_or_link(fake: FakeSlack, corpus: Corpus) -> None:
    for app in serve(fake, corpus, Echo()):
        result = app.command("/ask", HOSTILE + "A" * 50_000)
        assert result.status == 200 and result.seconds < 3
        messages = [payload(c) for c in fake.wait_for("response")]
        text = json.dumps(messages)
        for bad in ("<!channel>", "<!here>", "<!everyone>", "<@U0BOSS", "<https://evil",
                    "javascript:", "@here"):
            assert bad not in text
        assert "&lt;!channel&gt;" in text and "&amp; more" in text


def test_hostile_argument_through_the_real_core(slack_core: Slack) -> None:
    result = slack_core.command("/ask", HOSTILE + "B" * 50_000)
    assert result.status == 200
    text = json.dumps([payload(c) for c in slack_core.fake.wait_for("response")])
    assert "<!channel>" not in text and "<@U0BOSS" not in text and "<!here>" not in text


# --- Web API failures ---------------------------------------------------------------------------------------

def test_web_api_429_is_retried_after_retry_after(slack: Slack) -> None:
    slack.fake.fail("chat.postMessage", Failure(status=429, retry_after=1))
    slack.event("app_mention")
    first, second = slack.fake.wait_for("chat.postMessage", 2)
    assert second.at - first.at >= 1.0
    assert second.params == first.params


def test_response_url_429_is_retried(slack: Slack) -> None:
    slack.fake.fail("response", Failure(status=429, retry_after=0))
    slack.command("/who", "iflytek")
    first, second = slack.fake.wait_for("response", 2)
    assert payload(first) == payload(second)


def test_dropped_connection_is_retried(slack: Slack) -> None:
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


def test_a_refused_post_is_logged_not_raised(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    slack.fake.fail("chat.postMessage", Failure(status=200, error="channel_not_found"))
    with caplog.at_level(logging.WARNING, logger="adapters.slack.app"):
        slack.event("app_mention")
        slack.fake.wait_for("chat.postMessage")
        deadline = time.monotonic() + 5
        while "channel_not_found" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "Slack refused the reply in C0CHAN1: channel_not_found" in caplog.text
