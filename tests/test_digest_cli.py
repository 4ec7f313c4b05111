"""`gapbot digest add|list|remove`, `gapbot feeds …` with conditional GET polling, `digest --schedule` and
`gapbot serve`."""
from __future__ import annotations

import html
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
from digest_fakes import ARTICLES, SLACK, corpus_fixture, fake_fixture, gapbot, titles_posted  # noqa: E402,F401

from adapters import serve as serve_module  # noqa: E402
from adapters.platforms import Config, digest_service  # noqa: E402
from bot.digest.service import DigestService  # noqa: E402


def test_add_list_remove(corpus, fake, capsys):
    code, out = gapbot(corpus, {}, "digest", "add", "slack:C123", "--at", "7:30", "--tz", "Europe/Berlin")
    assert code == 0 and out.startswith("added 1. slack:C123: daily at 07:30 Europe/Berlin")
    hook = "webhook:https://discord.com/api/webhooks/123456/SECRETTOKENabcdef"
    assert gapbot(corpus, {}, "digest", "add", hook)[0] == 0
    code, out = gapbot(corpus, {}, "digest", "list")
    assert "1. slack:C123 — daily at 07:30 Europe/Berlin" in out and "last digest never" in out
    assert "webhooks/123456/SECR…" in out and "SECRETTOKEN" not in out
    rows = [json.loads(line) for line in gapbot(corpus, {}, "digest", "list", "--json")[1].splitlines()]
    masked = "webhook:https://discord.com/api/webhooks/123456/SECR…"
    assert [r["destination"] for r in rows] == ["slack:C123", masked]
    assert gapbot(corpus, {}, "digest", "add", "slack:C123", "--at", "09:00")[1].startswith("updated 1.")
    assert gapbot(corpus, {}, "digest", "remove", "2") == (0, f"removed {masked}\n")
    assert gapbot(corpus, {}, "digest", "remove", "slack:C123")[0] == 0
    assert gapbot(corpus, {}, "digest", "remove", "slack:C123")[0] == 1
    assert "No digest destinations" in gapbot(corpus, {}, "digest", "list")[1]


@pytest.mark.parametrize("argv, message", [
    (["digest", "add", "irc:#general"], "Not a digest destination"),
    (["digest", "add", "slack:C1", "--tz", "Nowhere/City"], "Unknown time zone"),
    (["digest", "add", "slack:C1", "--at", "8am"], "Not a time of day"),
    (["feeds", "add", "ftp://example.com/feed"], "Not a feed URL"),
])
def test_bad_input_is_a_usage_error(corpus, capsys, argv, message):
    assert gapbot(corpus, {}, *argv)[0] == 2
    assert message in capsys.readouterr().err
    assert DigestService(corpus).destinations() == []


def article_page(name: str) -> tuple[str, str]:
    """A fixture article as an HTML page: (title, html)."""
    title, *paras = [p.strip() for p in (ARTICLES / name).read_text().split("\n\n") if p.strip()]
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    head = f"<html><head><title>{title}</title></head>"
    return title, f"{head}<body><article><h1>{title}</h1>{body}</article></body></html>"


def publish(fake, etag: str, *names: str) -> list[str]:
    """Serve /feeds/ai.xml with these articles as entries (and their pages); their titles."""
    items, titles = "", []
    for n in names:
        title, page = article_page(n)
        fake.pages[f"/pages/{n}.html"] = page
        items += f"<item><title>{html.escape(title)}</title><link>{fake.url}/pages/{n}.html</link>" \
                 f"<guid>{n}</guid><pubDate>Mon, 12 May 2025 07:00:00 GMT</pubDate></item>"
        titles.append(title)
    channel = f"<channel><title>AI Wire</title><link>{fake.url}/</link>{items}</channel>"
    fake.feeds["/feeds/ai.xml"] = {"etag": etag, "modified": f"Mon, 12 May 2025 0{len(names)}:00:00 GMT",
                                   "xml": f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'}
    return titles


def test_feeds_are_polled_with_conditional_get_before_each_digest(corpus, fake):
    feed = f"{fake.url}/feeds/ai.xml"
    first = publish(fake, '"v1"', "04_talent.txt")
    assert gapbot(corpus, fake.env(), "feeds", "add", feed) == (0, f"subscribed {feed}\n")
    assert gapbot(corpus, fake.env(), "feeds", "add", feed)[1].startswith("already subscribed")
    DigestService(corpus).add_destination(SLACK, now=datetime.now(timezone.utc))
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    assert titles_posted(fake, "slack", "C0DIGEST") == first
    assert gapbot(corpus, fake.env(), "digest")[0] == 0  # feed unchanged: a 304, nothing new, no post
    assert fake.feeds["/feeds/ai.xml"]["not_modified"] == 1 and len(fake.messages) == 1
    assert "(not modified, 0 added)" in gapbot(corpus, fake.env(), "feeds", "list")[1]
    second = publish(fake, '"v2"', "04_talent.txt", "05_robotics.txt")
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    assert titles_posted(fake, "slack", "C0DIGEST") == first + second[1:]
    assert "(ok, 1 added)" in gapbot(corpus, fake.env(), "feeds", "list")[1]
    assert not fake.unexpected


def test_a_broken_feed_is_reported_and_does_not_stop_the_digest(corpus, fake):
    feed = f"{fake.url}/feeds/gone.xml"
    # it answered when subscribed; gone now
    DigestService(corpus).add_feed(feed, now=datetime.now(timezone.utc))
    code, out = gapbot(corpus, fake.env(), "feeds", "poll")
    assert code == 1 and "HTTP 404" in out
    assert "error: HTTP 404" in gapbot(corpus, fake.env(), "feeds", "list")[1]
    DigestService(corpus).add_destination(SLACK, now=datetime.now(timezone.utc))
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    assert gapbot(corpus, fake.env(), "feeds", "remove", feed) == (0, f"removed {feed}\n")
    assert gapbot(corpus, fake.env(), "feeds", "remove", feed)[0] == 1
    fake.unexpected.clear()  # the 404 was the point


def test_a_scheduled_digest_posts_what_the_feed_job_indexed_without_polling_itself(corpus, fake):

    titles = publish(fake, '"v1"', "05_robotics.txt")
    gapbot(corpus, fake.env(), "feeds", "add", f"{fake.url}/feeds/ai.xml")
    dest, _ = DigestService(corpus).add_destination(SLACK, now=datetime.now(timezone.utc))
    config = Config.from_env(fake.env())
    [polled] = DigestService(corpus).poll_feeds(fetcher=config.fetcher())
    hits = fake.feeds["/feeds/ai.xml"]["hits"]
    digest_service(corpus, config).scheduled(dest.id)
    assert polled.added == 1 and titles_posted(fake, "slack", "C0DIGEST") == titles
    assert fake.feeds["/feeds/ai.xml"]["hits"] == hits  # the digest itself never waits on a feed


def test_feeds_add_refuses_what_cannot_be_fetched_now(corpus, fake, capsys):
    cases = [({}, f"{fake.url}/feeds/ai.xml", "loopback address (set GAPBOT_ALLOW_PRIVATE_URLS=1"),
             (fake.env(), "http://127.0.0.1:9/nothing.xml", "could not fetch"),
             (fake.env(), f"{fake.url}/feeds/missing.xml", "HTTP 404"),
             (fake.env(), "http://169.254.169.254/latest/meta-data/", "link-local address"),
             ({"GAPBOT_ALLOW_PRIVATE_URLS": "sometimes"}, f"{fake.url}/feeds/ai.xml", "must be 1")]
    publish(fake, '"v1"', "05_robotics.txt")
    fake.pages["/pages/plain.html"] = "<html><body><p>Not a feed.</p></body></html>"
    cases.append((fake.env(), f"{fake.url}/pages/plain.html", "not an RSS or Atom feed"))
    for env, url, reason in cases:
        assert gapbot(corpus, env, "feeds", "add", url)[0] != 0
        assert reason in capsys.readouterr().err
    assert DigestService(corpus).feeds() == []
    fake.unexpected.clear()  # the 404 was the point


def test_a_feed_entry_whose_page_is_gone_is_counted_as_rejected(corpus, fake):
    titles = publish(fake, '"v1"', "04_talent.txt", "05_robotics.txt")
    del fake.pages["/pages/05_robotics.txt.html"]
    results = corpus.index([f"{fake.url}/feeds/ai.xml"], fetcher=Config.from_env(fake.env()).fetcher())
    assert [(r.status, r.title) for r in results][0] == ("added", titles[0])
    assert results[1].status == "rejected" and "HTTP 404" in (results[1].reason or "")
    fake.unexpected.clear()


def test_digest_schedule_installs_a_job_per_destination(corpus, monkeypatch):
    started = []

    class Scheduler(serve_module.BlockingScheduler):
        def start(self, *args, **kwargs):
            started.append(sorted(j.id for j in self.get_jobs()))

    monkeypatch.setattr(serve_module, "BlockingScheduler", Scheduler)
    monkeypatch.setattr(serve_module, "_stop_on_sigterm", lambda: None)
    gapbot(corpus, {}, "digest", "add", "slack:C1", "--tz", "Asia/Shanghai")
    gapbot(corpus, {}, "digest", "add", "discord:12345678", "--tz", "America/New_York")
    assert gapbot(corpus, {"FEED_POLL_MINUTES": "5"}, "digest", "--schedule")[0] == 0
    assert started == [["digest:1", "digest:2", "digest:tick", "feeds:poll"]]


def test_serve_runs_what_is_configured():
    assert serve_module.slack_argv({}) is None
    assert serve_module.slack_argv({"SLACK_BOT_TOKEN": "x"}) is None
    assert serve_module.slack_argv({"SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": "y"}) == ["slack", "--socket"]
    assert serve_module.slack_argv({"SLACK_BOT_TOKEN": "x", "SLACK_SIGNING_SECRET": "s", "PORT": "8080"}) == [
        "slack", "--http", "--port", "8080"]
    installs = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}
    http = ["slack", "--http", "--port", "3000"]
    assert serve_module.slack_argv(installs) == http
    assert serve_module.slack_argv({**installs, "SLACK_APP_TOKEN": "y"}) == http  # OAuth is HTTP only
    names = lambda env: [c.name for c in serve_module.components(env, db="x.db", corpus=None,  # noqa: E731
                                                                 config=Config())]
    assert names({}) == ["digest scheduler"]
    assert names({"SLACK_BOT_TOKEN": "x", "SLACK_APP_TOKEN": "y", "DISCORD_TOKEN": "z"}) == [
        "digest scheduler", "slack", "discord"]


def test_serve_exits_when_a_component_stops(corpus, monkeypatch, capsys):
    stop = serve_module.Component("digest scheduler", lambda: None)
    monkeypatch.setattr(serve_module, "components", lambda env, **kw: [stop])
    monkeypatch.setattr(serve_module, "_stop_on_sigterm", lambda: None)
    assert gapbot(corpus, {}, "serve")[0] == 1
    assert "digest scheduler stopped" in capsys.readouterr().err
