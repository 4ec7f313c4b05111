"""Many workers on one Postgres database share what one process keeps in memory on SQLite: Slack event ids
(each event answered once), the rate limit, and the refusals told once. Every test runs two workers, each with
its own corpus (own connections) over the same database, against the real Postgres of bench/pg_server.py."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from slack_fake import Call, FakeSlack, HttpResult, event_body, post, signed_headers
from slack_harness import SECRET
from test_slack_main import ROOT, TOKEN, free_port, wait_healthy
from test_slack_oauth import CREDENTIALS, install, posts_to

from adapters.discord import create_bot
from adapters.slack import Settings, worker_app
from adapters.slack.server import SlackServer, make_server
from bot.guard import NOT_ENABLED, Guard, Policy
from bot.reply import Request
from corpus.api import Corpus
from corpus.embed import HashEmbedder
from corpus.shared_state import PgSharedState

T = TypeVar("T")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def worker(url: str) -> Corpus:
    """One worker's corpus: its own store and connections over the shared database."""
    return Corpus.open(url, seed=False, embedder=HashEmbedder())


def shared(corpus: Corpus, clock: Clock) -> PgSharedState:
    """The corpus's shared state on the test's clock."""
    return PgSharedState(lambda: corpus.store.db, clock=clock)


def all_at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls on as many threads, released together."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def asked(user: str = "U1", channel: str = "C1") -> Request:
    return Request("/gap", platform="slack", user=user, channel=channel)


@pytest.fixture()
def workers(pg_url: str) -> tuple[Corpus, Corpus]:
    return worker(pg_url), worker(pg_url)


def test_sqlite_keeps_its_state_in_the_process(tmp_path: Path) -> None:
    assert worker(str(tmp_path / "one.db")).shared is None


def test_an_event_id_is_claimed_once_across_workers_racing_on_threads(workers: tuple[Corpus, Corpus]) -> None:
    a, b = (w.shared.seen_events(ttl=3600.0) for w in workers)
    for event_id in ("Ev0RACE1", "Ev0RACE2", "Ev0RACE3"):
        won = all_at_once([lambda seen=seen, e=event_id: seen.first_time(e) for seen in (a, b) * 4])
        assert won.count(True) == 1
    assert not a.first_time("Ev0RACE1") and not b.first_time("Ev0RACE2")
    assert a.first_time("Ev0OTHER")


def test_a_claimed_event_id_is_forgotten_after_its_time(workers: tuple[Corpus, Corpus]) -> None:
    clock = Clock()
    a, b = (shared(w, clock).seen_events(ttl=3600.0) for w in workers)
    assert a.first_time("Ev0OLD")
    clock.now += 3599
    assert not b.first_time("Ev0OLD")
    clock.now += 2
    assert b.first_time("Ev0OLD") and not a.first_time("Ev0OLD")


def test_the_rate_limit_is_counted_across_workers(workers: tuple[Corpus, Corpus]) -> None:
    clock = Clock()
    a, b = (Guard(Policy(per_minute=3), shared=shared(w, clock)) for w in workers)
    for guard in (a, b, a):
        assert guard.check(asked()).allowed
        clock.now += 10
    refused = b.check(asked())
    assert not refused.allowed and not refused.repeat and refused.reply is not None
    assert "30 s" in refused.reply.title  # the first of the three frees a slot a minute after it
    assert a.check(asked()).repeat  # the other worker does not say it again
    assert b.check(asked(user="U2")).allowed  # one user's flood does not starve another
    clock.now += 30
    assert a.check(asked()).allowed
    again = b.check(asked())
    assert not again.allowed and not again.repeat  # a new refusal after an admitted command is said


def test_the_rate_limit_holds_when_workers_race(workers: tuple[Corpus, Corpus]) -> None:
    a, b = (Guard(Policy(per_minute=5), shared=w.shared) for w in workers)
    verdicts = all_at_once([lambda g=g: g.check(asked(user="U0FLOOD")) for g in (a, b) * 6])
    assert sum(v.allowed for v in verdicts) == 5
    assert sum(not v.allowed and not v.repeat for v in verdicts) == 1  # told once, by one worker


def test_not_enabled_here_is_told_once_across_workers(workers: tuple[Corpus, Corpus]) -> None:
    a, b = (Guard(Policy(channels=frozenset({"C1"})), shared=w.shared) for w in workers)
    first = a.check(asked(channel="C9"))
    assert first.reply is not None and first.reply.title == NOT_ENABLED and not first.repeat
    assert b.check(asked(channel="C9")).repeat and a.check(asked(channel="C9")).repeat
    assert not b.check(asked(user="U2", channel="C9")).repeat  # told per person
    assert not b.check(asked(channel="C8")).repeat  # and per place


def test_a_notice_is_told_again_once_its_time_is_over(workers: tuple[Corpus, Corpus]) -> None:
    clock = Clock()
    a, b = (shared(w, clock).notices(ttl=3600.0) for w in workers)
    assert a.first("U1 C9") and not b.first("U1 C9")
    clock.now += 3599
    assert not b.first("U1 C9")
    clock.now += 2
    renewed = all_at_once([lambda n=n: n.first("U1 C9") for n in (a, b) * 3])
    assert renewed.count(True) == 1  # told again, by one worker
    assert not a.first("U1 C9")


def test_discord_processes_on_one_database_share_the_rate_limit(pg_url: str) -> None:
    a, b = (create_bot(pg_url, seed=False, embedder=HashEmbedder(), warm=False, policy=Policy(per_minute=1))
            for _ in range(2))
    typed = Request("/gap", platform="discord", user="42", channel="7")
    assert a.guard.check(typed).allowed and not b.guard.check(typed).allowed


# --- two `gapbot slack --http` workers, as run() builds them, over one Postgres corpus ---------------------

def serve_worker(fake: FakeSlack, url: str) -> SlackServer:
    """One worker's app, built by the same code as `gapbot slack`, served on a free loopback port."""
    ready: Future[Corpus] = Future()
    ready.set_result(worker(url))
    settings = Settings("xoxb-test", SECRET, None, fake.api_url)
    server = make_server(worker_app(settings, ready, db=url), host="127.0.0.1", port=0,
                         health=lambda: {"ready": True})
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture()
def two_workers(fake: FakeSlack, pg_url: str) -> Iterator[list[str]]:
    servers = [serve_worker(fake, pg_url) for _ in range(2)]
    try:
        yield [f"http://127.0.0.1:{s.server_port}/slack/events" for s in servers]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def dropped(result: HttpResult) -> bool:
    """Whether the app acknowledged a request without answering it (a repeat)."""
    return {k.lower(): v for k, v in result.headers.items()}.get("x-slack-no-retry") == "1"


def deliver(url: str, body: str) -> HttpResult:
    return post(url, body, signed_headers(SECRET, body, content_type="application/json"))


def test_the_same_event_sent_to_two_workers_is_answered_once(fake: FakeSlack, two_workers: list[str]) -> None:
    body = event_body("message_im", event_id="Ev0TWICE", channel="D0TWICE", text="/help")
    results = all_at_once([lambda u=u: deliver(u, body) for u in two_workers])
    assert [r.status for r in results] == [200, 200]
    assert sum(dropped(r) for r in results) == 1  # the worker whose claim came second
    fake.wait_until(lambda calls: posted_to(calls, "D0TWICE") == 1)
    # a later event, so there is something to wait for: once it is answered, the first has long been done
    deliver(two_workers[1], event_body("message_im", event_id="Ev0LATER", channel="D0LATER", text="/help"))
    calls = fake.wait_until(lambda calls: posted_to(calls, "D0LATER") == 1)
    assert posted_to(calls, "D0TWICE") == 1
    assert all(dropped(deliver(u, body)) for u in two_workers)


def posted_to(calls: list[Call], channel: str) -> int:
    return sum(c.method == "chat.postMessage" and c.params.get("channel") == channel for c in calls)


# --- three `gapbot slack --http` processes on one Postgres database, one token or installed by OAuth ------

def start_processes(fake: FakeSlack, pg_url: str, **slack: str) -> Iterator[list[str]]:
    """Three `gapbot slack --http` processes with these SLACK_* variables, the database given only by
    GAPBOT_DATABASE_URL; their URLs, until the test ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GAPBOT_"))}
    env.update(SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url, GAPBOT_EMBEDDER="hash",
               GAPBOT_DATABASE_URL=pg_url, **slack)
    ports = [free_port() for _ in range(3)]
    command = [sys.executable, "-m", "bot", "--no-seed", "slack", "--http", "--port"]
    procs = [subprocess.Popen([*command, str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for port in ports]
    try:
        for port, proc in zip(ports, procs):
            wait_healthy(f"http://127.0.0.1:{port}", proc)
        yield [f"http://127.0.0.1:{port}/slack/events" for port in ports]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()


@pytest.fixture()
def three_processes(fake: FakeSlack, pg_url: str) -> Iterator[list[str]]:
    """Three single-workspace processes (one SLACK_BOT_TOKEN); their URLs."""
    yield from start_processes(fake, pg_url, SLACK_BOT_TOKEN=TOKEN)


@pytest.fixture()
def three_installing_processes(fake: FakeSlack, pg_url: str) -> Iterator[list[str]]:
    """Three processes installed with OAuth in any number of workspaces; their URLs."""
    yield from start_processes(fake, pg_url, SLACK_CLIENT_ID=CREDENTIALS.client_id,
                               SLACK_CLIENT_SECRET=CREDENTIALS.client_secret)


def test_three_slack_processes_answer_an_event_sent_to_two_of_them_once(fake: FakeSlack,
                                                                        three_processes: list[str]) -> None:
    body = event_body("message_im", event_id="Ev0PROCS", channel="D0PROCS", text="/help")
    results = all_at_once([lambda u=u: deliver(u, body) for u in three_processes[:2]])
    assert [r.status for r in results] == [200, 200] and sum(dropped(r) for r in results) == 1
    fake.wait_until(lambda calls: posted_to(calls, "D0PROCS") == 1)
    later = event_body("message_im", event_id="Ev0THIRD", channel="D0THIRD", text="/help")
    deliver(three_processes[2], later)
    calls = fake.wait_until(lambda calls: posted_to(calls, "D0THIRD") == 1)
    assert posted_to(calls, "D0PROCS") == 1
    assert dropped(deliver(three_processes[2], body))  # the third process knows it was answered too


def test_three_oauth_processes_answer_each_workspace_with_its_own_token_once(
        fake: FakeSlack, three_installing_processes: list[str]) -> None:
    one, two, three = (url.removesuffix("/slack/events") for url in three_installing_processes)
    assert install(fake, one, team="T0TEAM1", token="xoxb-team-one").status == 200
    assert install(fake, two, team="T0TEAM2", token="xoxb-team-two").status == 200
    for team, channel in (("T0TEAM1", "D0FIRST"), ("T0TEAM2", "D0SECOND")):
        deliver(three_installing_processes[2], event_body("message_im", event_id=f"Ev0{channel}", team=team,
                                                          channel=channel, text="/help"))
    fake.wait_until(lambda calls: posted_to(calls, "D0FIRST") == posted_to(calls, "D0SECOND") == 1)
    assert posts_to(fake, "D0FIRST") == ["xoxb-team-one"] and posts_to(fake, "D0SECOND") == ["xoxb-team-two"]
    body = event_body("message_im", event_id="Ev0BOTH", team="T0TEAM2", channel="D0BOTH", text="/help")
    results = all_at_once([lambda u=u: deliver(u, body) for u in three_installing_processes[:2]])
    assert [r.status for r in results] == [200, 200] and sum(dropped(r) for r in results) == 1
    fake.wait_until(lambda calls: posted_to(calls, "D0BOTH") == 1)
    deliver(three_installing_processes[2], event_body("message_im", event_id="Ev0LAST", team="T0TEAM1",
                                                      channel="D0LAST", text="/help"))
    fake.wait_until(lambda calls: posted_to(calls, "D0LAST") == 1)
    assert posts_to(fake, "D0BOTH") == ["xoxb-team-two"] and posts_to(fake, "D0LAST") == ["xoxb-team-one"]
