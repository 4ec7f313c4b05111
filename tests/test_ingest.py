"""Ingest: dedupe, bad sources rejected with a reason while the batch lands, HTTP pages and feeds."""
from __future__ import annotations

import pytest

from corpus.bundled import seed_paths
from corpus.fetch import Fetcher, Reach


@pytest.fixture()
def fake_corpus(engine_corpus):
    """The empty hash-embedder corpus, on SQLite and on Postgres:
    indexing, duplicates and rejections are engine-neutral."""
    return engine_corpus

LOOPBACK = Reach(private=True)  # the opt-in these tests need: their pages are served from 127.0.0.1

STORY = "\n\n".join(
    f"Paragraph {i}: Chinese labs trained another large model this quarter, and analysts said the gap with "
    f"the United States in computing power remains the main obstacle for the industry." for i in range(6))
PAGE = f"<html><head><title>Chip gap widens</title></head><body><article><h1>Chip gap widens</h1>" \
       f"{''.join(f'<p>{p}</p>' for p in STORY.split(chr(10) * 2))}</article></body></html>"


def test_indexing_the_seeds_twice_adds_nothing(fake_corpus):
    first = fake_corpus.index([str(p) for p in seed_paths()])
    second = fake_corpus.index([str(p) for p in seed_paths()])
    assert [r.status for r in first].count("added") == 6
    assert {r.status for r in second} == {"duplicate"}
    assert fake_corpus.count() == 6


def test_bad_sources_are_rejected_and_the_rest_lands(fake_corpus, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("A Headline About The Chip Gap\n\n" + STORY)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "huge.txt").write_text("x" * (5 * 1024 * 1024 + 10))
    latin = tmp_path / "latin.txt"
    latin.write_bytes(("Café Headline About The Gap\n\n" + STORY.replace("analysts",
                                                                         "analysts café")).encode("latin-1"))
    results = {r.source.split("/")[-1]: r for r in fake_corpus.index(
        [str(tmp_path / n) for n in ("empty.txt", "binary.txt", "huge.txt", "missing.txt",
                                     "latin.txt", "good.txt")])}
    assert results["empty.txt"].status == "rejected" and "empty" in results["empty.txt"].reason
    assert results["binary.txt"].status == "rejected" and "binary" in results["binary.txt"].reason
    assert results["huge.txt"].status == "rejected" and "5 MB" in results["huge.txt"].reason
    assert results["missing.txt"].status == "rejected"
    assert results["latin.txt"].status == "added"
    assert results["good.txt"].status == "duplicate" or results["good.txt"].status == "added"
    assert "café" in fake_corpus.article(results["latin.txt"].article_id).body


def test_url_404_and_feed_without_entries_are_rejected(fake_corpus, httpserver):
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    httpserver.expect_request("/empty.xml").respond_with_data(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>",
        content_type="application/rss+xml")
    r404, rfeed = fake_corpus.index([httpserver.url_for("/gone"), httpserver.url_for("/empty.xml")],
                                      fetcher=Fetcher(reach=LOOPBACK))
    assert r404.status == "rejected" and "404" in r404.reason
    assert rfeed.status == "rejected" and "no entries" in rfeed.reason


def test_article_page_and_feed_over_http(fake_corpus, httpserver):
    httpserver.expect_request("/story").respond_with_data(PAGE, content_type="text/html")
    feed = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title><item><title>Chip gap "
            f"widens</title><link>{httpserver.url_for('/story')}?utm_source=x</link><pubDate>Tue, 05 Mar "
            f"2024 08:00:00 GMT</pubDate></item></channel></rss>")
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    fetcher = Fetcher(reach=LOOPBACK)
    [page] = fake_corpus.index([httpserver.url_for("/story")], fetcher=fetcher)
    assert page.status == "added" and page.title == "Chip gap widens"
    [again] = fake_corpus.index([httpserver.url_for("/feed.xml")], fetcher=fetcher)
    assert again.status == "duplicate"  # same canonical URL and text, whatever the tracking parameters
    assert "computing power" in fake_corpus.article(page.article_id).body


def test_republished_copy_is_a_near_duplicate(fake_corpus, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Original Headline On The Chip Gap\n\n" + STORY)
    b.write_text("Syndicated Headline On The Chip Gap\n\n" + STORY.replace("Paragraph 5", "Section 5"))
    ra, rb = fake_corpus.index([str(a), str(b)])
    assert ra.status == "added" and rb.status == "duplicate" and rb.article_id == ra.article_id


def test_a_url_that_hangs_times_out_and_the_batch_goes_on(fake_corpus, httpserver, tmp_path):
    import time

    httpserver.expect_request("/slow").respond_with_handler(lambda req: time.sleep(2) or "late")
    good = tmp_path / "good.txt"
    good.write_text("A Headline About The Chip Gap\n\n" + STORY)
    slow, ok = fake_corpus.index([httpserver.url_for("/slow"), str(good)],
                                 fetcher=Fetcher(reach=LOOPBACK, timeout=0.3))
    assert slow.status == "rejected" and "timed out" in slow.reason
    assert ok.status == "added"


def test_cli_index_reports_each_source_as_json_lines(tmp_path):
    import json
    import subprocess
    import sys

    good, bad = tmp_path / "good.txt", tmp_path / "empty.txt"
    good.write_text("A Headline About The Chip Gap\n\n" + STORY)
    bad.write_text("")
    p = subprocess.run([sys.executable, "-m", "bot", "--db", str(tmp_path / "c.db"), "--no-seed", "index",
                        str(good), str(bad), "--json"], capture_output=True, text=True, timeout=300,
                       env={**__import__("os").environ, "GAPBOT_EMBEDDER": "hash"})
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert p.returncode == 1
    assert [x["status"] for x in lines] == ["added", "rejected"]
    assert set(lines[0]) == {"source", "status", "article_id", "title", "reason"}


def test_progress_counts_articles_not_sources(fake_corpus, httpserver, tmp_path):
    items = ""
    for n in range(3):
        body = STORY.replace("Paragraph", f"Story {n}, part")
        page = f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>" \
               f"{''.join(f'<p>{p}</p>' for p in body.split(chr(10) * 2))}</article></body></html>"
        httpserver.expect_request(f"/s{n}").respond_with_data(page, content_type="text/html")
        items += f"<item><title>Story {n}</title><link>{httpserver.url_for(f'/s{n}')}</link></item>"
    feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>{items}</channel></rss>"
    httpserver.expect_request("/feed.xml").respond_with_data(feed, content_type="application/rss+xml")
    local = tmp_path / "local.txt"
    local.write_text("A Local Story On The Chip Gap\n\n" + STORY)
    seen: list[tuple[int, int]] = []
    results = fake_corpus.index([str(local), httpserver.url_for("/feed.xml")],
                                fetcher=Fetcher(reach=LOOPBACK), progress=lambda done, total,
                                label: seen.append((done, total)))
    assert [r.status for r in results] == ["added"] * 4
    assert seen[-1] == (3, 4)  # the last of four articles, once the feed's three entries were known
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
