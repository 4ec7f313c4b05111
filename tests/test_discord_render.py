"""Reply -> Discord messages: limits, clean splits, links, no pings; golden files of real replies.

Regenerate the golden files after an intended change with `GAPBOT_REGEN_GOLDEN=1 make test`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.markup import defuse, plain
from adapters.discord.render import render, split
from bot.core import handle
from bot.reply import Attachment, Citation, Reply, Request, Section
from corpus.api import Corpus
from corpus.embed import HashEmbedder

GOLDEN = Path(__file__).parent / "fixtures" / "discord" / "golden"


def who_reply(**changes) -> Reply:
    """A /who reply as the core shapes one."""
    url, pub, date = "https://example.com/bridging", "techfusionnews", "2024-09-14"
    fields: dict = {
        "command": "who", "title": "iFLYTEK",
        "sections": [Section("company · named in 2 articles"),
                     Section("• A Hefei speech company. [1]\n• It works with Huawei. [2]",
                             heading="What the articles say")],
        "citations": [Citation(1, "a1", "Bridging the Gap", "Quote one.", pub, date, url),
                      Citation(2, "a1", "Bridging the Gap", "Quote two.", pub, date, url),
                      Citation(3, "b2", "Chips [analysis]", "Quote three.", None, None, None)]}
    return Reply(**{**fields, **changes})


def test_defuse_breaks_every_kind_of_ping():
    text = "@everyone @here <@12345678901234567> <@!12345678901234567> <@&12345678901234567> <#42> a@b.c"
    assert defuse(text) == ("@\u200beveryone @\u200bhere <\u200b@12345678901234567> "
                            "<\u200b@!12345678901234567> <\u200b@&12345678901234567> <\u200b#42> a@b.c")


def test_plain_text_is_escaped_not_formatted():
    assert plain("gpt_4 *and* `x` ~~y~~") == "gpt\\_4 \\*and\\* \\`x\\` \\~\\~y\\~\\~"


def test_a_reply_with_a_body_is_one_embed():
    [msg] = render(who_reply(footer="Searched 6 articles"))
    embed = msg.to_json()["embed"]
    assert msg.content is None and msg.file is None
    assert embed["title"] == "iFLYTEK"
    assert embed["description"] == (
        "company · named in 2 articles\n\n"
        "**What the articles say**\n• A Hefei speech company. [1]\n• It works with Huawei. [2]\n\n"
        "**Sources**\n"
        "**\\[1\\] \\[2\\]** [Bridging the Gap](https://example.com/bridging) — techfusionnews — 2024-09-14\n"
        "**\\[3\\]** Chips (analysis)")
    assert embed["footer"] == {"text": "Searched 6 articles"}


def test_the_cores_own_footer_wins():
    [msg] = render(who_reply(footer="From 6 articles."))
    assert msg.embed.footer.text == "From 6 articles."


def test_a_one_line_reply_is_plain_text():
    [msg] = render(Reply(command="who", title="not ready yet", answered=False, footer="Searched 3 articles"))
    assert msg.to_json() == {"content": "not ready yet", "embed": None, "file": None}


def test_a_long_body_becomes_several_embeds_within_limits():
    body = "\n\n".join(f"Paragraph {i}. " + "word " * 150 for i in range(40))
    msgs = render(who_reply(sections=[Section(body)], footer="Searched 6 articles"))
    embeds = [m.embed for m in msgs]
    assert len(embeds) > 1
    assert all(len(e.description) <= 4096 and len(e) <= 6000 for e in embeds)
    assert embeds[0].title == "iFLYTEK" and all(e.title is None for e in embeds[1:])
    assert embeds[-1].footer.text == "Searched 6 articles" and all(not e.footer for e in embeds[:-1])
    assert all(e.description.startswith("Paragraph") or e.description.startswith("**Sources")
               for e in embeds)  # cut at paragraph breaks


def test_a_long_title_is_shortened_and_kept_whole_in_the_description():
    title = "A very long title " * 20
    [msg] = render(who_reply(title=title))
    assert len(msg.embed.title) == 256 and msg.embed.title.endswith("…")
    assert msg.embed.description.startswith(f"**{title.strip()}**")


def test_plain_messages_never_exceed_2000_characters():
    msgs = render(who_reply(sections=[Section("• " + "claim " * 60 + "[1]\n") for _ in range(30)],
                            footer="Searched 6 articles"), embeds=False)
    assert len(msgs) > 1
    assert all(len(m.content) <= 2000 and m.embed is None for m in msgs)
    assert msgs[0].content.startswith("**iFLYTEK**")
    assert msgs[-1].content.endswith("**\\[3\\]** Chips (analysis)\n\n-# Searched 6 articles")
    assert "<https://example.com/bridging>" in msgs[-1].content


def test_only_web_addresses_become_links_and_parentheses_cannot_break_them():
    reply = who_reply(citations=[
        Citation(1, "a", "Evil", "q", url="javascript:alert(1)"),
        Citation(2, "b", "Wiki", "q", url="https://en.wikipedia.org/wiki/Gap_(disambiguation)")])
    description = render(reply)[0].embed.description
    assert "**\\[1\\]** Evil" in description and "javascript" not in description
    assert "[Wiki](https://en.wikipedia.org/wiki/Gap_%28disambiguation%29)" in description


def test_the_chart_is_attached_and_shown_in_the_embed():
    chart = Attachment("gap.png", lambda: b"png bytes", "Estimates")
    [msg] = render(who_reply(image=chart))
    assert msg.file == ("gap.png", b"png bytes")
    assert msg.embed.image.url == "attachment://gap.png"
    [msg] = render(who_reply(image=chart), files=False)  # no permission to attach files
    assert msg.file is None and msg.embed.image.url is None


def test_every_message_is_sent_with_mentions_disabled():
    kwargs = render(who_reply(image=Attachment("gap.png", lambda: b"x")))[0].kwargs()
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert kwargs["file"].filename == "gap.png"


@pytest.mark.parametrize("limit", [40, 2000])
def test_split_cuts_at_the_best_break(limit):
    text = ("First sentence here. Second one follows.\nA new line.\n\nA new paragraph. " * 60).strip()
    pieces = split(text, limit)
    assert all(len(p) <= limit for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert all(p[-1] in ".!?" or p.endswith("follows") for p in pieces)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n.\\*"), max_size=400), st.integers(2, 60))
def test_split_never_exceeds_the_limit_and_loses_only_white_space(text, limit):
    pieces = split(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


# --- golden files: real replies from the core over the seeded corpus ---------------------------------
CASES = {"gap": "/gap", "who_iflytek": "/who iflytek",
         "ask_unanswerable": "/ask what is the best pizza topping in Naples?"}


SEED = "import sys; from corpus.api import Corpus; from corpus.embed import HashEmbedder; " \
       "Corpus.open(sys.argv[1], seed=True, embedder=HashEmbedder())"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The bundled seed articles, indexed with the fake embedder."""
    db = tmp_path_factory.mktemp("golden") / "gapbot.db"
    # Indexed in a child process with a fixed hash seed: the order of an entity's related names follows set
    # iteration order at index time, and golden files must not change with PYTHONHASHSEED.
    subprocess.run([sys.executable, "-c", SEED, str(db)], check=True, cwd=Path(__file__).parent.parent,
                   env={**os.environ, "PYTHONHASHSEED": "0", "GAPBOT_EMBEDDER": "hash"})
    return Corpus.open(db, seed=False, embedder=HashEmbedder())


@pytest.mark.parametrize("case", CASES)
def test_golden_rendering(seeded, case):
    reply = handle(Request(CASES[case], platform="discord"), seeded)
    if reply.answer_id:  # random; the vote buttons carry it
        reply = replace(reply, answer_id="0123456789ab")
    got = {"request": CASES[case], "ephemeral_as_slash_command": reply.ephemeral or not reply.answered,
           "embeds": [m.to_json() for m in render(reply)],
           "plain": [m.to_json() for m in render(reply, embeds=False)]}
    path = GOLDEN / f"{case}.json"
    if os.environ.get("GAPBOT_REGEN_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with GAPBOT_REGEN_GOLDEN=1"
    assert got == json.loads(path.read_text(encoding="utf-8")), \
        f"{path.name} differs; if the change is intended, regenerate with GAPBOT_REGEN_GOLDEN=1"
