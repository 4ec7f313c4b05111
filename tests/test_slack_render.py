"""Reply -> Block Kit: escaping, Slack's limits, sources, and golden renderings of fixed replies."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from slack_fake import check_golden

from adapters.slack.markup import WORD_JOINER, escape, from_slack, link
from adapters.slack.render import (
    HEADER_LIMIT,
    MAX_BLOCKS,
    TEXT_LIMIT,
    fallback,
    render,
    source_blocks,
    split_text,
)
from bot.reply import Attachment, Citation, Reply, Section


def texts(messages: list[dict[str, Any]]) -> list[str]:
    """Every text object's text in the messages, plus each fallback text."""
    found = [m["text"] for m in messages]
    for m in messages:
        for block in m["blocks"]:
            found += [block["text"]["text"]] if "text" in block else [e["text"] for e in block["elements"]]
    return found


def unescape(text: str) -> str:
    return text.replace(WORD_JOINER, "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- escaping -------------------------------------------------------------------------------------------

def test_escape_turns_markup_into_text() -> None:
    assert escape("a & b <!channel> <@U1> >") == "a &amp; b &lt;!channel&gt; &lt;@U1&gt; &gt;"


@pytest.mark.parametrize("word", ["@here", "@channel", "@everyone", "@HERE"])
def test_broadcast_words_are_defused(word: str) -> None:
    out = escape(f"hi {word}!")
    assert word not in out and unescape(out) == f"hi {word}!"


def test_links_only_for_http_urls_and_never_break_out() -> None:
    assert link("https://x.example/a?b=1&c=2", "T|x>y") == "<https://x.example/a?b=1&amp;c=2|T¦x&gt;y>"
    assert link("javascript:alert(1)", "T") == "T"
    assert link("https://x.example/a|<!channel>", "T") == "T"
    assert link(None, "<b>") == "&lt;b&gt;"


def test_from_slack_reads_markup_as_the_words_typed() -> None:
    assert from_slack("<@UBOT1> who iflytek") == "who iflytek"
    assert from_slack("<@UBOT1|gapbot>  <@UBOT2> gap") == "gap"
    assert from_slack("ask <@U9|ana> about <#C1|ai-news> <!here> <https://a.example|a.example> &lt;b&gt; "
                      "&amp;") \
        == "ask @ana about #ai-news @here a.example <b> &"
    assert from_slack("see <https://a.example/x>") == "see https://a.example/x"


# --- structure and limits -------------------------------------------------------------------------------

def test_title_becomes_a_header_and_an_overlong_title_a_bold_section() -> None:
    (short,) = render(Reply(command="help", title="Help"))
    assert short["blocks"] == [{"type": "header", "text": {"type": "plain_text",
                                                           "text": "Help", "emoji": True}}]
    (long,) = render(Reply(command="help", title="T" * (HEADER_LIMIT + 1)))
    assert long["blocks"][0]["type"] == "section" and long["blocks"][0]["text"]["text"].startswith("*T")


def test_heading_is_bold_above_its_text_and_list_items_survive() -> None:
    (message,) = render(Reply(command="who", title="X", sections=[Section("• one\n• two", heading="Roles")]))
    assert message["blocks"][1]["text"] == {"type": "mrkdwn",
                                            "text": "*Roles*\n• one\n• two", "verbatim": True}


def test_split_breaks_at_lines_then_spaces_then_anywhere() -> None:
    assert split_text("a\nb", 2) == ["a", "b"]
    assert split_text("aa bb", 3) == ["aa", "bb"]
    assert split_text("abcdef", 4) == ["abcd", "ef"]


def test_split_never_cuts_an_escape() -> None:
    chunks = split_text("&" * 10, 12)
    assert chunks == ["&amp;&amp;", "&amp;&amp;", "&amp;&amp;", "&amp;&amp;", "&amp;&amp;"]


def test_more_than_fifty_blocks_spill_into_more_messages() -> None:
    reply = Reply(command="sources", title="Many", sections=[Section(f"s{i}") for i in range(120)])
    messages = render(reply)
    assert [len(m["blocks"]) for m in messages] == [50, 50, 21]
    assert messages[1]["text"].endswith("(part 2 of 3)")


def test_past_five_messages_the_reply_is_cut_and_says_so() -> None:
    messages = render(Reply(command="x", title="Huge", sections=[Section(f"s{i}") for i in range(400)]))
    assert len(messages) == 5 and len(messages[-1]["blocks"]) == MAX_BLOCKS
    assert "too long for Slack" in messages[-1]["blocks"][-1]["elements"][0]["text"]


def test_sources_are_numbered_links_ten_to_a_context_block() -> None:
    cites = [Citation(i, f"a{i}", f"Title {i}", "q", "Pub", "2024-01-0" + str(i % 9 + 1),
                      f"https://n.example/{i}")
             for i in range(1, 13)]
    blocks = source_blocks(cites)
    assert [len(b["elements"]) for b in blocks] == [10, 2]
    assert blocks[0]["elements"][0]["text"] == "[1] <https://n.example/1|Title 1 — Pub — 2024-01-02>"


def test_fallback_text_is_a_short_summary() -> None:
    reply = Reply(command="ask", title="Answer", sections=[Section("word " * 1000)])
    assert fallback(reply).startswith("Answer\nword") and len(fallback(reply)) <= 601


def test_chart_is_not_in_the_blocks() -> None:
    reply = Reply(command="gap", title="Gap", image=Attachment("gap.png", lambda: b"png"))
    assert "image" not in json.dumps(render(reply))


def test_a_title_of_asterisks_alone_makes_no_empty_block() -> None:
    reply = Reply(command="ask", title="*\n*", sections=[Section("body")])
    assert all(b["text"]["text"] for b in render(reply)[0]["blocks"] if b["type"] == "section")


@example("*\n*")  # found by this test: once an empty bold title section
@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("ab &<>@!|\n•[]*") + ["@here", "<!channel>", "<@U1>", "x" * 700]),
                max_size=60).map("".join))
def test_any_text_stays_within_limits_and_inert(text: str) -> None:
    reply = Reply(command="ask", title=text, sections=[Section(text, heading=text[:40])], footer=text)
    messages = render(reply)
    for message in messages:
        assert len(message["blocks"]) <= MAX_BLOCKS
        for block in message["blocks"]:
            limit = HEADER_LIMIT if block["type"] == "header" else TEXT_LIMIT
            assert all(1 <= len(t) <= limit for t in texts([{"text": "x", "blocks": [block]}])[1:])
    for t in texts(messages):
        assert "<" not in t and ">" not in t and not re.search(r"@(here|channel|everyone)\b", t,
                                                               re.IGNORECASE)


@given(st.text(max_size=9000))
@settings(max_examples=40, deadline=None)
def test_split_keeps_every_non_blank_character(text: str) -> None:
    chunks = split_text(text, TEXT_LIMIT)
    assert all(len(c) <= TEXT_LIMIT for c in chunks)
    assert re.sub(r"\s", "", unescape("".join(chunks))) == re.sub(r"\s", "", text)


# --- golden renderings of fixed replies (the commands' real output is in test_slack_golden.py) --------------

def gap_reply() -> Reply:
    return Reply(
        command="gap", title="How far behind is China in AI? Estimates range from 3 months to 2 years",
        sections=[Section("• 3–6 months on frontier models — Dana Okafor, Acme Compute (2025-03-18) [1]\n"
                          "• about 1–2 years overall — Rui Tanaka, Forty-Two Labs (2024-09-10) [2]",
                          heading="Estimates"),
                  Section("Median estimate: 0.75 years. Estimates have narrowed since 2023.",
                          heading="Trend")],
        citations=[Citation(1, "a1b2c3", "Acme Compute's chief says China is 'not behind' in AI", "q", "Wire",
                            "2025-03-18", "https://example.com/chief?x=1&y=2"),
                   Citation(2, "d4e5f6", "Rui Tanaka: China trails the US by one to two years <analysis>",
                            "q", "Reuters", "2024-09-10", "https://example.com/lee")],
        image=Attachment("gap.png", lambda: b"png", title="Gap estimates over time"),
        footer="Dimension: overall. 2 claims from 2 articles.")


def who_reply() -> Reply:
    return Reply(
        command="who", title="iFlytek (company)",
        sections=[Section("Chinese speech and language AI company; maker of the Spark model [1].",
                          heading=None),
                  Section("• Liu Qingfeng — chairman [1]\n• Spark — large language model [2]",
                          heading="Related"),
                  Section("Mentioned in 2 articles.")],
        citations=[Citation(1, "a1", "iFlytek unveils Spark 4.0 & claims parity", "q", "SCMP", "2024-06-27",
                            "https://example.com/spark"),
                   Citation(2, "a2", "Inside China's model race", "q", None, None, None)])


def unanswered_reply() -> Reply:
    return Reply(command="ask", title="The articles don't cover that: <!here> what is the weather on Mars?",
                 sections=[Section("Try /sources to see what is indexed, or ask about the China–US AI gap.")],
                 answered=False)


@pytest.mark.parametrize("name,reply", [("fixed_gap", gap_reply()), ("fixed_who_iflytek", who_reply()),
                                        ("fixed_ask_unanswerable", unanswered_reply())])
def test_golden_rendering_of_fixed_replies(name: str, reply: Reply) -> None:
    check_golden(name, render(reply))


def test_a_message_names_its_answer_by_a_block_id() -> None:
    from adapters.slack.render import answer_block_id, answer_id_in

    actions = {"type": "actions", "block_id": answer_block_id("ab12cd34ef56")}
    message = {"blocks": [{"type": "section"}, actions]}
    assert answer_id_in(message) == "ab12cd34ef56"
    assert answer_id_in({"blocks": [{"type": "section", "block_id": "gapbot-answer:"}]}) is None
    assert answer_id_in({"blocks": [{"type": "section", "block_id": "xyz"}]}) is None
    assert answer_id_in({"text": "no blocks"}) is None


def test_vote_buttons_end_the_last_message_of_a_long_answer_within_the_block_limit() -> None:
    from adapters.slack.render import MAX_BLOCKS, answer_id_in

    sections = [Section(f"Paragraph {i}: the gap in sensors narrows.") for i in range(120)]
    messages = render(Reply(command="ask", title="Long", sections=sections, answer_id="ab12cd34ef56"))
    assert len(messages) == 3 and all(len(m["blocks"]) <= MAX_BLOCKS for m in messages)
    assert [answer_id_in(m) for m in messages] == [None, None, "ab12cd34ef56"]
    assert messages[-1]["blocks"][-1]["type"] == "actions"
    full = render(Reply(command="ask", title="Full", sections=sections[:49], answer_id="ab12cd34ef56"))
    assert [len(m["blocks"]) for m in full] == [50, 1]  # a full page: the buttons on a message of their own
    cut = render(Reply(command="ask", title="Cut", sections=sections * 3, answer_id="ab12"), max_messages=2)
    assert len(cut) == 2 and len(cut[-1]["blocks"]) == MAX_BLOCKS and answer_id_in(cut[-1]) == "ab12"
    unkept = render(Reply(command="ask", title="Not kept", sections=sections[:2]))  # no answer id: no buttons
    assert answer_id_in(unkept[0]) is None
