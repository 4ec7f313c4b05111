"""The Slack HTTP listener under abuse: idle and trickling connections, oversize and malformed requests,
retried and replayed payloads. The real Bolt app, real signatures, a real socket on 127.0.0.1."""
from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest
from slack_fake import FakeSlack, get, post, signed_headers, slash_body
from slack_harness import SECRET, Scripted, Slack

from adapters.slack.app import create_app
from adapters.slack.server import Limits, make_server
from corpus.api import Corpus

FAST = Limits(request_seconds=1.0)  # so idle and slow clients are seen cut off without waiting long
CROWDED = Limits(connections=50, request_seconds=60.0)  # a flood of 200 idle sockets is four times the cap


def serve_with(fake: FakeSlack, corpus: Corpus, limits: Limits) -> Iterator[Slack]:
    """The app served with these limits."""
    scripted = Scripted()
    app = create_app(corpus, token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url, handler=scripted)
    server = make_server(app, host="127.0.0.1", port=0, health=lambda: {"articles": 0}, limits=limits)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield Slack(fake, server, scripted)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def guarded(fake: FakeSlack, corpus: Corpus) -> Iterator[Slack]:
    yield from serve_with(fake, corpus, FAST)


@pytest.fixture
def crowded(fake: FakeSlack, corpus: Corpus) -> Iterator[Slack]:
    yield from serve_with(fake, corpus, CROWDED)


def connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s


def closed_by_server(s: socket.socket, wait: float = 10.0) -> bool:
    """Whether the server closes this socket within `wait` seconds."""
    s.settimeout(wait)
    try:
        return s.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def flood(slack: Slack, count: int) -> list[socket.socket]:
    """count idle connections, all accepted or dropped by the server by the time /healthz answers behind
    them."""
    idle = [connect(slack.server.server_port) for _ in range(count)]
    assert get(f"http://127.0.0.1:{slack.server.server_port}/healthz").status == 200
    return idle


def test_an_idle_flood_past_the_cap_holds_no_threads_and_the_bot_still_answers(crowded: Slack) -> None:
    assert get(f"http://127.0.0.1:{crowded.server.server_port}/healthz").status == 200  # workers all started
    threads = threading.active_count()
    idle = flood(crowded,
                 200)  # the idle sockets last 60 s: only closing the idlest at the cap lets others in
    try:
        assert threading.active_count() == threads  # an idle connection holds no thread
        assert crowded.command("/who", "iflytek").status == 200
        crowded.fake.wait_for("response")
        assert all(closed_by_server(s, wait=0.2) for s in idle[:100])  # the idlest made room for the rest
    finally:
        for s in idle:
            s.close()


def test_idle_connections_are_closed_after_the_request_allowance(guarded: Slack) -> None:
    idle = flood(guarded, 200)
    try:
        assert all(closed_by_server(s) for s in idle)
        assert guarded.command("/who", "iflytek").status == 200
    finally:
        for s in idle:
            s.close()


def test_a_request_trickled_a_byte_at_a_time_is_cut_off(guarded: Slack) -> None:
    s = connect(guarded.server.server_port)
    s.settimeout(0.2)
    cut = False
    try:
        s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
        for _ in range(100):  # 20 s at most; the allowance is 1 s
            s.sendall(b"X")
            try:
                if s.recv(1024) == b"":
                    cut = True
                    break
            except TimeoutError:
                continue
    except (BrokenPipeError, ConnectionResetError):
        cut = True
    finally:
        s.close()
    assert cut


def test_an_oversize_body_is_refused_before_it_is_read(slack: Slack) -> None:
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d" \
        b"\r\n\r\n{" % (Limits().max_body + 1)
    assert raw_request(slack.server.server_port, head).startswith(b"HTTP/1.1 413 ")
    assert slack.scripted.requests == []


def raw_request(port: int, head: bytes) -> bytes:
    with connect(port) as s:
        s.sendall(head)
        out = b""
        while chunk := s.recv(4096):
            out += chunk
            if b"\r\n\r\n" in out:
                break
        return out


@pytest.mark.parametrize("header", [b"X-Slack-Request-Timestamp: soon", b"X-Slack-Request-Timestamp: 1e9",
                                    b"Content-Length: 12abc", b"Content-Length: -5"])
def test_malformed_headers_get_400_without_a_traceback(slack: Slack, caplog: pytest.LogCaptureFixture,
                                                       header: bytes) -> None:
    caplog.set_level(logging.WARNING)
    length = b"" if header.startswith(b"Content-Length") else b"Content-Length: 2\r\n"
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Slack-Signature: v0=00\r\n" + length + header + \
        b"\r\nConnection: close\r\n\r\n{}"
    answer = raw_request(slack.server.server_port, head)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert slack.scripted.requests == []


def test_a_retry_of_an_event_never_seen_is_answered(slack: Slack) -> None:
    retry = slack.event("app_mention", event_id="Ev0LOST", headers={"X-Slack-Retry-Num": "1",
                                                                    "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status == 200
    assert len(slack.fake.wait_for("chat.postMessage")) == 1 and len(slack.scripted.requests) == 1


def test_a_replayed_slash_command_is_answered_once(slack: Slack) -> None:
    body = slash_body("/who", "iflytek", response_url=slack.fake.response_url())
    headers = signed_headers(SECRET, body)
    assert [post(slack.events_url, body, headers).status for _ in range(3)] == [200, 200, 200]
    slack.command("/who", "huawei")  # a new command, so there is something to wait for
    slack.fake.wait_for("response", 2)
    assert [r.text for r in slack.scripted.requests] == ["/who iflytek", "/who huawei"]


@pytest.mark.stress
def test_stress_eleven_hundred_idle_sockets_and_held_bodies(slack: Slack) -> None:
    import resource

    import psutil

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 4096), hard), hard))  # both ends live here
    proc = psutil.Process()
    assert get(f"http://127.0.0.1:{slack.server.server_port}/healthz").status == 200
    threads, rss = threading.active_count(), proc.memory_info().rss >> 20
    idle = flood(slack, 1100)
    try:
        assert threading.active_count() == threads  # 1,100 idle sockets, no thread for any of them
        assert slack.command("/who", "iflytek").status == 200
        slack.fake.wait_for("response")
    finally:
        for s in idle:
            s.close()
    held = []
    try:
        for _ in range(300):  # unsigned bodies one byte short of the cap, never finished
            s = connect(slack.server.server_port)
            head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
            s.sendall(head % Limits().max_body)
            s.sendall(b"x" * (Limits().max_body - 1))
            held.append(s)
        assert get(f"http://127.0.0.1:{slack.server.server_port}/healthz").status == 200
        assert (proc.memory_info().rss >> 20) - rss < 100  # waitress spills bodies past 64 KiB to files
    finally:
        for s in held:
            s.close()
