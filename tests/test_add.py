"""/add: an article shared from chat is fetched through the one fetcher, indexed, and described; duplicates,
refusals, the quota and the add log, through handle() and through the command line."""
from __future__ import annotations

import json

import pytest
from test_cli import gapbot

from bot.core import handle
from bot.intake import AddPolicy, Intake
from bot.reply import Request
from corpus.fetch import Fetcher, Reach


@pytest.fixture()
def fake_corpus(engine_corpus):
    """The empty hash-embedder corpus, on SQLite and on Postgres:
    the /add log and the indexing it drives are engine-neutral."""
    return engine_corpus

# an invented article: no person, company or sentence from the bundled seeds
PAGE = """<html><head><title>Harbour labs weigh the chip race</title>
<meta property="og:site_name" content="The Quayside Ledger">
<meta property="article:published_time" content="2026-02-14"></head><body><article>
<h1>Harbour labs weigh the chip race</h1>
<p>Engineers at Brindlewick Systems spent the winter testing a new training cluster in Tallowmere, the company
said on Tuesday.</p>
<p>“China is about two to three years behind the United States in advanced chips,” said Odalys Verkamp, chief
analyst at Brindlewick Systems.</p>
<p>Verkamp said the firm would publish its benchmark results later this year, and that export controls had
slowed deliveries of accelerators to its partners.</p>
<p>Other analysts at the Fennimore Institute said the software gap was narrower than the hardware gap,
and that open models had closed much of the distance.</p>
</article></body></html>"""


def loopback_intake(**policy) -> Intake:
    """The intake a test needs: its pages are served from 127.0.0.1, so loopback is opted in."""
    return Intake(lambda: Fetcher(reach=Reach(private=True)), AddPolicy(**policy))


def add(corpus, text: str, *, intake: Intake | None = None, user: str | None = None):
    where = {"platform": "slack", "user": user, "channel": "C1"} if user else {}
    request = Request(text, **where)  # type: ignore[arg-type]
    return handle(request, corpus, intake=intake or loopback_intake())


def test_an_added_article_is_described_by_what_it_brings(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    reply = add(fake_corpus, f"/add {httpserver.url_for('/harbour')}")
    assert reply.title == "Added: Harbour labs weigh the chip race"
    assert "The Quayside Ledger · 2026-02-14" in reply.text
    assert "• 2–3 years, China behind — “two to three years”, Odalys Verkamp" in reply.text
    assert "New names:" in reply.text and "Fennimore Institute" in reply.text
    assert reply.answered and not reply.private
    [added] = reply.data["adds"]
    assert added["status"] == "added" and fake_corpus.article(added["article_id"]) is not None
    assert added["claims"][0]["speaker"] == "Odalys Verkamp"


def test_a_link_already_indexed_is_named_not_indexed_again(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    first = add(fake_corpus, f"/add {httpserver.url_for('/harbour')}")
    # in Slack's link form this time
    again = add(fake_corpus, f"/add <{httpserver.url_for('/harbour')}|the harbour story>")
    article_id = first.data["adds"][0]["article_id"]
    assert again.title == f"Already indexed as Harbour labs weigh the chip race (id {article_id})"
    assert fake_corpus.count() == 1


def test_a_loopback_link_without_the_opt_in_is_refused_and_never_fetched(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    public_only = Intake(lambda: Fetcher(reach=Reach()))
    reply = add(fake_corpus, f"/add {httpserver.url_for('/harbour')}", intake=public_only)
    assert reply.title.startswith("Refused: ") and "loopback address" in reply.text
    assert reply.private and httpserver.log == []
    assert fake_corpus.count() == 0


def test_several_links_are_each_reported(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    reply = add(fake_corpus, f"/add {httpserver.url_for('/harbour')} and {httpserver.url_for('/gone')}.")
    assert reply.title == "2 links: 1 added, 0 already indexed, 1 not added"
    assert [s.heading for s in reply.sections] == ["Added: Harbour labs weigh the chip race",
                                                   f"Refused: {httpserver.url_for('/gone')}"]
    assert "HTTP 404" in reply.sections[1].text


def test_text_without_a_link_gets_the_usage(fake_corpus):
    for text in ("/add", "/add the harbour story", "/add file:///etc/passwd", "/add example.com/story"):
        reply = add(fake_corpus, text)
        assert reply.title.startswith("Usage: /add URL"), text
    assert fake_corpus.add_log.recent(limit=5) == []


def test_without_an_intake_adding_is_not_set_up(fake_corpus):
    reply = handle(Request("/add https://example.com/story"), fake_corpus)
    assert "not set up here" in reply.title and reply.private


def test_the_quota_counts_each_users_adds_and_the_console_is_exempt(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    intake = loopback_intake(per_day=2)
    url = httpserver.url_for("/harbour")
    assert not add(fake_corpus, f"/add {url}", intake=intake, user="U1").title.startswith("Not added")
    assert not add(fake_corpus, f"/add {url}", intake=intake, user="U1").title.startswith("Not added")
    over = add(fake_corpus, f"/add {url}", intake=intake, user="U1")
    assert over.title == f"Not added: {url}" and "2 links in the last 24 hours" in over.text
    assert add(fake_corpus, f"/add {url}", intake=intake, user="U2").title.startswith("Already indexed")
    assert add(fake_corpus, f"/add {url}", intake=intake).title.startswith("Already indexed")


def test_only_the_chosen_adders_may_add_when_there_are_some(fake_corpus, httpserver):
    intake = loopback_intake(adders=frozenset({"slack:U7"}))
    reply = add(fake_corpus, f"/add {httpserver.url_for('/harbour')}", intake=intake, user="U1")
    assert "limited to the users an admin chose" in reply.text and httpserver.log == []


def test_every_add_is_recorded_with_who_where_and_what_became_of_it(fake_corpus, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    reply = add(fake_corpus, f"/add {httpserver.url_for('/harbour')}", user="U1")
    [record] = fake_corpus.add_log.recent(limit=5)
    assert (record.platform, record.user, record.channel, record.url, record.status, record.article_id) == (
        "slack", "U1", "C1", httpserver.url_for("/harbour"), "added", reply.data["adds"][0]["article_id"])


def test_the_policy_reads_its_settings(tmp_path):
    policy = AddPolicy.from_env({"GAPBOT_ADDERS": "U1, slack:U2", "GAPBOT_ADD_QUOTA": "3"})
    assert policy == AddPolicy(adders=frozenset({"U1", "slack:U2"}), per_day=3)
    assert AddPolicy.from_env({}).per_day == 20
    try:
        AddPolicy.from_env({"GAPBOT_ADD_QUOTA": "lots"})
    except ValueError as e:
        assert "GAPBOT_ADD_QUOTA" in str(e)
    else:
        raise AssertionError("a bad quota was accepted")


def test_add_then_adds_through_the_command_line(tmp_path, httpserver):
    httpserver.expect_request("/harbour").respond_with_data(PAGE, content_type="text/html")
    env = {"GAPBOT_ALLOW_PRIVATE_URLS": "1"}
    done = gapbot("--no-seed", "ask", "/add", httpserver.url_for("/harbour"), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Added: Harbour labs weigh the chip race")
    assert "Odalys Verkamp" in done.stdout
    done = gapbot("--no-seed", "adds", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    record = json.loads(line)
    assert record["status"] == "added" and record["platform"] == "console"
    assert record["url"] == httpserver.url_for("/harbour") and record["article_id"]
    # the add completed before the reply: the next process finds the article
    shown = gapbot("--no-seed", "show", record["article_id"], cwd=tmp_path)
    assert "Harbour labs weigh the chip race" in shown.stdout
