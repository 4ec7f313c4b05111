"""Ingest fuzzing: hostile files, feeds and servers are each rejected or handled with a reason, in bounded
time and memory, and the database stays intact. The full-size loop runs under `make stress`."""
from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from ingest_fuzz import (
    PAGE,
    billion_laughs,
    feed,
    html_bomb,
    intact,
    long_report,
    random_blobs,
    slow_server,
    truncations,
    write_all,
)
from werkzeug import Response

from corpus import feeds
from corpus.api import Corpus
from corpus.fetch import Fetcher, Reach
from corpus.models import IngestResult

STATUSES = {"added", "duplicate", "rejected"}
LOOPBACK = Reach(private=True)  # the opt-in these tests need: every server here is on 127.0.0.1


def index_each(corpus: Corpus, sources: list[str], *, fetcher: Fetcher | None = None,
               limit: float = 20.0) -> list[IngestResult]:
    """Index sources one by one, checking each gets results with reasons within `limit` seconds."""
    out = []
    for source in sources:
        start = time.monotonic()
        results = corpus.index([source], fetcher=fetcher or Fetcher(reach=LOOPBACK))
        took = time.monotonic() - start
        assert results and took < limit, (source, took)
        for r in results:
            assert r.status in STATUSES and (r.status == "added" or r.reason), r
            assert not (r.reason or "").startswith("could not be indexed"), r  # an exception got that far
        out += results
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_random_bytes_truncated_html_and_an_html_bomb(fake_corpus: Corpus, tmp_path: Path) -> None:
    files = [*random_blobs(7, 24, 60_000), *truncations(PAGE, 12), ("bomb.html", html_bomb(100_000)),
             ("shallow-bomb.html", html_bomb(250))]
    results = index_each(fake_corpus, write_all(tmp_path, iter(files)))
    by_name = {Path(r.source).name: r for r in results}
    assert by_name["bomb.html"].status == "rejected" and by_name["bomb.html"].reason
    assert by_name["cut12.html"].status == "added"  # most of the page is still an article
    assert peak_mb() < 2000 and intact(fake_corpus)


def test_oversized_files_are_refused_before_reading(fake_corpus: Corpus, tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # 50 MB (sparse: nothing is written, nothing should be read)
    start = time.monotonic()
    [r] = fake_corpus.index([str(big)])
    assert r.status == "rejected" and "over 5 MB" in r.reason and time.monotonic() - start < 1
    long_page = tmp_path / "long.html"
    long_page.write_text(long_report(1200))
    start = time.monotonic()
    [r] = fake_corpus.index([str(long_page)])
    assert time.monotonic() - start < 20
    assert r.status == "rejected" and "too long for one article" in r.reason and intact(fake_corpus)


class CountingFetcher(Fetcher):
    """A Fetcher that counts the URLs it was asked for."""

    def __init__(self, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.urls: list[str] = []

    def get(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        self.urls.append(url)
        return super().get(url, headers)


def test_feed_with_ten_thousand_entries_fetches_at_most_five_hundred(fake_corpus: Corpus, httpserver) -> None:
    # the entries link to a closed port, so each fetch fails at once and only the count matters
    httpserver.expect_request("/big.xml").respond_with_data(feed(10_000, link="http://127.0.0.1:9/story/"),
                                                            content_type="application/rss+xml")
    httpserver.expect_request("/laughs.xml").respond_with_data(billion_laughs(),
                                                               content_type="application/rss+xml")
    fetcher = CountingFetcher(reach=LOOPBACK, timeout=1.0)
    results = index_each(fake_corpus, [httpserver.url_for("/big.xml"), httpserver.url_for("/laughs.xml")],
                         fetcher=fetcher)
    assert len([u for u in fetcher.urls if "/story/" in u]) == 500  # the cap, not 10,000 fetches
    reasons = [r.reason or "" for r in results]
    assert len(reasons) == 501
    assert all("could not fetch http://127.0.0.1:9/story/" in r for r in reasons[:500])
    assert reasons[500] == "too little article text"  # each dead entry counted as rejected, none dropped
    assert intact(fake_corpus)


def test_feeds_pointing_at_themselves_are_not_followed_round(fake_corpus: Corpus, httpserver) -> None:
    url, other = httpserver.url_for("/self.xml"), httpserver.url_for("/other.xml")
    httpserver.expect_request("/self.xml").respond_with_data(feed(3, link=url, content=True),
                                                             content_type="application/rss+xml")
    httpserver.expect_request("/other.xml").respond_with_data(feed(3,
                                                                   link=other + "?page=", content=True,
                                                                   seed=1),
                                                              content_type="application/rss+xml")
    results = index_each(fake_corpus, [url, other])
    assert [r.status for r in results[:3]] == ["added", "duplicate", "duplicate"]  # one URL, one article
    assert len(httpserver.log) == 1 + 1 + 3  # each entry page read once as a page, never as a feed again


def test_redirect_loops_hangs_trickles_and_huge_bodies(fake_corpus: Corpus, httpserver) -> None:
    httpserver.expect_request("/loop").respond_with_response(Response(status=302,
                                                                      headers={"Location": "/loop"}))
    chunk = b"<p>" + b"x" * (1 << 20)
    httpserver.expect_request("/huge").respond_with_handler(
        lambda request: Response((chunk for _ in range(50)), content_type="text/html"))  # 50 MB, streamed
    slow = slow_server()
    try:
        fetcher = Fetcher(reach=LOOPBACK, timeout=0.5, deadline=1.5)
        results = index_each(fake_corpus, [httpserver.url_for("/loop"), httpserver.url_for("/huge"),
                                           f"{slow.url}/hang", f"{slow.url}/trickle"],
                                           fetcher=fetcher, limit=4)
    finally:
        slow.close()
    reasons = [r.reason or "" for r in results]
    assert "too many redirects" in reasons[0] and "over 5 MB" in reasons[1]
    assert "timed out" in reasons[2] and "took over 1.5 s" in reasons[3]
    assert intact(fake_corpus)


def test_a_feed_of_hanging_links_is_bounded_by_its_budget(fake_corpus: Corpus, httpserver,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    slow = slow_server()
    monkeypatch.setattr(feeds, "FEED_BUDGET", 1.0)
    httpserver.expect_request("/wire.xml").respond_with_data(
        feed(50, link=f"{slow.url}/hang?n=", content=True), content_type="application/rss+xml")
    try:
        start = time.monotonic()
        results = fake_corpus.index([httpserver.url_for("/wire.xml")],
                                    fetcher=Fetcher(reach=LOOPBACK, timeout=0.4))
    finally:
        slow.close()
    assert time.monotonic() - start < 15  # not 50 x the timeout: after the budget, entries use their own text
    assert [r.status for r in results].count("added") == 50 and intact(fake_corpus)


@pytest.mark.stress
def test_stress_full_size_ingest_fuzz(fake_corpus: Corpus, tmp_path: Path, httpserver) -> None:
    files = [*random_blobs(11, 300, 2_000_000), *truncations(PAGE, 200), ("bomb.html", html_bomb(1_000_000)),
             ("laughs.xml", billion_laughs()), ("big.xml", feed(10_000, content=True, seed=3, words=12)),
             ("lines.txt",
              "\n".join(f"Line {i} says the gap is {i} years." for i in range(120_000))[:5_000_000])]
    start = time.monotonic()
    results = index_each(fake_corpus, write_all(tmp_path, iter(files)), limit=300)
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    print(f"\ningest fuzz: {len(files)} sources, {len(results)} results {counts}, "
          f"{time.monotonic() - start:.0f} s, peak RSS {peak_mb():.0f} MB")
    assert counts["added"] >= 500 and peak_mb() < 2000 and intact(fake_corpus)
