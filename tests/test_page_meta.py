"""What a page says about itself when it is indexed:
its canonical address, who published it, and the address a later copy gives an earlier one that had none."""
from __future__ import annotations

import pytest

from corpus.fetch import Fetcher, Reach
from corpus.htmlpage import canonical_link, published_by
from corpus.sources import Document


@pytest.fixture()
def fake_corpus(engine_corpus):
    """The empty hash-embedder corpus, on SQLite and on Postgres:
    what indexing keeps of a page is engine-neutral."""
    return engine_corpus

LOOPBACK = Fetcher(reach=Reach(private=True))  # the opt-in these tests need: their pages come from 127.0.0.1

PARAS = [f"Paragraph {i}: engineers in Wuhan said the new training cluster cut the cost of a large model "
         "run, and analysts said the distance to the leading American labs had narrowed again this quarter."
         for i in range(6)]
TEXT = "Wuhan Cluster Cuts The Cost Of Training\n\n" + "\n\n".join(PARAS) + "\n"


def html(head: str = "", byline: str = "") -> str:
    """A small article page."""
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return (f"<html><head><title>Wuhan cluster cuts the cost of training</title>{head}</head><body><article>"
            f"<h1>Wuhan cluster cuts the cost of training</h1>{byline}{body}</article></body></html>")


def tree(page: str):
    from trafilatura.utils import load_html

    return load_html(page)


@pytest.mark.parametrize("head, base, expected", [
    ('<link rel="canonical" href="https://example.org/tech/wuhan-cluster">', "https://mirror.example/copy",
     "https://example.org/tech/wuhan-cluster"),
    ('<link rel="Canonical" href="/tech/wuhan-cluster">', "https://example.org/amp/wuhan?utm_source=x",
     "https://example.org/tech/wuhan-cluster"),
    ('<link rel="alternate canonical" href="wuhan-cluster">', "https://example.org/tech/",
     "https://example.org/tech/wuhan-cluster"),
    ('<link rel="canonical" href="javascript:void(0)">', "https://example.org/a", None),
    ('<link rel="stylesheet" href="/site.css">', "https://example.org/a", None),
    ("", None, None),
])
def test_canonical_link(head, base, expected):
    assert canonical_link(tree(html(head)), base) == expected


@pytest.mark.parametrize("byline, expected", [
    ('<p class="byline">Published by Example Wire</p>', "Example Wire"),
    ('<div>Published by <a href="/about">Harbour Daily</a>.</div>', "Harbour Daily"),
    ('<p>Published by the ministry in March, the report said the training cost fell by half over the year '
     'and that the gap with American labs narrowed.</p>', None),  # a sentence, not a byline
    ('<p class="byline">By Jane Roe</p>', None),
])
def test_published_by(byline, expected):
    assert published_by(tree(html(byline=byline))) == expected


def test_a_page_served_at_a_mirror_is_stored_under_its_canonical_address(fake_corpus, httpserver):
    page = html('<link rel="canonical" href="/tech/wuhan-cluster">')
    httpserver.expect_request("/amp/wuhan").respond_with_data(page, content_type="text/html")
    [r] = fake_corpus.index([httpserver.url_for("/amp/wuhan") + "?utm_source=feed"], fetcher=LOOPBACK)
    assert r.status == "added"
    assert fake_corpus.article(r.article_id).url == httpserver.url_for("/tech/wuhan-cluster")


def test_published_by_names_the_publisher_not_the_author(fake_corpus, httpserver):
    page = html('<meta name="author" content="Example Wire">',
                '<p class="byline">Published by Example Wire</p>')
    httpserver.expect_request("/wire/wuhan").respond_with_data(page, content_type="text/html")
    [r] = fake_corpus.index([httpserver.url_for("/wire/wuhan")], fetcher=LOOPBACK)
    art = fake_corpus.article(r.article_id)
    assert (art.publisher, art.author) == ("Example Wire", None)


def test_a_copy_seen_later_at_an_address_gives_the_first_copy_its_address(fake_corpus, httpserver, tmp_path):
    first = tmp_path / "saved.txt"
    first.write_text(TEXT)
    [a] = fake_corpus.index([str(first)])
    assert fake_corpus.article(a.article_id).url is None
    httpserver.expect_request("/2024/05/07/wuhan").respond_with_data(TEXT, content_type="text/plain")
    [b] = fake_corpus.index([httpserver.url_for("/2024/05/07/wuhan")], fetcher=LOOPBACK)
    assert b.status == "duplicate" and b.article_id == a.article_id
    assert fake_corpus.article(a.article_id).url == httpserver.url_for("/2024/05/07/wuhan")


def test_a_first_copy_that_has_an_address_keeps_it(fake_corpus, httpserver):
    httpserver.expect_request("/original").respond_with_data(TEXT, content_type="text/plain")
    httpserver.expect_request("/reprint").respond_with_data(TEXT, content_type="text/plain")
    [a] = fake_corpus.index([httpserver.url_for("/original")], fetcher=LOOPBACK)
    [b] = fake_corpus.index([httpserver.url_for("/reprint")], fetcher=LOOPBACK)
    assert b.status == "duplicate"
    assert fake_corpus.article(a.article_id).url == httpserver.url_for("/original")


def test_a_text_page_fetched_at_a_dated_address_takes_its_date_from_the_address(fake_corpus, httpserver):
    httpserver.expect_request("/2024/05/07/wuhan").respond_with_data(TEXT, content_type="text/plain")
    [r] = fake_corpus.index([httpserver.url_for("/2024/05/07/wuhan")], fetcher=LOOPBACK)
    assert fake_corpus.article(r.article_id).date == "2024-05-07"


def test_a_text_document_keeps_what_its_capture_header_says():
    from corpus.ingest import documents_to_articles

    doc = Document("saved.txt", "text", "URL: https://example.org/2023/09/14/wuhan\n\n" + TEXT)
    [a] = documents_to_articles(doc)
    assert (a.url, a.date) == ("https://example.org/2023/09/14/wuhan", "2023-09-14")
