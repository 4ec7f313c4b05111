"""Watched channels and shared messages through the door: /watch by admins only, GAPBOT_WATCH_CHANNELS, links
posted in a watched channel added and marked, the door's rules and the quota applied to them, a shared
message's reply private; and an article added by one process found by another that is already answering."""
from __future__ import annotations

import pytest
from test_add import PAGE, loopback_intake

from bot.core import Door, handle
from bot.guard import Guard, Policy
from bot.intake import AddPolicy, Intake
from bot.reply import OVERHEARD, SHARED, Request
from bot.watch import NO_LINK
from corpus.api import Corpus
from corpus.embed import HashEmbedder
from corpus.fetch import Fetcher, Reach

ADMIN = {"platform": "slack", "user": "UADMIN", "channel": "C1", "space": "T1", "is_admin": True}



@pytest.fixture()
def fake_corpus(engine_corpus):
    """An empty corpus on SQLite and on Postgres: the watch table is engine-neutral."""
    return engine_corpus

def watch(corpus, text: str, *, intake: Intake | None = None, **where):
    request = Request(text, **{**ADMIN, **where})
    return handle(request, corpus, intake=intake or loopback_intake())


def posted(corpus, text: str, *, intake: Intake | None = None, guard: Guard | None = None, **where):
    """A message posted in a channel, not to gapbot: what the door makes of it."""
    request = Request(text, **{"platform": "slack", "user": "U1", "channel": "C1", "space": "T1", **where},
                      via=OVERHEARD)
    return Door(corpus, guard=guard, intake=intake or loopback_intake()).admit(request)


def test_an_admin_turns_watching_on_and_off(fake_corpus):
    assert watch(fake_corpus, "/watch").title == "This channel is not watched; /gap watch on to start."
    on = watch(fake_corpus, "/watch on")
    assert on.title == "gapbot now watches this channel" and not on.private  # the channel is told
    assert "✅ added, ♻️ already indexed, ⚠️ not added" in on.text
    assert watch(fake_corpus, "/watch on").title == "This channel is already watched."
    status = watch(fake_corpus, "/watch")
    assert status.title == "This channel is watched." and status.private
    assert "• C1 — since " in status.text and "by UADMIN" in status.text
    assert watch(fake_corpus, "/watch off").title == "gapbot no longer watches this channel"
    assert watch(fake_corpus, "/watch off").title == "This channel was not watched."
    assert fake_corpus.watches.listed("slack") == []


def test_a_member_who_is_not_an_admin_is_refused(fake_corpus):
    for text in ("/watch on", "/watch", "/gap watch off"):
        reply = watch(fake_corpus, text, is_admin=False, user="U2")
        assert reply.title == "Only workspace admins can use /gap watch." and reply.private, text
    assert fake_corpus.watches.listed("slack") == []


def test_watch_needs_a_channel_and_an_intake(fake_corpus):
    assert "direct message" in watch(fake_corpus, "/watch on", direct=True, channel="D1").title
    assert "Slack and Discord" in handle(Request("/watch on", is_admin=True), fake_corpus).title
    not_set_up = handle(Request("/watch on", **ADMIN), fake_corpus)
    assert "not set up" in not_set_up.title
    assert watch(fake_corpus, "/watch maybe").title.startswith("Usage: /gap watch on")


def test_channels_named_in_the_environment_are_watched(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    policy = AddPolicy.from_env({"GAPBOT_WATCH_CHANNELS": "slack:C9, 4242"})
    intake = Intake(lambda: Fetcher(reach=Reach(private=True)), policy)
    url = httpserver.url_for("/harbour")
    assert posted(fake_corpus, f"read {url}", intake=intake, channel="C9").reply().reactions == ["added"]
    assert posted(fake_corpus, f"read {url}", intake=intake, channel="C9", platform="discord").ignored
    assert posted(fake_corpus, f"read {url}", intake=intake, channel="4242", platform="discord").reply() \
        .reactions == ["duplicate"]
    off = watch(fake_corpus, "/watch off", intake=intake, channel="C9")
    assert "GAPBOT_WATCH_CHANNELS names it" in off.title
    assert "• C9 — GAPBOT_WATCH_CHANNELS" in watch(fake_corpus, "/watch", intake=intake).text


def test_links_posted_in_a_watched_channel_are_added_and_marked(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/harbour")
    assert posted(fake_corpus, f"worth a read: {url}").ignored  # not watched yet: nothing happens
    watch(fake_corpus, "/watch on")
    assert posted(fake_corpus, "no link here, just words").ignored
    first = posted(fake_corpus, f"worth a read: <{url}|the harbour story>").reply()
    assert first.reactions == ["added"] and first.reacts_only
    again = posted(fake_corpus, f"again {url}").reply()
    assert again.reactions == ["duplicate"] and again.reacts_only
    [record] = fake_corpus.add_log.recent(limit=1)
    assert (record.platform, record.user, record.channel, record.status) == ("slack", "U1", "C1", "duplicate")
    assert len(httpserver.log) == 2 and fake_corpus.count() == 1


def test_a_thread_of_a_watched_channel_is_watched(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    watch(fake_corpus, "/watch on", platform="discord", channel="111")
    reply = posted(fake_corpus, httpserver.url_for("/harbour"), platform="discord", channel="222",
                   parent="111").reply()
    assert reply.reactions == ["added"]


def test_a_refused_link_is_marked_and_explained(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    public_only = Intake(lambda: Fetcher(reach=Reach()))
    watch(fake_corpus, "/watch on", intake=public_only)
    reply = posted(fake_corpus, f"look {httpserver.url_for('/harbour')}", intake=public_only).reply()
    assert reply.reactions == ["refused"] and not reply.reacts_only and reply.private
    assert "loopback address" in reply.text
    assert httpserver.log == []


def test_the_doors_rules_and_the_quota_apply_in_a_watched_channel(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    url = httpserver.url_for("/harbour")
    watch(fake_corpus, "/watch on")
    guard = Guard(Policy(per_minute=1))
    assert posted(fake_corpus, url, guard=guard).reply().reactions == ["added"]
    slow = posted(fake_corpus, url, guard=guard)
    assert slow.refusal is not None and slow.refusal.reactions == ["refused"]
    assert "faster than I can keep up" in slow.reply().title
    elsewhere = posted(fake_corpus, url, guard=Guard(Policy(channels=frozenset({"C7"}))))
    assert elsewhere.reply().reactions == ["refused"] and "not enabled here" in elsewhere.reply().title
    over = posted(fake_corpus, url, intake=loopback_intake(per_day=1)).reply()
    assert over.reactions == ["refused"] and "1 links in the last 24 hours" in over.text


def test_a_shared_message_is_answered_privately(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    door = Door(fake_corpus, intake=loopback_intake())
    shared = Request(f"/add see {httpserver.url_for('/harbour')}", platform="slack", user="U1", channel="C1",
                     via=SHARED)
    reply = door.handle(shared)
    assert reply.title == "Added: Harbour labs weigh the chip race" and reply.private
    nothing = door.handle(Request("/add nothing to see", platform="slack", user="U1", via=SHARED))
    assert nothing.title == NO_LINK and nothing.private
    assert door.admit(shared).fetches  # so the adapter runs it on the add worker


def test_an_article_added_elsewhere_is_found_by_a_corpus_already_answering(tmp_path, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    answering = Corpus.open(tmp_path / "g.db", seed=False, embedder=HashEmbedder())
    adding = Corpus.open(tmp_path / "g.db", seed=False, embedder=HashEmbedder())
    question = "/ask what did Odalys Verkamp say about advanced chips"
    assert "Verkamp" not in handle(Request(question), answering).text  # its search index is loaded now
    added = handle(Request(f"/add {httpserver.url_for('/harbour')}"), adding, intake=loopback_intake())
    assert added.title.startswith("Added: ")
    assert "two to three years behind" in handle(Request(question), answering).text
