"""The Slack adapter end to end: signed slash commands and events over HTTP into the Bolt app, Web API
faked."""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from slack_fake import BOT_USER, FakeSlack, post, signed_headers, slash_body
from slack_harness import SECRET, Slack, payload, serve

from bot.reply import Reply, Request, Section
from corpus.api import Corpus


def answer_sentinel(slack: Slack, *, count: int = 1) -> None:
    """Send a DM that is answered and wait for its reply (the count-th post): events sent earlier are done."""
    slack.event("message_im", event_id="Ev0SENTINEL", channel="D0SENTINEL")
    slack.fake.wait_for("chat.postMessage", count)


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
    assert sources[0]["elements"][0]["text"] == \
        "[1] <https://example.com/a1|iFlytek profile — Wire — 2024-05-01>"
    assert message["text"].startswith("iFlytek")
    (request,) = slack.scripted.requests
    assert request == Request(text="/who iflytek", platform="slack", user="U0USER1", channel="C0CHAN1",
                              space="T0001")


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
        for slack in serve(fake, corpus, None):
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
        for slack in serve(fake, corpus, None):
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
    slack.command("/who", "iflytek")  # a signed sentinel: once it is answered, the refused one had its chance
    slack.fake.wait_for("response")
    assert len(slack.scripted.requests) == 1
    # exactly what the one answered command costs
    assert [c.method for c in slack.fake.calls] == ["auth.test", "response"]


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
    answer_sentinel(slack)
    assert len(slack.scripted.requests) == 1
    assert [c.params["channel"] for c in slack.fake.called("chat.postMessage")] == ["D0SENTINEL"]


def test_retried_event_is_not_answered_twice(slack: Slack) -> None:
    slack.event("app_mention")
    slack.fake.wait_for("chat.postMessage")
    retry = slack.event("app_mention", headers={"X-Slack-Retry-Num": "1",
                                                "X-Slack-Retry-Reason": "http_timeout"})
    again = slack.event("app_mention")
    assert retry.status == 200 and again.status == 200
    answer_sentinel(slack, count=2)
    assert len(slack.scripted.requests) == 2
    assert [c.params["channel"] for c in slack.fake.called("chat.postMessage")][1:] == ["D0SENTINEL"]


def test_distinct_events_are_each_answered(slack: Slack) -> None:
    slack.event("app_mention", event_id="Ev0A")
    slack.event("app_mention", event_id="Ev0B")
    assert len(slack.fake.wait_for("chat.postMessage", 2)) == 2
