"""HTTP mode: POST /slack/events into the Bolt app, GET /healthz for the platform's health check."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest, BoltResponse

from adapters.slack.app import EVENTS_PATH

log = logging.getLogger(__name__)
MAX_BODY = 1 << 20  # Slack's payloads are a few KB; anything near this is not from Slack
Health = Callable[[], dict[str, Any]]


class SlackServer(ThreadingHTTPServer):
    """A threaded HTTP server holding the app (None: health checks only) and the health probe."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # socketserver's default backlog of 5 resets connections in a burst of commands

    def __init__(self, address: tuple[str, int], app: App | None, health: Health):
        self.app, self.health = app, health
        super().__init__(address, SlackRequestHandler)


class SlackRequestHandler(BaseHTTPRequestHandler):
    """Turns one HTTP request into a BoltRequest and the BoltResponse back into HTTP."""

    server: SlackServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """GET /healthz: 200 with a small JSON status while the process can answer."""
        if urlsplit(self.path).path != "/healthz":
            return self._send(404, b'{"error": "not found"}')
        try:
            status = {"ok": True, **self.server.health()}
        except Exception as e:  # noqa: BLE001 (any failure means unhealthy, which is the answer)
            log.warning("health check failed: %s", e)
            return self._send(503, json.dumps({"ok": False, "error": type(e).__name__}).encode())
        self._send(200, json.dumps(status).encode())

    def do_POST(self) -> None:
        """POST /slack/events: commands, events and interactivity, signature checked by Bolt."""
        url = urlsplit(self.path)
        if url.path != EVENTS_PATH or self.server.app is None:
            return self._send(404, b'{"error": "not found"}')
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            return self._send(413, b'{"error": "too large"}')
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {k.lower(): self.headers.get_all(k) or [] for k in self.headers}
        self._send_bolt(self.server.app.dispatch(BoltRequest(body=body, query=url.query, headers=headers)))

    def _send_bolt(self, resp: BoltResponse) -> None:
        extra = {k: v for k, vs in resp.headers.items() for v in vs if k.lower() != "content-length"}
        self._send(resp.status, (resp.body or "").encode(), extra)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {"content-type": "application/json"}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Access log at debug level (the default writes every request to stderr)."""
        log.debug("%s " + format, self.address_string(), *args)


def make_server(app: App | None, *, port: int, host: str = "0.0.0.0",
                health: Health | None = None) -> SlackServer:
    """A server bound to host:port (0 picks a free port); call serve_forever() to run it."""
    return SlackServer((host, port), app, health or (dict))
