"""Reading sources: files, folders, http(s) URLs and RSS/Atom feeds, each into raw documents."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from corpus.documents import MAX_BYTES, Document, Rejected, decode
from corpus.feeds import feed_documents

if TYPE_CHECKING:
    from corpus.fetch import Getter

__all__ = ["MAX_BYTES", "Document", "Refused", "Rejected", "canonical_url", "decode", "expand",
           "fetch_documents",
           "from_text", "html_article", "read_file"]

TEXT_EXT = {".txt", ".text", ".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
FEED_EXT = {".xml", ".rss", ".atom"}
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|igshid|cmpid|smid|ocid|mkt_tok)$",
                      re.I)


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


@dataclass
class Refused:
    """A file found in a folder that is not read, and why (a link out of the folder)."""

    path: str
    reason: str


def expand(source: str) -> list[str | Refused]:
    """A folder becomes the indexable files inside it (recursively); a link inside it that leads out of it is
    refused, not followed; anything else stays as it is."""
    if re.match(r"^https?://", source, re.I):
        return [source]
    p = Path(source)
    if not p.is_dir():
        return [source]
    root, exts = p.resolve(), TEXT_EXT | HTML_EXT | FEED_EXT
    out: list[str | Refused] = []
    for f in sorted(p.rglob("*")):
        if any(part.startswith(".") for part in f.relative_to(p).parts):
            continue
        wanted = f.suffix.lower() in exts
        if f.is_symlink() and (wanted or f.is_dir()) and not f.resolve().is_relative_to(root):
            out.append(Refused(str(f), f"a link to {f.resolve()}, outside {source}: not followed"))
        elif f.is_file() and wanted:
            out.append(str(f))
    return out


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


def from_text(text: str, *, source: str, hint: str = "", url: str | None = None,
              fetcher: Getter | None = None) -> list[Document]:
    """Sniff what a text is (feed, HTML, plain) and make documents of it."""
    head = text.lstrip()[:1000].lower()
    if hint in FEED_EXT or re.search(r"<(rss|feed|rdf:rdf)[\s>]", head):
        return feed_documents(text, source=source, fetcher=fetcher)
    if hint in HTML_EXT or head.startswith(("<!doctype html",
                                            "<html")) or re.search(r"<(body|article|p)[\s>]", head):
        return [Document(source, "html", text, url=url)]
    return [Document(source, "text", text, url=url)]


def fetch_documents(url: str, fetcher: Getter) -> list[Document]:
    """A URL into documents: a feed gives its entries, a page gives itself."""
    r = fetcher.get(url)
    ctype = r.headers.get("content-type", "").lower()
    text = decode(r.content, url)
    hint = ".xml" if re.search(r"(rss|atom|xml)", ctype) and "html" not in ctype else ""
    hint = ".html" if "html" in ctype else hint
    return from_text(text, source=url, hint=hint, url=str(r.url), fetcher=fetcher)


def html_article(doc: Document):
    """Main text and metadata of an HTML page, by trafilatura; None when it finds no article text."""
    import trafilatura  # lazy: heavy (lxml, courlan, htmldate), only for HTML pages

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
