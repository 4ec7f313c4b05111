"""Digest rendering: within each platform's limits, nothing dropped, sentences never cut, nobody pinged."""
from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.digest import DiscordChannelPoster, WebhookPoster, embed_size
from adapters.discord.markup import escape as discord_escape
from adapters.slack.digest import SlackPoster, slack_escape
from bot.digest.content import Digest, DigestItem, estimate_text, nice_date, years_text
from bot.digest.fit import clip, whole_sentences
from corpus.models import Claim

HOSTILE = "Ping <!channel> <!here> <@U024BE7LH> @everyone @here <#C1> & *bold* _it_ ~s~ `code` > quote [x](y)"
KEY = "gapbot-0123456789abcdef"


def sentence(i: int, words: int = 40) -> str:
    return f"Sentence {i} says " + " ".join(f"word{i}x{j}" for j in range(words)) + "."


def item(i: int, sentences: int, words: int) -> DigestItem:
    return DigestItem(article_id=f"a{i}", title=f"{HOSTILE} title {i} " + "long " * 60,
                      url=f"https://x.test/{i}?a=1&b=<2>|3", publisher="Wire & Co <b>", date="2025-05-12",
                      summary=[sentence(i * 100 + k, words) for k in range(sentences)],
                      estimates=[f"1–2 years, China behind — {HOSTILE}"] * 3, entities=["DeepSeek", HOSTILE])


def digest(n: int, *, sentences: int = 3, words: int = 40) -> Digest:
    return Digest(title=f"gapbot daily digest — {n} new articles {HOSTILE}", period="Added between …",
                  items=[item(i, sentences, words) for i in range(n)], gap=f"Gap picture: {HOSTILE}")


def slack() -> SlackPoster:
    return SlackPoster(client=None, channel="C1")  # type: ignore[arg-type]


def block_text(block: dict) -> str:
    return (block.get("text") or {}).get("text") or "".join(e["text"] for e in block.get("elements", []))


def test_slack_parts_stay_within_limits_and_lose_nothing():
    d = digest(23, sentences=30)
    parts = slack().plan(d)
    assert [len(p.items) for p in parts] == [0, 5, 5, 5, 5, 3]
    assert [p.threaded for p in parts] == [False] + [True] * 5
    assert [i.article_id for p in parts for i in p.items] == d.article_ids
    for p in parts:
        payload = slack().render(d, p, key=KEY)
        assert len(payload["blocks"]) <= 50 and payload["text"]
        assert not re.search(r"<[!@#]", json.dumps(payload, ensure_ascii=False))
        texts = [block_text(b) for b in payload["blocks"]]
        limits = [150 if b["type"] == "header" else 3000 for b in payload["blocks"]]
        assert all(len(t) <= limit for t, limit in zip(texts, limits))
        for it in p.items:
            section = next(t for t in texts if f" title {it.article_id[1:]} " in t)
            assert [s for s in it.summary if s[:30] in section and s not in section] == []  # whole or absent


def test_discord_messages_stay_within_limits_and_lose_nothing():
    d = digest(23, sentences=30)
    posters = [DiscordChannelPoster(api=None, channel="1"),  # type: ignore[arg-type]
               WebhookPoster(api=None, url="https://x/webhooks/1/t")]  # type: ignore[arg-type]
    for poster in posters:
        parts = poster.plan(d)
        assert [i.article_id for p in parts for i in p.items] == d.article_ids
        for p in parts:
            payload = poster.render(d, p, key=KEY)
            assert len(payload["content"]) <= 2000 and 1 <= len(payload["embeds"]) <= 10
            assert sum(embed_size(e) for e in payload["embeds"]) <= 6000
            assert payload["allowed_mentions"] == {"parse": []}
            assert KEY in payload["embeds"][-1]["footer"]["text"]
            assert all(len(e["title"]) <= 256 and len(e["description"]) <= 4096 for e in payload["embeds"])
            text = json.dumps(payload, ensure_ascii=False)
            assert not re.search(r"@(everyone|here)", text) and "<@" not in text


def test_a_short_digest_is_one_message_everywhere():
    d = digest(3, sentences=2, words=10)
    assert len(slack().plan(d)) == 1
    assert len(DiscordChannelPoster(api=None, channel="1").plan(d)) == 1  # type: ignore[arg-type]


def test_slack_links_and_text_are_escaped():
    d = digest(1)
    section = slack().render(d, slack().plan(d)[0], key="k")["blocks"][2]["text"]["text"]
    assert section.startswith("*<https://x.test/0?a=1&amp;b=&lt;2&gt;%7C3|Ping &lt;!channel&gt;")
    assert "Wire &amp; Co &lt;b&gt;" in section


def test_helpers():
    assert clip("one two three four", 10) == "one two…" and clip("short", 10) == "short"
    assert whole_sentences(["A b.", "C d e f g."], 6) == ["A b."]
    assert [years_text(1, 2), years_text(3, 3), years_text(None, 5), years_text(1, None)] == [
        "1–2 years", "about 3 years", "up to 5 years", "about 1 year"]
    assert nice_date("2025-05-02") == "2 May 2025" and nice_date(None) is None
    claim = Claim(1.0, 2.0, "1-2 years", "china_behind", "chips", "Dana Okafor", "Acme", "q", "a", None)
    assert estimate_text(claim) == "1–2 years, China behind on chips — Dana Okafor (Acme)"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_no_text_can_ping_anyone(text):
    assert "<" not in slack_escape(text) and ">" not in slack_escape(text)
    out = discord_escape(text)
    assert not re.search(r"@(everyone|here)", out) and "<@" not in out
