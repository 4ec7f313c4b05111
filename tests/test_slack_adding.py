"""Sharing from Slack, end to end: signed payloads through the real Bolt app, the local fake Web API, article
pages on loopback. /gap add, the "Add to gapbot" message shortcut, watched channels with reactions, /gap watch
for admins only, and a burst of adds that never holds up a question."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_fake import FakeSlack, interactive_body, post, signed_headers
from slack_harness import SECRET, Slack, payload, serve
from test_add import PAGE, loopback_intake

from adapters.slack import ConfigError, Settings
from bot.guard import Guard, Policy
from bot.intake import Intake
from corpus.api import Corpus
from corpus.embed import HashEmbedder
from corpus.fetch import Fetcher, Reach

CHANNEL = "C0CHAN0001"
WAIT = 60  # seconds at most: a process's first add loads the extraction libraries, slow on a busy machine


@pytest.fixture
def db(tmp_path) -> Corpus:
    return Corpus.open(tmp_path / "adds.db", seed=False, embedder=HashEmbedder())


@pytest.fixture
def slack(fake: FakeSlack, db: Corpus) -> Iterator[Slack]:
    """The app over the real core, allowed to fetch the test's loopback pages."""
    yield from serve(fake, db, None, intake=loopback_intake())


@pytest.fixture
def public_only(fake: FakeSlack, db: Corpus) -> Iterator[Slack]:
    """The app as deployed: its fetcher refuses loopback and private addresses."""
    yield from serve(fake, db, None, intake=Intake(lambda: Fetcher(reach=Reach())))


def responses(fake: FakeSlack, count: int) -> list[dict]:
    """The first count posts to response_urls, as JSON."""
    return [payload(c) for c in fake.wait_for("response", count, timeout=WAIT)[:count]]


def header(message: dict) -> str:
    return message["blocks"][0]["text"]["text"]


def shortcut(slack: Slack, message: dict, **fields) -> int:
    body = interactive_body("message_shortcut", message=message, response_url=slack.fake.response_url("sc"),
                            trigger_id=f"t{id(message)}", **fields)
    return post(slack.events_url, body, signed_headers(SECRET, body)).status


def say(slack: Slack, text: str, *, ts: str, user: str = "U0USER1", **event) -> int:
    """A message posted in the channel (not to gapbot)."""
    fields = {"text": text, "user": user, "ts": ts, "channel": CHANNEL, "channel_type": "channel", **event}
    return slack.event("message_im", event_id=f"Ev{ts}", **fields).status


def reactions(fake: FakeSlack, count: int) -> list[tuple[str, str]]:
    return [(c.params["timestamp"], c.params["name"]) for c in fake.wait_for("reactions.add", count,
                                                                             timeout=WAIT)]


def test_gap_add_posts_what_the_article_brings_after_the_ack(slack, db, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    result = slack.command("/gap", f"add {httpserver.url_for('/harbour')}", channel_id=CHANNEL)
    assert result.status == 200 and result.body == ""  # the ack; the answer follows
    [reply] = responses(slack.fake, 1)
    assert reply["response_type"] == "in_channel"
    assert header(reply) == "Added: Harbour labs weigh the chip race"
    text = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "The Quayside Ledger · 2026-02-14" in text and "2–3 years, China behind" in text
    [record] = db.add_log.recent(limit=1)
    assert (record.platform, record.channel, record.status) == ("slack", CHANNEL, "added")
    assert record.user == "U0USER1" and record.space == "T0001"


def test_the_message_shortcut_adds_the_links_and_answers_privately(slack, db, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/harbour")
    # the link only in an unfurl and in the rich-text blocks, labelled in the text
    message = {"type": "message", "user": "U0USER2", "ts": "1700000250.000200",
               "text": f"Worth a read: <{url}|harbour story>",
               "attachments": [{"from_url": url, "original_url": url, "title": "Harbour"}],
               "blocks": [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
                   {"type": "link", "url": url, "text": "harbour story"}]}]}]}
    assert shortcut(slack, message) == 200
    [reply] = responses(slack.fake, 1)
    assert reply["response_type"] == "ephemeral"
    assert header(reply) == "Added: Harbour labs weigh the chip race"
    assert len(httpserver.log) == 1  # one link, read three ways
    [record] = db.add_log.recent(limit=1)
    assert (record.user, record.channel) == ("U0USER1", CHANNEL)  # the user who clicked, where


def test_the_shortcut_on_a_message_without_a_link_says_so(slack):
    assert shortcut(slack, {"type": "message", "text": "no links here", "ts": "1.2"}) == 200
    [reply] = responses(slack.fake, 1)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "That message has no http(s) link to add."


def watch_on(slack: Slack) -> dict:
    slack.command("/gap", "watch on", channel_id=CHANNEL, user_id="UADMIN1")
    return responses(slack.fake, 1)[0]


def test_links_posted_in_a_watched_channel_get_reactions(slack, db, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/harbour")
    on = watch_on(slack)
    assert on["response_type"] == "in_channel" and header(on) == "gapbot now watches this channel"
    # ignored: a bot's message, an edit, a mention (answered as one), a message without a link
    say(slack, f"bot {url}", ts="1700000400.000001", bot_id="B9")
    say(slack, f"edit {url}", ts="1700000400.000002", subtype="message_changed")
    say(slack, "just words", ts="1700000400.000003")
    say(slack, f"<@UBOT0001> is this new? {url}", ts="1700000400.000004")  # its app_mention answers it
    assert say(slack, f"read this <{url}>", ts="1700000400.000010") == 200
    assert reactions(slack.fake, 1) == [("1700000400.000010", "white_check_mark")]
    say(slack, f"again: {url}", ts="1700000400.000020", user="U0USER2")
    assert reactions(slack.fake, 2)[1] == ("1700000400.000020", "recycle")
    assert slack.fake.called("chat.postEphemeral") == [] and slack.fake.called("chat.postMessage") == []
    assert [r.status for r in db.add_log.recent(limit=5)] == ["duplicate", "added"]
    assert db.add_log.recent(limit=1)[0].user == "U0USER2"


def test_a_refused_link_gets_a_warning_and_the_reason_privately(public_only, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    watch_on(public_only)
    say(public_only, f"look {httpserver.url_for('/harbour')}", ts="1700000500.000001")
    assert reactions(public_only.fake, 1) == [("1700000500.000001", "warning")]
    [told] = public_only.fake.wait_for("chat.postEphemeral", timeout=WAIT)
    assert told.params["user"] == "U0USER1" and told.params["channel"] == CHANNEL
    assert "loopback address" in json.dumps(told.blocks())
    assert httpserver.log == []  # never fetched


def test_only_admins_may_watch(slack, db):
    slack.command("/gap", "watch on", channel_id=CHANNEL, user_id="U0USER1")
    [reply] = responses(slack.fake, 1)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Only workspace admins can use /gap watch."
    assert db.watches.listed("slack") == []


def test_settings_build_the_intake_from_the_environment():
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "GAPBOT_WATCH_CHANNELS": "slack:C1 C2",
           "GAPBOT_ADD_QUOTA": "4"}
    settings = Settings.from_env(env, socket=False)
    assert settings.intake is not None
    assert settings.intake.policy.watched == frozenset({"slack:C1", "C2"})
    assert settings.intake.policy.per_day == 4
    with pytest.raises(ConfigError, match="GAPBOT_ALLOW_PRIVATE_URLS"):
        Settings.from_env({**env, "GAPBOT_ALLOW_PRIVATE_URLS": "maybe"}, socket=False)


# --- a burst of adds never holds up a question -----------------------------------------------------------

WORDS = ("harbour lantern copper meadow quarry tidewater orchard foundry beacon granary ferry spindle cobalt "
         "thicket marsh kiln saltworks rampart weir millpond").split()


def slow_page(i: int) -> str:
    """An invented article of its own (no two alike), served only when the test opens the gate."""
    place = WORDS[i].title()
    lines = [f"<p>The {place} cooperative tested {WORDS[(i + k) % 20]} sensors in week {k + i}, and its "
             f"engineers logged {3 * k + i} faults on the {WORDS[(i * 7 + k) % 20]} line.</p>"
             for k in range(8)]
    return (f"<html><head><title>{place} notes, part {i}</title></head><body><article><h1>{place} notes</h1>"
            + "".join(lines) + "</article></body></html>")


class GatedPages:
    """A loopback page server that holds every response until open() (a slow site)."""

    def __init__(self) -> None:
        self.gate, self.seen = threading.Event(), threading.Condition()
        self.requests = 0
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with pages.seen:
                    pages.requests += 1
                    pages.seen.notify_all()
                pages.gate.wait(30)
                data = slow_page(int(self.path.rsplit("/", 1)[1])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/page/{i}"

    def wait_for_requests(self, n: int) -> None:
        with self.seen:
            assert self.seen.wait_for(lambda: self.requests >= n, WAIT), f"{self.requests} page requests"

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_burst_of_adds_does_not_hold_up_a_question(fake, db):
    pages = GatedPages()
    unlimited = Guard(Policy(per_minute=0))
    try:
        for slack in serve(fake, db, None, intake=loopback_intake(per_day=0), guard=unlimited):
            for i in range(20):
                assert slack.command("/gap", f"add {pages.url(i)}", channel_id=CHANNEL).status == 200
            pages.wait_for_requests(2)  # the add worker is busy: both its threads wait on the slow site
            slack.command("/gap", "ask how far behind are the harbour cooperatives", channel_id=CHANNEL)
            [first] = responses(fake, 1)
            assert not header(first).startswith(("Added", "Already")), header(first)  # the question's answer
            assert pages.requests == 2  # and no add has got further than its fetch
            pages.gate.set()
            replies = [header(m) for m in responses(fake, 21)[1:]]
            assert sorted(replies) == sorted(f"Added: {w.title()} notes" for w in WORDS)
    finally:
        pages.close()
    assert db.count() == 20
