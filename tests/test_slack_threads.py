"""Thread follow-ups on Slack, end to end: signed app_mention events into the real Bolt app over the real
core, the thread read back from the fake Web API's conversations.replies. The articles are invented."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_fake import BOT_USER, Call, Failure, FakeSlack
from slack_harness import Slack, serve

from adapters.slack.render import answer_block_id
from bot.core import handle
from bot.reply import Request
from corpus.api import Corpus
from corpus.embed import HashEmbedder

SCRAPES = Path(__file__).parent / "fixtures" / "scrapes"
ROOT = "1700000100.000200"  # the app_mention fixture's ts: the thread gapbot's answer starts


@pytest.fixture
def articles(tmp_path: Path) -> Corpus:
    """The invented articles, with an answer log of this test's answers alone (each fake Slack numbers its
    messages from the start, as a fresh workspace would)."""
    corpus = Corpus.open(tmp_path / "t.db", seed=False, embedder=HashEmbedder())
    results = corpus.index([str(SCRAPES / "lab_rivalry.txt"), str(SCRAPES / "drone_rivals.txt")])
    assert all(r.status == "added" for r in results), results
    return corpus


@pytest.fixture
def slack(fake: FakeSlack, articles: Corpus) -> Iterator[Slack]:
    yield from serve(fake, articles, None)


def mention(slack: Slack, text: str, *, n: int, root: str = ROOT, reply: bool = True) -> Call:
    """@gapbot TEXT, as a reply in the thread under root (or, not a reply, the message that starts it);
    the n-th message gapbot posts is its answer."""
    where: dict[str, Any] = {"ts": f"{root[:-3]}{n:03d}", "thread_ts": root} if reply else {"ts": root}
    slack.event("app_mention", event_id=f"Ev0THREAD{root[:10]}{n}", text=f"<@{BOT_USER}> {text}", **where)
    posts = slack.fake.wait_for("chat.postMessage", n)
    charts = [p for p in posts if shown(p)[0].startswith("China–US AI gap")]
    if charts:  # the chart goes up after the answer, and after its ts is kept: then the answer is complete
        slack.fake.wait_for("files.completeUploadExternal", len(charts))
    return posts[n - 1]


def shown(call: Call) -> list[str]:
    """The text of each block of a posted message: its header, sections and context lines."""
    out = []
    for b in call.blocks():
        if "text" in b:
            out.append(b["text"]["text"])
        out.extend(e["text"] for e in b.get("elements", []) if isinstance(e.get("text"), str))  # not buttons
    return out


def test_what_about_in_a_gap_answers_thread_is_gap_of_that_topic(slack: Slack, articles: Corpus) -> None:
    first = mention(slack, "/gap chips", n=1, reply=False)
    assert first.params["thread_ts"] == ROOT and shown(first)[0].startswith("China–US AI gap on “chips”")
    follow = mention(slack, "what about video?", n=2)
    assert follow.params["thread_ts"] == ROOT
    blocks = shown(follow)
    assert blocks[0].startswith("China–US AI gap on “video”: 1 estimate")
    assert blocks[1] == "(following up on /gap: /gap video)"
    assert "Video generation" in blocks[2]
    (read,) = slack.fake.called("conversations.replies")
    assert read.params["channel"] == "C0CHAN1" and read.params["ts"] == ROOT
    kept = articles.answer_log.by_message("slack", "C0CHAN1", slack.fake.messages[0]["ts"])
    assert kept is not None and (kept.command, kept.args) == ("gap", "chips")  # the posted ts was kept


def test_she_in_the_thread_is_the_person_the_last_answer_named(slack: Slack) -> None:
    root = "1700000300.000200"
    assert "Priya Anand" in " ".join(shown(mention(slack, "/gap talent", n=1, root=root, reply=False)))
    follow = shown(mention(slack, "what did she say about universities?", n=2, root=root))
    assert follow[0] == "What the articles say: what did Priya Anand say about universities?"
    assert follow[1] == "(following up on /gap: “what did Priya Anand say about universities?”)"
    assert "Anand said universities in Hangzhou" in follow[2]


def test_why_in_the_thread_quotes_the_context_of_the_last_cited_sentence(slack: Slack) -> None:
    root = "1700000400.000200"
    mention(slack, "/gap video", n=1, root=root, reply=False)
    why = shown(mention(slack, "why?", n=2, root=root))
    assert why[0] == "Why: the last sentence quoted [1], in its context"
    assert why[1] == "(following up on /gap: where its last quote comes from)"
    assert "“Fenwick added that the gap in video generation is roughly six months" in why[2]
    assert "Odile Fenwick, an analyst at Kestrel Research, said" in why[2]  # the sentence before it
    assert any(line.startswith("[1] Analysts Split Over Where Chinese Labs Stand") for line in why)


def test_a_message_that_names_its_answer_by_block_id_is_followed(slack: Slack, articles: Corpus) -> None:
    # a /gap answered through a response_url: Slack returns no ts, but the message's blocks name the answer
    answer = handle(Request("/gap chips", platform="slack", channel="C0CHAN1", user="U0USER1"), articles)
    root = "1700000500.000100"
    slack.fake.messages.append({"type": "message", "ts": root, "user": BOT_USER, "bot_id": "B0001",
                                "channel": "C0CHAN1", "blocks": [marked(answer.answer_id)]})
    follow = shown(mention(slack, "and talent?", n=1, root=root))
    assert follow[1] == "(following up on /gap: /gap talent)"


def marked(answer_id: str | None) -> dict[str, Any]:
    """The block that names an answer, as gapbot's answers carry it."""
    return {"type": "actions", "block_id": answer_block_id(answer_id or "")}


def test_another_bots_message_in_the_thread_is_not_followed(slack: Slack, articles: Corpus) -> None:
    answer = handle(Request("/gap chips", platform="slack", channel="C0CHAN1", user="U0USER1"), articles)
    root = "1700000550.000100"
    slack.fake.messages.append({"type": "message", "ts": root, "user": "UOTHERBOT", "bot_id": "B0999",
                                "channel": "C0CHAN1", "blocks": [marked(answer.answer_id)]})
    follow = shown(mention(slack, "and talent?", n=1, root=root))
    assert follow[0] == "What the articles say: and talent?"  # asked as typed
    assert not any(line.startswith("(following up") for line in follow)


def test_a_thread_slack_will_not_show_is_answered_as_typed(slack: Slack, caplog) -> None:
    root = "1700000600.000200"
    mention(slack, "/gap chips", n=1, root=root, reply=False)
    slack.fake.fail("conversations.replies", Failure(status=200, error="missing_scope"))
    with caplog.at_level(logging.WARNING):
        follow = shown(mention(slack, "what about video?", n=2, root=root))
    # the answer log still knows what was answered in this thread
    assert follow[1] == "(following up on /gap: /gap video)"
    assert "missing_scope" in caplog.text
