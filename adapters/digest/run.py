"""Running digests: the platform settings from the environment, a poster per destination, one run over all."""
from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping

import httpx

from adapters.digest.discord import API_URL, DiscordAPI, DiscordChannelPoster, WebhookPoster
from adapters.digest.slack import SlackPoster, client_for
from bot.digest import store
from bot.digest.deliver import Checkpoint, Deliverer, Outcome, Poster
from bot.digest.model import Destination
from bot.reply import UserError
from corpus.fetch import Fetcher, Reach

if TYPE_CHECKING:
    from corpus.index import Corpus

log = logging.getLogger(__name__)
KILL_ENV = "GAPBOT_DIGEST_KILL_AT"  # testing only: SIGKILL this process at the Nth checkpoint of a run


@dataclass(frozen=True)
class Config:
    """Platform settings, read from the environment at the edge and passed down."""

    slack_token: str | None = None
    slack_api_url: str | None = None
    discord_token: str | None = None
    discord_api_url: str = API_URL
    poll_minutes: float = 30.0
    kill_at: int | None = None
    reach: Reach = Reach()  # which non-public addresses feeds and their pages may be fetched from

    def fetcher(self) -> Fetcher:
        """The fetcher for feeds and their entry pages (30 s for any one of them, all told)."""
        return Fetcher(reach=self.reach, deadline=30.0)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Config":
        """SLACK_BOT_TOKEN, SLACK_API_URL, DISCORD_TOKEN, DISCORD_API_URL, FEED_POLL_MINUTES,
        GAPBOT_ALLOW_PRIVATE_URLS."""
        kill = env.get(KILL_ENV, "")
        try:
            reach = Reach.from_env(env)
        except ValueError as e:
            raise UserError(str(e)) from None
        return cls(slack_token=env.get("SLACK_BOT_TOKEN") or None,
                   slack_api_url=env.get("SLACK_API_URL") or None,
                   discord_token=env.get("DISCORD_TOKEN") or None,
                   discord_api_url=env.get("DISCORD_API_URL") or API_URL,
                   poll_minutes=float(env.get("FEED_POLL_MINUTES") or 30),
                   kill_at=int(kill) if kill else None, reach=reach)


_http: httpx.Client | None = None
_http_lock = threading.Lock()


def shared_http() -> httpx.Client:
    """One HTTP client for every Discord call of the process (building one loads the CA store: slow)."""
    global _http
    with _http_lock:
        if _http is None:
            _http = httpx.Client(timeout=15.0)
        return _http


def poster_for(dest: Destination, config: Config, *, http: httpx.Client | None = None) -> Poster:
    """The platform poster for a destination."""
    if dest.platform == "slack":
        return SlackPoster(client_for(config.slack_token, config.slack_api_url), dest.address)
    api = DiscordAPI(http or shared_http(), base_url=config.discord_api_url, token=config.discord_token)
    if dest.platform == "discord":
        return DiscordChannelPoster(api, dest.address)
    return WebhookPoster(api, dest.address)


def kill_switch(n: int | None) -> Checkpoint | None:
    """A checkpoint hook that SIGKILLs this process at the nth checkpoint (crash tests)."""
    if not n:
        return None
    seen = [0]

    def checkpoint(name: str) -> None:
        seen[0] += 1
        if seen[0] == n:
            log.warning("killing myself at checkpoint %d (%s)", n, name)
            os.kill(os.getpid(), signal.SIGKILL)

    return checkpoint


class Runner:
    """Runs digests for the destinations of one corpus."""

    def __init__(self, corpus: "Corpus", config: Config, *, poll: Callable[[], object] | None = None):
        self.corpus, self.config, self.poll = corpus, config, poll
        self.deliverer = Deliverer(corpus, checkpoint=kill_switch(config.kill_at))

    def destinations(self, only: str | None = None) -> list[Destination]:
        """Every destination, or just the one named."""
        dests = store.all_destinations(self.corpus.store.db)
        return [d for d in dests if only in (None, d.target, str(d.id))]

    def run_all(self, *, dry_run: bool = False, only: str | None = None) -> list[Outcome]:
        """Post (or preview) every destination's digest; feeds are polled first unless previewing."""
        if self.poll and not dry_run:
            self.poll()
        return [self.one(d, dry_run=dry_run) for d in self.destinations(only)]

    def one(self, dest: Destination, *, dry_run: bool = False) -> Outcome:
        """Post (or preview) one destination's digest."""
        poster = poster_for(dest, self.config)
        return self.deliverer.preview(dest, poster) if dry_run else self.deliverer.run(dest, poster)

    def scheduled(self, dest_id: int) -> None:
        """The scheduler's job: post the destination's digest if it still exists. It never polls the feeds
        first: the scheduler's own feed job does that, so a slow or hostile feed cannot delay a digest."""
        dest = store.get(self.corpus.store.db, dest_id)
        if dest is not None:
            out = self.one(dest)
            log.info("digest %s: %s %s", out.target, out.status, out.error or "")
