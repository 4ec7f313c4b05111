"""Test helpers for the Slack adapter: a local fake of Slack's Web API, and signed requests to the app.

FakeSlack stands in for slack.com/api, a slash command's response_url and the file upload URL. It records
every call and can be told to answer the next calls to a method with a 429, a Slack error,
or a dropped connection. For installs it plays Slack's side of OAuth: oauth.v2.access turns a code it was
given (grant()) into that workspace's bot token, once, and auth.test names the workspace of a granted token.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "slack"
GOLDEN = FIXTURES / "golden"
BOT_USER = "UBOT0001"


@dataclass
class Call:
    """One request the fake received: the method (or 'response', 'upload'), its parameters, when."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)
    failure: Failure | None = None  # how the fake answered it, if not normally

    @property
    def token(self) -> str | None:
        """The bearer token the call was made with (None without one)."""
        auth = self.headers.get("authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None

    def blocks(self) -> list[dict[str, Any]]:
        """The message blocks, whether sent as JSON or as a form field."""
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks


@dataclass
class Failure:
    """How to answer one upcoming call: an HTTP status, a Slack error, or dropping the connection."""

    status: int = 429
    retry_after: int = 0
    error: str = "ratelimited"
    drop: bool = False
    delay: float = 0.0  # seconds before answering; past the client's timeout, a timeout


class FakeSlack:
    """A local Slack Web API that records every call; start() it, use .api_url, then close()."""

    def __init__(self, admins: tuple[str, ...] = ()):
        self.calls: list[Call] = []
        self.messages: list[dict[str, Any]] = []  # what chat.postMessage posted (and tests added), in order
        self.failures: dict[str, list[Failure]] = {}
        self.admins = set(admins)
        self.codes: dict[str, tuple[str, str]] = {}  # OAuth code -> (team id, bot token), until exchanged
        self.teams: dict[str, str] = {}  # bot token -> team id, for every token granted
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_port}/"
        self.api_url = self.url + "api/"

    def start(self) -> FakeSlack:
        """Serve in a background thread."""
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def response_url(self, name: str = "cmd1") -> str:
        """A response_url that points at this fake."""
        return f"{self.url}response/{name}"

    def grant(self, code: str, *, team: str, token: str) -> None:
        """Let oauth.v2.access exchange code (once) for team's bot token, as Slack does after an install."""
        self.codes[code] = (team, token)
        self.teams[token] = team

    def fail(self, method: str, *failures: Failure) -> None:
        """Answer the next calls to method with these failures, in order, then normally."""
        self.failures.setdefault(method, []).extend(failures)

    def called(self, method: str) -> list[Call]:
        """The calls made so far to one method."""
        return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until method has been called count times; the calls (AssertionError on timeout)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.called(method)) >= count, timeout):
                raise AssertionError(f"{method} called {len(self.called(method))} times, wanted {count}: "
                                     f"{[c.method for c in self.calls]}")
        return self.called(method)

    def wait_until(self, done: Callable[[list[Call]], bool], timeout: float = 10.0) -> list[Call]:
        """Wait until done(calls) holds; the calls (AssertionError on timeout)."""
        with self._changed:
            if not self._changed.wait_for(lambda: done(self.calls), timeout):
                raise AssertionError(f"still waiting after {timeout} s: {[c.method for c in self.calls]}")
        return self.calls

    def record(self, call: Call) -> None:
        """Keep a call and wake waiters."""
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def keep(self, params: dict[str, Any], ts: str) -> dict[str, Any]:
        """Keep a message gapbot posted, as conversations.replies shows it (blocks keep their block_ids)."""
        blocks = params.get("blocks") or []
        message = {"type": "message", "ts": ts, "user": BOT_USER, "bot_id": "B0001", "channel": params.get(
            "channel"), "text": params.get("text", ""), "thread_ts": params.get("thread_ts"),
            "blocks": json.loads(blocks) if isinstance(blocks, str) else blocks}
        with self._changed:
            self.messages.append(message)
        return message

    def thread(self, channel: str | None, ts: str | None) -> list[dict[str, Any]]:
        """A thread's messages, oldest first: its first message and those posted in it."""
        return [m for m in self.messages if m["channel"] == channel and ts in (m["ts"], m.get("thread_ts"))]

    def next_failure(self, method: str) -> Failure | None:
        """The failure queued for method, if any."""
        queue = self.failures.get(method)
        return queue.pop(0) if queue else None

    def exchange(self, code: str | None) -> dict[str, Any]:
        """oauth.v2.access: a granted code's workspace and bot token, the first time only."""
        if code not in self.codes:
            return {"ok": False, "error": "invalid_code"}
        team, token = self.codes.pop(code)
        return {"ok": True, "app_id": "A0001", "access_token": token, "token_type": "bot",
                "scope": "chat:write,commands", "bot_user_id": BOT_USER, "team": {"id": team, "name": team},
                "enterprise": None, "is_enterprise_install": False, "authed_user": {"id": "U0INSTALLER"}}

    def answer(self, method: str, params: dict[str, Any], token: str | None = None) -> dict[str, Any] | None:
        """The JSON Slack would answer for a Web API method called with token, or None for an unknown
        method."""
        ts = f"{1700000000 + len(self.calls)}.000100"
        answers = {
            "auth.test": lambda: {"ok": True, "team_id": self.teams.get(token or "", "T0001"),
                                  "user_id": BOT_USER, "bot_id": "B0001", "user": "gapbot", "team": "Test",
                                  "url": self.url},
            "oauth.v2.access": lambda: self.exchange(params.get("code")),
            "chat.postMessage": lambda: {"ok": True, "channel": params.get("channel"),
                                         "ts": self.keep(params, ts)["ts"]},
            "conversations.replies": lambda: {"ok": True, "has_more": False, "messages": self.thread(
                params.get("channel"), params.get("ts"))},
            "chat.postEphemeral": lambda: {"ok": True, "message_ts": ts},
            "reactions.add": lambda: {"ok": True},
            "files.getUploadURLExternal": lambda: {"ok": True, "file_id": f"F{len(self.calls)}",
                                                   "upload_url": f"{self.url}upload/F{len(self.calls)}"},
            "files.completeUploadExternal": lambda: {"ok": True,
                                                     "files": json.loads(params.get("files", "[]"))},
            "users.info": lambda: {"ok": True, "user": {"id": params.get("user"),
                                                        "is_admin": params.get("user") in self.admins}},
        }
        return answers[method]() if method in answers else None


def _make_handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            method = _method(url.path)
            call = Call(method, _params(url.query, body, self.headers.get("Content-Type", "")),
                        {k.lower(): v for k, v in self.headers.items()}, body)
            fake.record(call)
            failure = call.failure = fake.next_failure(method)
            if failure and failure.delay:
                time.sleep(failure.delay)
            if failure and failure.drop:
                self.close_connection = True
                return
            self._reply(method, failure, call)

        def _reply(self, method: str, failure: Failure | None, call: Call) -> None:
            if failure:
                headers = {"Retry-After": str(failure.retry_after)} if failure.status == 429 else {}
                return self._send(failure.status, {"ok": False, "error": failure.error}, headers)
            if method in ("response", "upload"):
                return self._send(200, "ok")
            answer = fake.answer(method, call.params, call.token)
            self._send(200 if answer else 404, answer or {"ok": False, "error": "unknown_method"})

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _method(path: str) -> str:
    parts = path.strip("/").split("/")
    return parts[1] if parts[0] == "api" and len(parts) > 1 else parts[0]


def _params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query))
    if "json" in content_type and body:
        params.update(json.loads(body))
    elif "x-www-form-urlencoded" in content_type:
        params.update(parse_qsl(body.decode("utf-8", errors="replace")))
    return params


# --- signed requests to the app under test -----------------------------------------------------------------

def signature(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 request signature: HMAC-SHA256 of 'v0:timestamp:body' with the signing secret."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(secret: str, body: str, *, timestamp: int | None = None,
                   content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
    """The headers Slack sends with a request: content type, timestamp and signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature(secret, ts, body)}


@dataclass
class HttpResult:
    """What the app answered, and how long it took."""

    status: int
    body: str
    headers: dict[str, str]
    seconds: float


def post(url: str, body: str, headers: dict[str, str]) -> HttpResult:
    """POST body to url and time the answer."""
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    return _open(request)


def get(url: str, headers: dict[str, str] | None = None) -> HttpResult:
    """GET url (with these headers)."""
    return _open(urllib.request.Request(url, headers=headers or {}))


def _open(request: urllib.request.Request) -> HttpResult:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return HttpResult(resp.status, resp.read().decode(), dict(resp.headers), time.monotonic() - start)
    except urllib.error.HTTPError as e:
        return HttpResult(e.code, e.read().decode(), dict(e.headers), time.monotonic() - start)


def slash_body(command: str, text: str, *, response_url: str, **fields: str) -> str:
    """A slash command's form body, from the recorded payload, with this command, text and response_url."""
    payload = json.loads((FIXTURES / "slash_command.json").read_text())
    # Slack gives every invocation its own trigger_id, so two commands are never byte-identical
    payload.update(command=command, text=text, response_url=response_url,
                   trigger_id=f"{time.time_ns()}.{secrets.token_hex(8)}", **fields)
    return urlencode(payload)


def event_body(name: str, *, event_id: str | None = None, team: str | None = None, **event: Any) -> str:
    """An Events API JSON body from a recorded payload (app_mention, message_im), event fields replaced, sent
    from team's workspace if given."""
    payload = json.loads((FIXTURES / f"{name}.json").read_text())
    payload["event"].update(event)
    if event_id:
        payload["event_id"] = event_id
    if team:
        payload["team_id"] = payload["event"]["team"] = team
        for authorization in payload.get("authorizations") or []:
            authorization["team_id"] = team
    return json.dumps(payload)


def action_body(action_id: str, value: str, *, response_url: str, ephemeral: bool = False,
                **fields: Any) -> str:
    """A block_actions form body (payload=JSON) from the recorded payload: one button, with its value."""
    payload = json.loads((FIXTURES / "block_actions.json").read_text())
    payload["actions"][0].update(action_id=action_id, value=value, block_id=f"gapbot-answer:{value}")
    payload["container"]["is_ephemeral"] = ephemeral
    if ephemeral:  # Slack sends no copy of an ephemeral message
        payload.pop("message")
    payload.update(response_url=response_url, **fields)
    return urlencode({"payload": json.dumps(payload)})


def interactive_body(name: str, **fields: Any) -> str:
    """An interactivity form body (payload=JSON) from a recorded payload, top-level fields replaced."""
    payload = json.loads((FIXTURES / f"{name}.json").read_text())
    payload.update(fields)
    return urlencode({"payload": json.dumps(payload)})


def check_golden(name: str, messages: list[dict[str, Any]]) -> None:
    """Compare with tests/fixtures/slack/golden/NAME.json; GAPBOT_REGEN_GOLDEN=1 rewrites the file."""
    path = GOLDEN / f"{name}.json"
    text = json.dumps(messages, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("GAPBOT_REGEN_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with GAPBOT_REGEN_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), \
        f"{path.name} changed; if intended, GAPBOT_REGEN_GOLDEN=1"
