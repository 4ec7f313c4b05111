"""Reading sources: files, folders, http(s) URLs and RSS/Atom feeds, each into raw documents."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MAX_BYTES = 5 * 1024 * 1024
TEXT_EXT = {".txt", ".text", ".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
FEED_EXT = {".xml", ".rss", ".atom"}
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid|cmpid|smid|ocid|mkt_tok)$", re.I)


class Rejected(Exception):
    """A source that cannot be indexed; the message is the one-line reason."""


@dataclass
class Document:
    """Raw material for the cleaner: text or HTML, with what the source already tells about it."""

    source: str
    kind: str  # text | html
    content: str
    url: str | None = None
    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    rejected: str | None = None  # why this item could not be had (a feed entry whose page failed)


def canonical_url(url: str | None) -> str | None:
    """The URL without tracking parameters, fragment, default port or trailing slash; host lower-cased."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k)))
    return urlunsplit(("https", host, parts.path.rstrip("/") or "/", query, ""))


def decode(data: bytes, name: str) -> str:
    """Bytes to text: UTF-8, else the encoding charset-normalizer detects; binary and empty are rejected."""
    if not data.strip():
        raise Rejected("empty file")
    if len(data) > MAX_BYTES:
        raise Rejected(f"over 5 MB ({len(data) // (1024 * 1024)} MB)")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Rejected("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise Rejected("binary file or unknown text encoding")
    return str(best)


def expand(source: str) -> list[str]:
    """A folder becomes the indexable files inside it (recursively); anything else stays as it is."""
    if re.match(r"^https?://", source, re.I):
        return [source]
    p = Path(source)
    if p.is_dir():
        exts = TEXT_EXT | HTML_EXT | FEED_EXT
        return sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in exts
                      and not any(part.startswith(".") for part in f.relative_to(p).parts))
    return [source]


def read_file(path: str) -> list[Document]:
    """One file into documents (a feed file gives one per entry)."""
    p = Path(path)
    if not p.exists():
        raise Rejected("no such file")
    if not p.is_file() or not os.access(p, os.R_OK):
        raise Rejected("not a readable file")
    if p.stat().st_size > MAX_BYTES:
        raise Rejected(f"over 5 MB ({p.stat().st_size // (1024 * 1024)} MB)")
    text = decode(p.read_bytes(), path)
    return from_text(text, source=path, hint=p.suffix.lower())


def from_text(text: str, *, source: str, hint: str = "", url: str | None = None, fetcher=None) -> list[Document]:
    """Sniff what a text is (feed, HTML, plain) and make documents of it."""
    head = text.lstrip()[:1000].lower()
    if hint in FEED_EXT or re.search(r"<(rss|feed|rdf:rdf)[\s>]", head):
        from corpus.feeds import feed_documents

        return feed_documents(text, source=source, fetcher=fetcher)
    if hint in HTML_EXT or head.startswith(("<!doctype html", "<html")) or re.search(r"<(body|article|p)[\s>]", head):
        return [Document(source, "html", text, url=url)]
    return [Document(source, "text", text, url=url)]


def html_article(doc: Document):
    """Main text and metadata of an HTML page, by trafilatura; None when it finds no article text."""
    import trafilatura

    res = trafilatura.bare_extraction(doc.content, url=doc.url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    if res is None:
        return None
    get = res.get if isinstance(res, dict) else lambda k, d=None: getattr(res, k, d)
    text = (get("text") or "").strip()
    if not text:
        return None
    return {"text": text, "title": get("title"), "date": get("date"), "publisher": get("sitename"),
            "author": get("author"), "url": get("url") or doc.url}
