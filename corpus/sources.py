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
WESTERN = {"cp1252", "latin_1", "iso8859_15"}
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
        text = utf16_without_bom(data)
        if text is None:
            raise Rejected("binary file, not text")
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise Rejected("binary file or unknown text encoding")
    # equally plausible readings are ordered by name (cp1250 before cp1252): prefer Western European, the commonest
    # legacy encoding of news text, so a short Latin-1 article keeps its "ã" instead of getting "ă"
    ties = [m for m in matches if (m.chaos, m.coherence) == (matches[0].chaos, matches[0].coherence)]
    western = [m for m in ties if WESTERN & set(m.could_be_from_charset)]
    return str((western or matches)[0])


def utf16_without_bom(data: bytes) -> str | None:
    """The text, if data is UTF-16 without a byte-order mark: NUL bytes (the high half of ASCII-range characters)
    all on one side of each byte pair, strict decoding and printable text. None for anything else (binary)."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if len(data) % 2 or (even and odd):
        return None
    try:
        text = data.decode("utf-16-le" if odd else "utf-16-be")
    except UnicodeDecodeError:
        return None
    printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
    return text if printable >= 0.98 * len(text) else None


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
