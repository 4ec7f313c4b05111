"""A local stand-in for Discord's REST API, for fault tests: real discord.py HTTP calls against 127.0.0.1.

It answers login, typing, channel messages (enforcing nonces as Discord does), interaction callbacks and
follow-ups, records what was posted, and can answer the next calls of a kind with a 429, a 500, a dropped
connection, or an answer that comes too late.
"""
from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

APP_ID = "1300000000000000001"
BOT_USER = {"id": APP_ID, "username": "gapbot", "discriminator": "0", "avatar": None, "bot": True,
            "global_name": None, "public_flags": 0}
APPLICATION = {"id": APP_ID, "name": "gapbot", "description": "", "icon": None, "bot_public": True,
               "bot_require_code_grant": False, "owner": {**BOT_USER,
                                                          "id": "1300000000000000009", "bot": False},
               "verify_key": "0" * 64, "flags": 0}


@dataclass
class Fault:
    """How to answer one call: an HTTP status (429 or 5xx), a dropped connection, or a late answer.

    Fault() answers normally; delay alone does the work then answers late; delay with drop does nothing."""

    status: int = 0
    drop: bool = False
    delay: float = 0.0


@dataclass
class Post:
    """A message Discord created: where, its body, and the nonce it was sent with."""

    kind: str  # message | followup
    body: dict[str, Any]
    nonce: str | None = None


@dataclass
class FakeDiscord:
    """Serve with start(); .base is what discord.http.Route.BASE must point at."""

    posts: list[Post] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (kind, outcome)
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # interaction responses, as sent
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1300000000000005000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeDiscord:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}/api/v10"
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, kind: str, *faults: Fault) -> None:
        """Answer the next calls of a kind (message, followup, callback) with these faults, in order."""
        self.faults.setdefault(kind, []).extend(faults)

    def next_fault(self, kind: str) -> Fault | None:
        with self._lock:
            queue = self.faults.get(kind)
            return queue.pop(0) if queue else None

    def post(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create a message, or return the one already made with the same enforced nonce."""
        nonce = body.get("nonce") if body.get("enforce_nonce") else None
        with self._lock:
            for p in self.posts:
                if nonce and p.nonce == nonce:
                    self.calls.append((kind, "same nonce"))
                    return p.body["_answer"]
            answer = _message(next(self._ids), body)
            self.posts.append(Post(kind, {**body, "_answer": answer}, nonce))
            self.calls.append((kind, "posted"))
            return answer

    def contents(self, kind: str) -> list[str]:
        """What each post of a kind said (its text, or its embed's title and description)."""
        out = []
        for p in self.posts:
            if p.kind == kind:
                embeds = p.body.get("embeds") or [{}]
                embed = embeds[0]
                out.append(p.body.get("content") or f"{embed.get('title', '')}|{embed.get('description')}")
        return out


def _message(mid: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(mid), "channel_id": "1300000000000000003", "type": 0,
            "content": body.get("content") or "", "embeds": body.get("embeds", []), "attachments": [],
            "author": BOT_USER, "mentions": [], "mention_roles": [], "mention_everyone": False,
            "pinned": False, "tts": False, "timestamp": "2025-01-01T00:00:00+00:00", "edited_timestamp": None,
            "flags": body.get("flags", 0), "nonce": body.get("nonce")}


ROUTES = [("GET", r"/users/@me$", "me"), ("GET", r"/oauth2/applications/@me$", "application"),
          ("POST", r"/channels/\d+/typing$", "typing"), ("POST", r"/channels/\d+/messages$", "message"),
          ("POST", r"/interactions/\d+/[^/]+/callback$", "callback"),
          ("DELETE", r"/webhooks/\d+/[^/]+/messages/@original$", "delete"), ("POST",
                                                                             r"/webhooks/\d+/[^/]+$",
                                                                             "followup")]


def _handler(fake: FakeDiscord) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _route(self) -> None:
            path = self.path.split("?")[0].removeprefix("/api/v10")
            kind = next((k for m, rx, k in ROUTES if m == self.command and re.search(rx, path)), "unknown")
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fault = fake.next_fault(kind)
            if fault and fault.drop and fault.delay:  # a timeout: nothing done, nothing said
                with fake._lock:
                    fake.calls.append((kind, "timed out"))
                time.sleep(fault.delay)
                self.close_connection = True
                return
            if fault and fault.drop:
                with fake._lock:
                    fake.calls.append((kind, "dropped"))
                self.close_connection = True
                self.connection.close()
                return
            if fault and fault.status:
                with fake._lock:
                    fake.calls.append((kind, str(fault.status)))
                return self._send(fault.status, {"message": "fault", "retry_after": 0.05, "global": False})
            answer = self._answer(kind, raw)
            if fault and fault.delay:
                time.sleep(fault.delay)
            self._send(200 if answer is not None else 204, answer)

        do_GET = do_POST = do_DELETE = do_PATCH = _route

        def _answer(self, kind: str, raw: bytes) -> Any:
            if kind == "me":
                return BOT_USER
            if kind == "application":
                return APPLICATION
            if kind in ("message", "followup"):
                return fake.post(kind, _body(raw, self.headers.get("Content-Type", "")))
            if kind == "callback":
                with fake._lock:
                    fake.calls.append((kind, "posted"))
                    fake.callbacks.append(_body(raw, self.headers.get("Content-Type", "")))
                return {"interaction": {"id": "1", "type": 2, "response_message_loading": True}}
            if kind in ("typing", "delete"):
                return None
            raise AssertionError(f"unexpected call to Discord: {self.command} {self.path}")

        def _send(self, status: int, payload: Any) -> None:
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Via", "1.1 google")  # discord.py treats a 429 without it as a Cloudflare ban
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting: a timeout test
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _body(raw: bytes, content_type: str) -> dict[str, Any]:
    if "multipart" not in content_type:
        return json.loads(raw or b"{}")
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "payload_json":
            return json.loads(part.get_content())
    return {}
