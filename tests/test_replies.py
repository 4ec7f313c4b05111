"""Replies a new team meets first: sources per article, /sources order, /who suggestions, no echoed ping.

The corpus is five small articles written for these tests (fictional companies and people)."""
from __future__ import annotations

import json
import logging
import re

import pytest
from conftest import ROOT, ask
from nasty import cases

from adapters import console
from adapters.discord import render as discord_render
from adapters.slack import render as slack_render

FIXTURES = ROOT / "tests" / "fixtures" / "polish"
PING = re.compile(r"<[!@#]|@(?:channel|here|everyone)\b|<@[!&]?\d+>", re.IGNORECASE)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder

    c = Corpus.open(tmp_path_factory.mktemp("polish") / "p.db", seed=False, embedder=HashEmbedder())
    results = c.index(sorted(str(p) for p in FIXTURES.iterdir()))
    assert [r.status for r in results] == ["added"] * 5, results
    return c


def source_lines(text: str) -> list[str]:
    return text.split("Sources:\n", 1)[1].split("\n\n")[0].splitlines()


def test_sources_are_numbered_per_article_and_every_quote_stays_in_the_json(corpus):
    reply = ask(corpus, "/who korvana labs")
    lines = source_lines(reply.text)
    articles = {c.article_id for c in reply.citations}
    assert len(lines) == len(articles) == 3 and len(reply.citations) > len(articles)
    assert [ln[:3] for ln in lines] == ["[1]", "[2]", "[3]"]
    numbers = {c.article_id: c.n for c in reply.citations}
    for c in reply.to_json()["citations"]:  # the contract: each citation has its number and an exact sentence
        assert c["n"] == numbers[c["article_id"]]
        body = corpus.article(c["article_id"]).body
        assert c["quote"] in body and f"{c['quote']} [{c['n']}]" in reply.text


def test_slack_and_discord_show_one_source_line_per_article(corpus):
    reply = ask(corpus, "/who korvana labs")
    slack = [e["text"] for m in slack_render.render(reply) for b in m["blocks"] if b["type"] == "context"
             for e in b["elements"] if e["text"].startswith("[")]
    assert len(slack) == 3
    discord = json.dumps([o.to_json() for o in discord_render.render(reply)], ensure_ascii=False)
    assert discord.count("\\\\[1\\\\]") == 1 and "\\\\[3\\\\]" in discord


def test_sources_lists_undated_articles_after_every_dated_one(corpus):
    reply = ask(corpus, "/sources")
    lines = [ln for ln in reply.text.splitlines() if ln.startswith("• ")]
    dates = [m[0] if (m := re.search(r"\d{4}-\d\d-\d\d(?= \(id)", ln)) else None for ln in lines]
    assert dates == sorted(dates[:4], reverse=True) + [None] and "no date" in lines[-1]
    last = reply.data["articles"][-1]
    assert last["date"] is None and "Robot makers" in last["title"]


def test_show_prints_the_date_sources_shows(corpus, capsys):
    line = next(ln for ln in ask(corpus, "/sources").text.splitlines() if "Wuhan" in ln)
    article_id = re.search(r"id (\w+)", line)[1]
    assert "2024-03-12" in line
    console.cmd_show(type("Args", (), {"article_id": article_id, "json": False})(), corpus)
    assert "2024-03-12" in capsys.readouterr().out.splitlines()[1]


@pytest.mark.parametrize("typed,expected", [("zentrov", "ZENTROVA"), ("ZENTROVAH", "ZENTROVA"),
                                            ("korvana lab", "Korvana Labs"),
                                            ("mireth dinamics", "Mireth Dynamics")])
def test_who_suggests_close_names_in_any_case(corpus, typed, expected):
    reply = ask(corpus, f"/who {typed}")
    assert not reply.answered and reply.data["suggestions"][0] == expected
    assert f"Did you mean: {expected}" in reply.text


def test_who_suggestions_skip_names_that_are_not_close(corpus):
    assert ask(corpus, "/who quarterly revenue").data["suggestions"] == []


def test_help_never_echoes_a_ping():
    for typed in ("/help <!channel>", "/help @everyone", "/help <@U0123|boss>", "/help <#C0123|general>"):
        reply = ask(None, typed)
        shown = json.dumps(reply.to_json(), ensure_ascii=False)
        assert "no /" in reply.title and not PING.search(shown), typed


def test_no_reply_that_repeats_user_text_carries_a_ping(corpus):
    logging.disable(logging.CRITICAL)
    try:
        bad = [t[:60] for t in cases() if re.search(r"[@<]", t) and not (r := ask(corpus, t)).answered
               and PING.search(r.text)]
    finally:
        logging.disable(logging.NOTSET)
    assert bad == []
