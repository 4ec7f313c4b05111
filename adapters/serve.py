"""The composition root. Long-running processes: `gapbot digest --schedule` (the scheduler alone) and
`gapbot serve` (the Slack app, the Discord bot, the digest scheduler and feed polling — whichever are
configured — in one process). It alone, with platforms.py, imports both platform adapters."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timezone
from typing import Callable, Iterator, Mapping

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

import adapters.discord
import adapters.slack
from adapters.platforms import Config, digest_service
from bot.digest.schedule import DigestSchedule
from bot.digest.service import DigestService
from corpus.api import Corpus
from corpus.fetch import stop_all

logger = logging.getLogger(__name__)
STANDBY_SECONDS = 10.0  # how often a standby scheduler asks whether the running one has stopped


def install(scheduler: BaseScheduler, corpus: Corpus, config: Config) -> DigestSchedule:
    """Put the digest and feed jobs for this corpus on a scheduler."""
    fetcher = config.fetcher()
    service = digest_service(corpus, config)
    schedule = DigestSchedule(scheduler, destinations=service.destinations, run=service.scheduled,
                              retries=service.due_retries, poll=lambda: service.poll_feeds(fetcher=fetcher),
                              poll_minutes=config.poll_minutes)
    schedule.install()
    return schedule


def run_scheduler(corpus: Corpus, config: Config, *, standby_seconds: float = STANDBY_SECONDS) -> int:
    """Run the digest scheduler until interrupted, once no other scheduler runs on this database."""
    with _scheduler_turn(digest_service(corpus, config), every=standby_seconds):
        return _run_scheduler(corpus, config)


@contextlib.contextmanager
def _scheduler_turn(service: DigestService, *, every: float) -> Iterator[None]:
    """Wait until this process may run the scheduler (on Postgres, one per database), then hold the turn."""
    said = False
    while True:
        with service.scheduler_turn() as mine:
            if mine:
                yield
                return
        if not said:
            print("gapbot digest scheduler: another scheduler runs on this database; standing by until it "
                  "stops", file=sys.stderr, flush=True)
            said = True
        time.sleep(every)


def _run_scheduler(corpus: Corpus, config: Config) -> int:
    scheduler = BlockingScheduler(timezone=timezone.utc)
    install(scheduler, corpus, config)
    count = len(digest_service(corpus, config).destinations())
    print(f"gapbot digest scheduler: {count} destination(s); feeds polled every {config.poll_minutes:g} min",
          file=sys.stderr)
    with _signals_stop(scheduler):
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):  # in a thread of `serve`, whose main thread gets the signal
            stop_all()
            scheduler.shutdown(wait=False)
    return 0


@contextlib.contextmanager
def _signals_stop(scheduler: BaseScheduler) -> Iterator[None]:
    """While the scheduler runs in the main thread, SIGTERM and Ctrl-C stop every fetch, then the scheduler.

    Not by raising KeyboardInterrupt: APScheduler catches BaseException around submitting a job, so a signal
    landing there would be swallowed and the process would run on. The previous handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        stop_all()  # a poll stuck on a slow feed ends within a second, so the process exits at once
        threading.Thread(target=_shutdown, args=(scheduler,), daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _shutdown(scheduler: BaseScheduler) -> None:
    with contextlib.suppress(SchedulerNotRunningError):  # a second signal, or it had stopped already
        scheduler.shutdown(wait=False)


def _stop_on_sigterm() -> None:
    # process managers stop a worker with SIGTERM: treat it like Ctrl-C (the delivery log covers a cut post)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)


@dataclass(frozen=True)
class Component:
    """Something `serve` runs in its own thread until the process ends."""

    name: str
    run: Callable[[], object]


def slack_argv(env: Mapping[str, str]) -> list[str] | None:
    """How to start the Slack app from the environment: Socket Mode, HTTP (always when it installs in several
    workspaces with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET), or not at all."""
    installs = bool(env.get("SLACK_CLIENT_ID") and env.get("SLACK_CLIENT_SECRET"))
    if not env.get("SLACK_BOT_TOKEN") and not installs:
        return None
    if env.get("SLACK_APP_TOKEN") and not installs:
        return ["slack", "--socket"]
    if env.get("SLACK_SIGNING_SECRET"):
        host = env.get("GAPBOT_SLACK_HOST")  # the listener stays on 127.0.0.1 unless asked (e.g. 0.0.0.0)
        return ["slack", "--http", "--port", env.get("PORT") or "3000", *(["--host", host] if host else [])]
    return None


def skipped(env: Mapping[str, str]) -> list[str]:
    """Why Slack or Discord will not run, one line each (nothing when both are configured)."""
    out = []
    if not env.get("SLACK_BOT_TOKEN") and not env.get("SLACK_CLIENT_ID"):
        out.append("Slack skipped: SLACK_BOT_TOKEN is not set")
    elif slack_argv(env) is None:
        out.append("Slack skipped: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP)"
                   if env.get("SLACK_BOT_TOKEN") else
                   "Slack skipped: installing in several workspaces needs SLACK_CLIENT_SECRET and "
                   "SLACK_SIGNING_SECRET (HTTP)")
    if not env.get("DISCORD_TOKEN"):
        out.append("Discord skipped: DISCORD_TOKEN is not set")
    return out


def components(env: Mapping[str, str], *, db: str, corpus: Corpus, config: Config) -> list[Component]:
    """What is configured: always the digest scheduler; Slack and Discord when their tokens are set."""
    out = [Component("digest scheduler", lambda: run_scheduler(corpus, config))]
    argv = slack_argv(env)
    if argv:
        out.append(Component("slack", lambda: adapters.slack.main(argv, db=db, seed=False)))
    token = env.get("DISCORD_TOKEN")
    if token:
        out.append(Component("discord", lambda: run_discord(db, token, env)))
    return out


def run_discord(db: str, token: str, env: Mapping[str, str]) -> None:
    """The Discord bot on its own event loop (this runs in a thread of its own)."""
    asyncio.run(discord_bot(db, env).start(token))


def discord_bot(db: str, env: Mapping[str, str]) -> adapters.discord.DiscordBot:
    """The Discord bot `serve` runs, with the same allowlists, admins and rate limit as `gapbot discord` (on
    Postgres, the rate limit and notices counted with every other worker's)."""
    return adapters.discord.create_bot(db, seed=False, policy=adapters.discord.guard_from_env(env).policy)


def _thread(component: Component) -> threading.Thread:
    def target() -> None:
        try:
            component.run()
        except Exception:
            logger.exception("%s stopped with an error", component.name)

    thread = threading.Thread(target=target, name=component.name, daemon=True)
    thread.start()
    return thread


def serve(*, db: str, seed: bool, env: Mapping[str, str], poll_seconds: float = 1.0) -> int:
    """Run every configured component; returns 1 as soon as one stops (so the process manager restarts us)."""
    corpus = Corpus.open(db, seed=seed)  # seed once, before the components open the database themselves
    parts = components(env, db=db, corpus=corpus, config=Config.from_env(env, db=db))
    for reason in skipped(env):
        print(f"gapbot serve: {reason}", file=sys.stderr)
    print("gapbot serve: running " + ", ".join(c.name for c in parts), file=sys.stderr, flush=True)
    threads = [_thread(c) for c in parts]
    _stop_on_sigterm()
    try:
        while all(t.is_alive() for t in threads):
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        stop_all()
        return 0
    stopped = [t.name for t in threads if not t.is_alive()]
    print(f"gapbot serve: {', '.join(stopped)} stopped; exiting", file=sys.stderr)
    return 1
