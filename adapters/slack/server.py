"""HTTP mode: POST /slack/events into the Bolt app, GET /healthz for the platform's health check, and with
OAuth GET /slack/install and /slack/oauth_redirect (Bolt's install flow).

Served by waitress (a production WSGI server) through Bolt's WSGI adapter. waitress reads every request on one
event loop and hands only complete requests to its few worker threads, so idle or slow connections hold no
thread; on top of that this module caps connections, the body size and the time a request may take to arrive.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from adapters.slack.app import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH

log = logging.getLogger(__name__)
Health = Callable[[], dict[str, Any]]
Ready = Callable[[], bool]
WSGI = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_DIGITS = re.compile(r"\d{1,15}")


@dataclass(frozen=True)
class Limits:
    """What one client may take of the server before it is authenticated."""

    # Slack's payloads are a few KB; a large message event with blocks stays far below
    max_body: int = 512 * 1024
    connections: int = 500  # open sockets at once; at the cap those idle longest are closed to admit new ones
    # from a request's first byte to its last, and the longest a socket may idle
    request_seconds: float = 10.0
    threads: int = 8  # workers for complete requests (Bolt acks at once; answers run in Bolt's own pool)


class _TimedChannel(HTTPChannel):
    """A connection timed from the first byte of the request it is receiving, not from its latest byte, so a
    client trickling a request a byte at a time is closed like an idle one."""

    last_activity: float  # waitress sets it; it has no type hints, so mypy is told here

    def handle_read(self) -> None:
        """Read as usual, but keep the start time of a request that is still arriving."""
        started = self.last_activity if self.request is not None else None
        super().handle_read()
        if started is not None and self.request is not None:
            self.last_activity = started


class _BoltHandler(SlackRequestHandler):
    """Bolt's WSGI adapter, answering 400 (never a traceback) to a request Bolt cannot even read."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        """Check the headers Bolt parses, then hand the request to the app."""
        timestamp = request.environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        if timestamp is not None and not _DIGITS.fullmatch(timestamp.strip()):
            return _error(400, "malformed X-Slack-Request-Timestamp")
        try:
            body = request.get_body()
        except (UnicodeDecodeError, ValueError):
            return _error(400, "malformed body or Content-Length")
        return self.app.dispatch(BoltRequest(body=body, query=request.query_string,
                                             headers=request.get_headers()))


class _Server(TcpWSGIServer):
    """waitress's TCP server that, at the connection cap, closes the connections waiting longest for a request
    instead of refusing newcomers: a flood of idle sockets then cannot keep Slack (or the health check)
    out."""

    channel_class = _TimedChannel

    def readable(self) -> bool:
        """Make room at the cap, then as waitress."""
        if self.accepting and len(self._map) >= self.adj.connection_limit:  # as waitress counts
            waiting = [c for c in self.active_channels.values() if not c.requests and not c.will_close]
            for channel in sorted(waiting, key=lambda c: c.last_activity)[:max(1, len(waiting) // 10)]:
                channel.will_close = True
        return bool(super().readable())


def _error(status: int, message: str) -> BoltResponse:
    return BoltResponse(status=status, body=json.dumps({"error": message}),
                        headers={"content-type": "application/json"})


def wsgi_app(app: App | None, health: Health, ready: Ready | None = None) -> WSGI:
    """The WSGI application: /healthz here, /slack/events to Bolt (404 when there is no app: Socket Mode), and
    the install pages to Bolt when the app installs with OAuth (503 until ready(): their tables come with the
    corpus)."""
    bolt = _BoltHandler(app, path=EVENTS_PATH) if app is not None else None
    installs = bolt is not None and bolt.app.oauth_flow is not None

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method == "GET":
            status, body = _health(health)
        elif path == EVENTS_PATH and method == "POST" and bolt is not None:
            return bolt(environ, start_response)
        elif path in (INSTALL_PATH, REDIRECT_PATH) and method == "GET" and installs and bolt is not None:
            if ready is None or ready():
                return bolt(environ, start_response)
            status, body = 503, {"error": "starting; try again in a minute"}
        else:
            status, body = 404, {"error": "not found"}
        data = json.dumps(body).encode()
        start_response(f"{status} {'OK' if status == 200 else 'Error'}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    return application


def _health(health: Health) -> tuple[int, dict[str, Any]]:
    try:
        return 200, {"ok": True, **health()}
    except Exception as e:  # noqa: BLE001 (any failure means unhealthy, which is the answer)
        log.warning("health check failed: %s", e)
        return 503, {"ok": False, "error": type(e).__name__}


class SlackServer:
    """waitress serving the app on host:port; serve_forever() until shutdown() from another thread."""

    def __init__(self, address: tuple[str, int], app: App | None, health: Health, limits: Limits,
                 ready: Ready | None = None):
        self.map: dict[int, Any] = {}
        self.limits = limits
        self.server = _Server(
            wsgi_app(app, health, ready), map=self.map, host=address[0], port=address[1], ident="gapbot",
            threads=limits.threads, connection_limit=limits.connections,
            channel_timeout=limits.request_seconds,
            cleanup_interval=max(0.2, limits.request_seconds / 5), max_request_body_size=limits.max_body,
            max_request_header_size=64 * 1024, inbuf_overflow=64 * 1024, backlog=1024, asyncore_use_poll=True,
            clear_untrusted_proxy_headers=True, expose_tracebacks=False)
        self._stop = threading.Event()
        self._stopped = threading.Event()

    @property
    def server_port(self) -> int:
        """The port bound (useful when asked for port 0)."""
        return int(self.server.effective_port)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Run the event loop until shutdown()."""
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=poll_interval, map=self.map, use_poll=True, count=1)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop serve_forever() (from another thread) and wait for it."""
        self._stop.set()
        self.server.pull_trigger()  # wakes the loop's select at once
        self._stopped.wait(5)

    def server_close(self) -> None:
        """Close the listening socket, every connection and the worker threads."""
        self.server.task_dispatcher.shutdown(timeout=2)
        wasyncore.close_all(self.map)


def make_server(app: App | None, *, port: int, host: str = "127.0.0.1", health: Health | None = None,
                limits: Limits | None = None, ready: Ready | None = None) -> SlackServer:
    """A server bound to host:port (0 picks a free port); call serve_forever() to run it. ready says whether
    the install pages may be served yet (default: at once)."""
    return SlackServer((host, port), app, health or dict, limits or Limits(), ready)
