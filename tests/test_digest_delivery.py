"""The digest end to end against local fakes of Slack, Discord and a Discord webhook: subscribe, index, run,
and assert exactly what was posted; run again and nothing is; add one article and only it is."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import time_machine

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
from digest_fakes import (  # noqa: E402,F401
    DISCORD,
    SLACK,
    fake_fixture,
    gapbot,
    index,
    item_titles,
    titles_posted,
)

from bot.digest.service import DigestService  # noqa: E402


@pytest.fixture(name="corpus")
def engine_corpus_fixture(engine_db, monkeypatch):
    """An empty corpus with the hash embedder, once per storage engine (SQLite, then Postgres)."""
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder

    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")
    return Corpus.open(engine_db, seed=False, embedder=HashEmbedder())

def subscribe_all(corpus, fake) -> None:
    for target in (SLACK, DISCORD, f"webhook:{fake.webhook_url()}"):
        assert gapbot(corpus, fake.env(), "digest", "add", target)[0] == 0


def titles(corpus, ids: list[str]) -> list[str]:
    """The articles' titles in digest order."""
    from bot.digest.select import order

    return [a.title for a in sorted((corpus.article(i) for i in ids), key=order)]


def test_subscribe_index_run_posts_each_article_once_to_each_destination(corpus, fake):
    subscribe_all(corpus, fake)
    ids = index(corpus, "01", "02", "03")
    code, out = gapbot(corpus, fake.env(), "digest")
    assert code == 0, out
    assert out.count("posted") == 3 and "3 articles in 1 message" in out
    assert titles_posted(fake, "slack", "C0DIGEST") == titles(corpus, ids)
    assert titles_posted(fake, "discord", "1100000000000000001") == titles(corpus, ids)
    assert titles_posted(fake, "discord", "1100000000000000002") == titles(corpus, ids)  # the webhook's
    assert len(fake.messages) == 3 and not fake.unexpected


def test_the_slack_post_is_exactly_the_digest(corpus, fake):
    DigestService(corpus).add_destination(SLACK, now=datetime.now(timezone.utc))
    ids = index(corpus, "01", "02")
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    [msg] = fake.posted("slack")
    p = msg.payload
    assert p["channel"] == "C0DIGEST" and p["text"] == "gapbot daily digest — 2 new articles"
    assert p["unfurl_links"] is False and p["metadata"]["event_type"] == "gapbot_digest"
    types = [b["type"] for b in p["blocks"]]
    assert types[:2] == ["header", "context"] and types[-1] == "context" and types.count("section") >= 2
    sections = [b["text"]["text"] for b in p["blocks"] if b["type"] == "section"]
    for aid, text in zip(ids, sections):
        art = corpus.article(aid)
        assert text.startswith(f"*{art.title}*")
        escaped = [s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for s in art.summary]
        assert all(s in text for s in escaped)
        sized = [c for c in corpus.claims(article_id=aid) if c.sized]
        assert text.count("• Gap estimate:") == min(len(sized), 3)
        assert all(name in text for name in corpus.entities_for(aid)[:6])
    assert "/gap" in p["blocks"][-1]["elements"][0]["text"]
    assert DigestService(corpus).delivery_counts(DigestService(corpus).destination(SLACK).id) == {"sent": 2}


def test_the_discord_post_is_exactly_the_digest(corpus, fake):
    DigestService(corpus).add_destination(DISCORD, now=datetime.now(timezone.utc))
    ids = index(corpus, "01", "02")
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    [msg] = fake.posted("discord")
    p = msg.payload
    assert p["allowed_mentions"] == {"parse": []} and p["enforce_nonce"] is True
    assert p["nonce"].startswith("gapbot-") and len(p["nonce"]) <= 25
    assert p["nonce"] in p["embeds"][-1]["footer"]["text"]
    assert p["content"].startswith("**gapbot daily digest — 2 new articles**")
    assert "/gap" in p["content"]
    assert [e["title"] for e in p["embeds"]] == titles(corpus, ids)
    for aid, embed in zip(ids, p["embeds"]):
        assert all(s[:40].replace("*", "\\*") in embed["description"] for s in corpus.article(aid).summary)


def test_run_again_posts_nothing_then_one_new_article_alone(corpus, fake):
    subscribe_all(corpus, fake)
    index(corpus, "01", "02")
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    assert len(fake.messages) == 3
    code, out = gapbot(corpus, fake.env(), "digest")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["nothing"] * 3
    assert len(fake.messages) == 3
    [new] = index(corpus, "03")
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    latest = fake.messages[3:]
    assert len(latest) == 3
    assert all(item_titles(m) == [corpus.article(new).title] for m in latest)
    assert all("1 new article" in json.dumps(m.payload) for m in latest)


def test_no_new_articles_means_no_post(corpus, fake):
    subscribe_all(corpus, fake)
    code, out = gapbot(corpus, fake.env(), "digest", "--json")
    assert code == 0
    assert [json.loads(line)["status"] for line in out.splitlines()] == ["nothing"] * 3
    assert fake.messages == [] and fake.requests == []


def test_a_new_destinations_first_digest_covers_the_day_before_it_was_created(corpus, fake):
    start = datetime(2025, 5, 10, 6, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False):
        [old] = index(corpus, "01")
    with time_machine.travel(start + timedelta(hours=20), tick=False):
        [recent] = index(corpus, "02")
    with time_machine.travel(start + timedelta(hours=30), tick=False):
        DigestService(corpus).add_destination(SLACK, now=datetime.now(timezone.utc))
        assert gapbot(corpus, fake.env(), "digest")[0] == 0
    assert titles_posted(fake, "slack", "C0DIGEST") == [corpus.article(recent).title]
    assert corpus.article(old).title not in json.dumps(fake.messages[0].payload)


def test_a_long_digest_threads_under_a_header_in_slack_and_splits_on_discord(corpus, fake):
    subscribe_all(corpus, fake)
    ids = index(corpus, "01", "02", "03", "04", "05", "06")
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    header, *replies = fake.posted("slack")
    assert "*In the thread:*" in json.dumps(header.payload) and header.thread is None
    assert [len(item_titles(r)) for r in replies] == [5, 1] and {r.thread for r in replies} == {header.id}
    assert titles_posted(fake, "slack", "C0DIGEST") == titles(corpus, ids)
    discord = fake.posted("discord", "1100000000000000001")
    assert [len(m.payload["embeds"]) for m in discord] == [5, 1]
    assert "gapbot daily digest" in discord[0].payload["content"] and "/gap" in discord[-1].payload["content"]
    assert titles_posted(fake, "discord", "1100000000000000001") == titles(corpus, ids)


def test_dry_run_posts_nothing_and_shows_the_digest(corpus, fake):
    subscribe_all(corpus, fake)
    ids = index(corpus, "01", "02")
    code, out = gapbot(corpus, fake.env(), "digest", "--dry-run")
    assert code == 0 and fake.messages == [] and fake.requests == []
    assert out.count("would post 2 articles in 1 message") == 3
    assert all(t in out for t in titles(corpus, ids))
    code, out = gapbot(corpus, fake.env(), "digest", "--dry-run", "--json")
    previews = [json.loads(line) for line in out.splitlines()]
    assert [p["status"] for p in previews] == ["preview"] * 3
    assert previews[0]["payloads"][0]["metadata"]["event_type"] == "gapbot_digest"
    assert gapbot(corpus, fake.env(), "digest")[0] == 0 and len(fake.messages) == 3


def test_dry_run_without_destinations_previews_the_last_day(corpus, fake):
    index(corpus, "01")
    code, out = gapbot(corpus, fake.env(), "digest", "--dry-run")
    assert code == 0 and "gapbot daily digest — 1 new article" in out and fake.requests == []


def test_the_same_story_twice_is_reported_once(corpus, fake, tmp_path):
    DigestService(corpus).add_destination(SLACK, now=datetime.now(timezone.utc))
    index(corpus, "01")
    copy = tmp_path / "copy.txt"
    copy.write_text((Path(__file__).parent / "fixtures/digest/articles/01_export_rules.txt").read_text())
    assert [r.status for r in corpus.index([str(copy)])] == ["duplicate"]
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    assert len(titles_posted(fake, "slack", "C0DIGEST")) == 1
