"""RSS/Atom feeds (feedparser): parsed, each entry's page fetched (through
corpus.fetch), turned into documents."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from corpus.documents import Document, Rejected, decode

if TYPE_CHECKING:
    from corpus.fetch import Fetcher, Getter

FEED_BUDGET = 300.0  # seconds spent fetching one feed's entry pages; later entries use the feed's own text


def check_feed(url: str, fetcher: Fetcher) -> None:
    """Rejected (with the reason) unless url answers now with an RSS or Atom feed."""
    import feedparser  # lazy: loads only when a feed is read

    parsed = feedparser.parse(decode(fetcher.get(url).content, url))
    if not (parsed.version or parsed.entries):
        raise Rejected("not an RSS or Atom feed")


def feed_documents(text: str, *, source: str, fetcher: Getter | None = None,
                   max_entries: int = 500) -> list[Document]:
    """Each feed entry's page (fetched), or the entry's own content when the page cannot be had."""
    import feedparser  # lazy: loads only when a feed is read

    feed = feedparser.parse(text)
    entries = feed.entries[:max_entries]
    if not entries:
        raise Rejected("feed has no entries" if (feed.version or feed.feed) else "not a readable feed")
    publisher = feed.feed.get("title")
    docs: list[Document] = []
    until = time.monotonic() + FEED_BUDGET
    for e in entries:
        link = e.get("link")
        fetch = bool(link and fetcher and link != source and time.monotonic() < until)
        page, why = _entry_page(link, fetcher) if fetch and fetcher is not None else (None, None)
        doc = page or _entry_content(e, source)
        if doc is None:
            # the page could not be had and the feed gave no text instead: say so, never drop it quietly
            if why:
                docs.append(Document(link, "html", "", url=link, title=e.get("title"), rejected=why))
            continue
        doc.title = doc.title or e.get("title")
        doc.date = _entry_date(e)
        doc.publisher = publisher
        docs.append(doc)
    if not docs:
        raise Rejected("feed entries have no content")
    return docs


def _entry_page(link: str, fetcher: Getter) -> tuple[Document | None, str | None]:
    """The entry's page, or None and why it could not be had."""
    try:
        r = fetcher.get(link)
        return Document(link, "html", decode(r.content, link), url=str(r.url)), None
    except Rejected as e:
        return None, str(e)


def _entry_content(entry, source: str) -> Document | None:
    """The text the feed itself carries for an entry, if any."""
    content = (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
    if not content.strip():
        return None
    link = entry.get("link")
    return Document(f"{source}#{entry.get('id') or link}", "html", f"<html><body><h1>{entry.get('title', '')}"
                    f"</h1>{content}</body></html>", url=link)


def _entry_date(entry) -> str | None:
    t = entry.get("published_parsed") or entry.get("updated_parsed")
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}" if t else None
