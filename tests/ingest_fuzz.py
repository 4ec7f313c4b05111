"""Hostile sources for ingest fuzzing: deterministic files and a local server that hangs or trickles.

Used by tests/test_ingest_fuzz.py (small sizes, in the normal suite) and its stress loop (full sizes).
"""
from __future__ import annotations

import random
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus.api import Corpus

STORY = ("Chinese labs trained another large model this quarter, and analysts said the gap with the United "
         "States in computing power remains the main obstacle for the industry.")
WORDS = ["chips", "gap", "china", "model", "lab", "power", "grid", "talent", "export", "rules", "startup",
         "funding", "wafer", "yield"]
PAGE = ("<!doctype html><html><head><title>Chip gap widens</title></head><body><article><h1>Chip gap "
        "widens</h1>"
        + "".join(f"<p>Paragraph {i}: {STORY}</p>" for i in range(8)) + "</article></body></html>")


def random_blobs(seed: int, count: int, max_size: int) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes): random bytes, random UTF-8 text and random printable soup,
    under many extensions."""
    rnd = random.Random(seed)
    exts = [".txt", ".html", ".xml", ".md", ".rss", ".htm"]
    for i in range(count):
        size = rnd.randint(0, max_size)
        kind = i % 3
        if kind == 0:
            data = rnd.randbytes(size)
        elif kind == 1:
            data = "".join(chr(rnd.choice([rnd.randint(32, 0x2FFF), rnd.randint(0x4E00, 0x9FFF)]))
                           for _ in range(size // 3)).encode("utf-8", errors="ignore")
        else:
            data = "".join(rnd.choice("<>/&;\"' \n\tabcdefghij.!?<p><div></p>") for _ in range(size)).encode()
        yield f"blob{i}{exts[i % len(exts)]}", data


def truncations(page: str, count: int) -> Iterator[tuple[str, str]]:
    """(name, text): the page cut at evenly spaced points."""
    for i in range(1, count + 1):
        yield f"cut{i}.html", page[: len(page) * i // (count + 1)]


def html_bomb(depth: int) -> str:
    """A page nested depth elements deep around one paragraph."""
    return ("<html><body>" + "<div>" * depth + f"<p>{STORY} {STORY}</p>" + "</div>" * depth
            + "</body></html>")


def long_report(paragraphs: int, seed: int = 5) -> str:
    """A page of varied prose, one article of about 540 characters a paragraph."""
    rnd = random.Random(seed)
    words = WORDS + ["analysts", "said", "the", "of", "and", "in", "a", "to", "Beijing", "engineers", "data"]

    def sentence() -> str:
        return " ".join(rnd.choice(words) for _ in range(rnd.randint(12, 24))).capitalize() + "."

    paras = "".join(f"<p>{' '.join(sentence() for _ in range(5))}</p>" for _ in range(paragraphs))
    return f"<html><head><title>A long report</title></head><body><article>{paras}</article></body></html>"


def feed(entries: int, *, link: str | None = None, content: bool = False, seed: int = 0,
         words: int = 40) -> str:
    """An RSS feed of many entries, each linking to link (with its number) and/or carrying its own text."""
    rnd = random.Random(seed)
    items = []
    for i in range(entries):
        text = " ".join(rnd.choice(WORDS) for _ in range(words))
        body = (f"<description>&lt;p&gt;Story {i}: {text}. Analysts said story {i} matters. {STORY}&lt;/p&gt;"
                f"</description>" if content else "")
        href = f"<link>{link}{'' if link.endswith('.xml') else i}</link>" if link else ""
        items.append(f"<item><title>Story {i}</title><guid>g{i}</guid>{href}{body}</item>")
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>{''.join(items)}"
            "</channel></rss>")


def billion_laughs(levels: int = 9) -> str:
    """A feed whose entity definitions would expand to 10**levels copies if a parser let them."""
    ents = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1,
                                                                                                  levels + 1))
    return (f"<?xml version='1.0'?><!DOCTYPE rss [{ents}]><rss version='2.0'><channel><title>t</title><item>"
            f"<title>&l{levels};</title><description>&l{levels};</description></item></channel></rss>")


def intact(corpus: Corpus) -> bool:
    """PRAGMA integrity_check, the full-text index's own check, and every sentence's article present."""
    db = corpus.store.db
    if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
        return False
    db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")  # raises if corrupt
    orphans = db.execute("SELECT count(*) FROM sentences WHERE article_id NOT IN (SELECT id FROM articles)")
    return orphans.fetchone()[0] == 0


@dataclass
class SlowServer:
    """A local HTTP server whose /hang never answers and whose /trickle sends a byte every `gap` seconds."""

    server: socketserver.ThreadingTCPServer
    stop: threading.Event

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def slow_server(gap: float = 0.05) -> SlowServer:
    """Start a SlowServer in a background thread."""
    stop = threading.Event()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            request = self.request.recv(65536).decode("latin-1")
            if request.startswith("GET /trickle"):
                self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                                     b"1000000\r\n\r\n")
                while not stop.is_set():
                    try:
                        self.request.sendall(b"<")
                    except OSError:
                        return
                    time.sleep(gap)
            stop.wait(30)  # /hang: say nothing until the test ends

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return SlowServer(server, stop)


def write_all(folder: Path, files: Iterator[tuple[str, bytes | str]]) -> list[str]:
    """Write (name, content) pairs into folder; their paths."""
    paths = []
    for name, content in files:
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        paths.append(str(path))
    return paths
