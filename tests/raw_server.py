"""A TCP listener on 127.0.0.1 for hostile-server tests: counts connections, scripts what each one is sent."""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable


class RawServer:
    """Accepts connections and hands each to `talk(conn, done)` in its own thread; close() ends them all."""

    def __init__(self, talk: Callable[[socket.socket, threading.Event], None]):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port, self.hits, self.talk = self.sock.getsockname()[1], 0, talk
        self.done = threading.Event()
        self.connected = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            self.connected.set()
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.talk(conn, self.done)
            except OSError:
                pass

    def close(self) -> None:
        self.done.set()
        self.sock.close()


def trickle_headers(conn: socket.socket, done: threading.Event) -> None:
    """Headers one byte every 0.2 s until the server closes: each read is quick, the whole never ends."""
    conn.recv(65536)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nX-Slow: " + b"a" * 100_000:
        if done.wait(0.2):
            return
        conn.sendall(bytes([byte]))
