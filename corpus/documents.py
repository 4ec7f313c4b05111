"""Raw documents and why a source is refused: the plain things every
reader, fetcher and feed parser shares."""
from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024
WESTERN = {"cp1252", "latin_1", "iso8859_15"}


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
    from charset_normalizer import from_bytes  # lazy: only for text that is not UTF-8

    matches = list(from_bytes(data))
    if not matches:
        raise Rejected("binary file or unknown text encoding")
    # equally plausible readings are ordered by name (cp1250 before cp1252): prefer Western European, the
    # commonest legacy encoding of news text, so a short Latin-1 article keeps its "ã" instead of getting "ă"
    ties = [m for m in matches if (m.chaos, m.coherence) == (matches[0].chaos, matches[0].coherence)]
    western = [m for m in ties if WESTERN & set(m.could_be_from_charset)]
    return str((western or matches)[0])


def utf16_without_bom(data: bytes) -> str | None:
    """The text, if data is UTF-16 without a byte-order mark: NUL bytes (the high half of
    ASCII-range characters) all on one side of each byte pair, strict decoding and printable text.
    None for anything else (binary)."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if len(data) % 2 or (even and odd):
        return None
    try:
        text = data.decode("utf-16-le" if odd else "utf-16-be")
    except UnicodeDecodeError:
        return None
    printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
    return text if printable >= 0.98 * len(text) else None
