"""RSS/Atom feeds (feedparser) and web pages (httpx): fetched with limits, turned into documents."""
from __future__ import annotations

import re
import time

import httpx

from corpus.sources import MAX_BYTES, Document, Rejected, decode, from_text

USER_AGENT = "gapbot/0.1 (+https://github.com/; article indexer)"
FEED_BUDGET = 300.0  # seconds spent fetching one feed's entry pages; later entries use the feed's own text


class Fetcher:
    """GET with a timeout, a redirect limit, a size cap and a deadline. Tests point it at a local server."""

    def __init__(self, *, timeout: float = 10.0, max_redirects: int = 5, deadline: float = 60.0):
        self.client = httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=max_redirects,
                                   headers={"User-Agent": USER_AGENT})
        self.deadline = deadline  # the timeout bounds each read; a server trickling bytes needs this too

    def get(self, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
        """Fetch url; raise Rejected with a one-line reason on any failure."""
        start = time.monotonic()
        try:
            with self.client.stream("GET", url, headers=headers or {}) as r:
                if r.status_code == 304:
                    return r
                if r.status_code >= 400:
                    raise Rejected(f"HTTP {r.status_code} from {url}")
                body = bytearray()
                for chunk in r.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_BYTES:
                        raise Rejected("over 5 MB")
                    if time.monotonic() - start > self.deadline:
                        raise Rejected(f"took over {self.deadline:g} s fetching {url}")
                r._content = bytes(body)
                return r
        except httpx.TimeoutException:
            raise Rejected(f"timed out fetching {url}") from None
        except httpx.TooManyRedirects:
            raise Rejected(f"too many redirects from {url}") from None
        except httpx.HTTPError as e:
            raise Rejected(f"could not fetch {url}: {type(e).__name__}") from None


def fetch_documents(url: str, fetcher: Fetcher) -> list[Document]:
    """A URL into documents: a feed gives its entries, a page gives itself."""
    r = fetcher.get(url)
    ctype = r.headers.get("content-type", "").lower()
    text = decode(r.content, url)
    hint = ".xml" if re.search(r"(rss|atom|xml)", ctype) and "html" not in ctype else ""
    hint = ".html" if "html" in ctype else hint
    return from_text(text, source=url, hint=hint, url=str(r.url), fetcher=fetcher)


def feed_documents(text: str, *, source: str, fetcher: Fetcher | None = None,
                   max_entries: int = 500) -> list[Document]:
    """Each feed entry's page (fetched), or the entry's own content when the page cannot be had."""
    import feedparser

    feed = feedparser.parse(text)
    entries = feed.entries[:max_entries]
    if not entries:
        raise Rejected("feed has no entries" if (feed.version or feed.feed) else "not a readable feed")
    publisher = feed.feed.get("title")
    docs = []
    until = time.monotonic() + FEED_BUDGET
    for e in entries:
        link = e.get("link")
        in_budget = time.monotonic() < until
        doc = _entry_page(link, fetcher) if link and fetcher and link != source and in_budget else None
        if doc is None:
            content = (e.get("content") or [{}])[0].get("value") or e.get("summary") or ""
            if not content.strip():
                continue
            doc = Document(f"{source}#{e.get('id') or link}", "html", f"<html><body><h1>{e.get('title', '')}"
                           f"</h1>{content}</body></html>", url=link)
        doc.title = doc.title or e.get("title")
        doc.date = _entry_date(e)
        doc.publisher = publisher
        docs.append(doc)
    if not docs:
        raise Rejected("feed entries have no content")
    return docs


def _entry_page(link: str, fetcher: Fetcher) -> Document | None:
    try:
        r = fetcher.get(link)
        return Document(link, "html", decode(r.content, link), url=str(r.url))
    except Rejected:
        return None


def _entry_date(entry) -> str | None:
    t = entry.get("published_parsed") or entry.get("updated_parsed")
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}" if t else None
