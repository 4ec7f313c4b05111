"""The one fetcher: only public addresses unless opted in, every redirect re-checked,
one deadline for the whole fetch, and the size cap on decoded bytes. Every server here is on 127.0.0.1."""
from __future__ import annotations

import gzip
import ipaddress
import socket
import threading
import tracemalloc
import zlib

import pytest
from raw_server import RawServer, trickle_headers
from werkzeug import Response

from corpus.fetch import Fetcher, Reach
from corpus.netguard import address_kind
from corpus.sources import Rejected

LOOPBACK = Reach.from_env({"GAPBOT_ALLOW_PRIVATE_URLS": "1"})
PAGE = b"<html><body><p>Chip exports fell again this quarter, the ministry said.</p></body></html>"


def answer_ok(conn: socket.socket, done: threading.Event) -> None:
    conn.recv(65536)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: "
                 b"close\r\n\r\n%s"
                 % (len(PAGE), PAGE))


@pytest.fixture
def internal():
    server = RawServer(answer_ok)
    yield server
    server.close()


def refusal(fetcher: Fetcher, url: str) -> str:
    with pytest.raises(Rejected) as e:
        fetcher.get(url)
    return str(e.value)


@pytest.mark.parametrize("address, kind", [
    ("8.8.8.8", "public"), ("2606:4700:4700::1111", "public"), ("100.63.255.255", "public"),
    ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"), ("2002:7f00:1::", "loopback"), ("64:ff9b::7f00:1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("100.64.0.1", "private"),
    ("fd00::2", "private"), ("::ffff:10.0.0.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("::ffff:169.254.169.254", "link-local"),
    ("0.0.0.0", "reserved"), ("::", "reserved"), ("224.0.0.1", "reserved"), ("255.255.255.255", "reserved"),
    ("ff02::1", "reserved"), ("240.0.0.1", "reserved"),
])
def test_address_kinds(address: str, kind: str) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "127.1", "0x7f.1", "0177.0.0.1",
                                  "0x7f000001", "[::ffff:127.0.0.1]", "[::1]", "0.0.0.0"])
def test_loopback_in_any_spelling_is_refused_without_the_opt_in(internal: RawServer, host: str) -> None:
    reason = refusal(Fetcher(), f"http://{host}:{internal.port}/admin")
    assert reason.startswith(("refused ", "not a valid URL"))  # 0177.0.0.1: httpx will not parse it at all
    assert "loopback address (set GAPBOT_ALLOW_PRIVATE_URLS=1" in reason or "not a " in reason
    assert internal.hits == 0  # refused before connecting


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "2130706433", "127.1", "0x7f.1"])
def test_the_opt_in_opens_loopback(internal: RawServer, host: str) -> None:
    r = Fetcher(reach=LOOPBACK).get(f"http://{host}:{internal.port}/page")
    assert r.status_code == 200 and r.content == PAGE and internal.hits == 1


def test_private_and_metadata_addresses_are_refused(internal: RawServer) -> None:
    assert "private address (set GAPBOT_ALLOW_PRIVATE_URLS=1" in refusal(Fetcher(), "http://10.0.0.7/")
    assert "private address" in refusal(Fetcher(), "http://[fd00::7]/")
    metadata = "http://169.254.169.254/latest/meta-data/"
    assert "link-local address (set GAPBOT_ALLOW_PRIVATE_URLS=all" in refusal(Fetcher(reach=LOOPBACK),
                                                                              metadata)
    assert "not an http(s) URL" in refusal(Fetcher(reach=LOOPBACK), f"ftp://127.0.0.1:{internal.port}/")
    assert internal.hits == 0


def test_a_redirect_to_an_internal_address_is_refused(httpserver, internal: RawServer) -> None:
    # 0.0.0.0 reaches this machine's own listeners on Linux; it is never a fetchable address, opt-in or not
    for path, target in [("/to-any", f"http://0.0.0.0:{internal.port}/secret"),
                         ("/to-metadata", "http://169.254.169.254/latest/meta-data/"),
                         ("/to-file", "file:///etc/passwd")]:
        httpserver.expect_request(path).respond_with_response(Response(status=302,
                                                                       headers={"Location": target}))
    fetcher = Fetcher(reach=LOOPBACK)
    assert "0.0.0.0 is not a unicast address" in refusal(fetcher, httpserver.url_for("/to-any"))
    assert "link-local" in refusal(fetcher, httpserver.url_for("/to-metadata"))
    assert "not an http(s) URL: file:" in refusal(fetcher, httpserver.url_for("/to-file"))
    assert internal.hits == 0 and len(httpserver.log) == 3


def test_redirects_are_followed_within_the_cap(httpserver) -> None:
    httpserver.expect_request("/a").respond_with_response(Response(status=301, headers={"Location": "/b"}))
    httpserver.expect_request("/b").respond_with_data(PAGE, content_type="text/html")
    r = Fetcher(reach=LOOPBACK).get(httpserver.url_for("/a"))
    assert r.url == httpserver.url_for("/b") and r.content == PAGE
    httpserver.expect_request("/c").respond_with_response(Response(status=302, headers={"Location": "/a"}))
    assert "too many redirects (over 0)" in refusal(Fetcher(reach=LOOPBACK, max_redirects=0),
                                                    httpserver.url_for("/c"))


def test_slow_headers_are_cut_off_by_the_overall_deadline() -> None:
    server = RawServer(trickle_headers)
    try:
        fetcher = Fetcher(reach=LOOPBACK, timeout=1.0, deadline=1.5)
        assert "took over 1.5 s" in refusal(fetcher, f"http://127.0.0.1:{server.port}/feed.xml")
    finally:
        server.close()


def gzipped_zeros(megabytes: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join([*(z.compress(bytes(1 << 20)) for _ in range(megabytes)), z.flush()])


def test_nested_content_encoding_is_refused(httpserver) -> None:
    bomb = gzip.compress(gzip.compress(bytes(50 << 20), 9), 9)  # a few KB on the wire
    httpserver.expect_request("/nested").respond_with_data(bomb, headers={"Content-Encoding": "gzip, gzip"})
    reason = refusal(Fetcher(reach=LOOPBACK), httpserver.url_for("/nested"))
    assert reason == "refused: more than one content encoding (gzip, gzip)"


def test_a_large_gzip_body_is_cut_at_the_cap_on_decoded_bytes(httpserver) -> None:
    httpserver.expect_request("/bomb").respond_with_data(gzipped_zeros(200),
                                                         headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        reason = refusal(Fetcher(reach=LOOPBACK), httpserver.url_for("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reason == "over 5 MB decoded"
    assert peak < 20 << 20  # the cap plus a chunk, never the 200 MB it would decode to


def test_gzip_within_the_cap_is_decoded(httpserver) -> None:
    httpserver.expect_request("/small").respond_with_data(gzip.compress(PAGE),
                                                          headers={"Content-Encoding": "gzip"})
    assert Fetcher(reach=LOOPBACK).get(httpserver.url_for("/small")).content == PAGE


def test_the_opt_in_values() -> None:
    assert Reach.from_env({}) == Reach() and Reach.from_env({"GAPBOT_ALLOW_PRIVATE_URLS": "0"}) == Reach()
    assert Reach.from_env({"GAPBOT_ALLOW_PRIVATE_URLS": "all"}) == Reach(private=True, link_local=True)
    with pytest.raises(ValueError, match="must be 1"):
        Reach.from_env({"GAPBOT_ALLOW_PRIVATE_URLS": "maybe"})


@pytest.mark.stress
def test_stress_hostile_fetches_leak_nothing(httpserver, internal: RawServer) -> None:
    import psutil

    httpserver.expect_request("/bomb").respond_with_data(gzipped_zeros(200),
                                                         headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/nested").respond_with_data(gzip.compress(gzip.compress(bytes(50 << 20))),
                                                           headers={"Content-Encoding": "gzip, gzip"})
    httpserver.expect_request("/loop").respond_with_response(Response(status=302,
                                                                      headers={"Location": "/loop"}))
    for path, target in (("/any", f"http://0.0.0.0:{internal.port}/"), ("/meta", "http://169.254.169.254/")):
        httpserver.expect_request(path).respond_with_response(Response(status=302,
                                                                       headers={"Location": target}))
    httpserver.expect_request("/ok").respond_with_data(PAGE, content_type="text/html")
    slow = RawServer(trickle_headers)
    hosts = ["127.0.0.1", "localhost", "2130706433", "127.1", "0x7f.1", "0177.0.0.1", "[::1]",
             "[::ffff:127.0.0.1]", "0.0.0.0", "10.0.0.1", "169.254.169.254", "[fe80::1]"]
    opted = Fetcher(reach=LOOPBACK, timeout=1.0, deadline=1.5)
    cases = [(Fetcher(), f"http://{h}:{httpserver.port}/ok") for h in hosts]
    cases += [(opted, httpserver.url_for(p)) for p in ("/bomb", "/nested", "/loop", "/any", "/meta", "/ok")]
    cases += [(opted, f"{slow.url}/feed.xml")]
    proc, outcomes, marks = psutil.Process(), {"refused": 0, "fetched": 0}, []
    try:
        for round_ in range(12):
            for fetcher, url in cases:
                try:
                    fetcher.get(url)
                    outcomes["fetched"] += 1
                except Rejected:
                    outcomes["refused"] += 1
            if round_ in (1, 11):
                marks.append((proc.num_fds(), threading.active_count(), proc.memory_info().rss >> 20))
    finally:
        slow.close()
    assert outcomes == {"refused": 216, "fetched": 12} and internal.hits == 0
    assert marks[1][:2] == marks[0][:2] and marks[1][2] - marks[0][2] < 20, marks  # files, threads, MB


def test_gapbot_index_reads_the_opt_in_from_the_environment(internal: RawServer, tmp_path, monkeypatch,
                                                            capsys) -> None:
    import json

    from adapters.cli import main

    url, db = f"http://127.0.0.1:{internal.port}/page", str(tmp_path / "x.db")
    monkeypatch.delenv("GAPBOT_ALLOW_PRIVATE_URLS", raising=False)
    monkeypatch.setenv("GAPBOT_EMBEDDER", "hash")  # no model: indexing is not the point
    assert main(["--db", db, "--no-seed", "index", url, "--json"]) == 1
    [line] = capsys.readouterr().out.splitlines()
    assert "loopback address" in json.loads(line)["reason"] and internal.hits == 0
    monkeypatch.setenv("GAPBOT_ALLOW_PRIVATE_URLS", "1")
    main(["--db", db, "--no-seed", "index", url, "--json"])
    assert internal.hits == 1  # fetched (the page is too short to be an article, which is not the point)
    monkeypatch.setenv("GAPBOT_ALLOW_PRIVATE_URLS", "yes please")
    assert main(["--db", db, "--no-seed", "index", url]) == 1
    assert "GAPBOT_ALLOW_PRIVATE_URLS must be 1" in capsys.readouterr().err
