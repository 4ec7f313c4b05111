"""The platforms as configured in the environment: their settings, and the digest service wired to them
(a Slack or Discord poster for each destination). It imports both platform adapters: it is part of the
composition root, with serve.py."""
from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping

import httpx

from adapters.discord.digest import DiscordChannelPoster, WebhookPoster
from adapters.discord.rest import API_URL, DiscordAPI
from adapters.slack.digest import SlackPoster, client_for
from bot.digest.deliver import Checkpoint, Poster
from bot.digest.service import DigestService
from bot.reply import UserError
from corpus.digest_models import Destination
from corpus.fetch import Fetcher, Reach

if TYPE_CHECKING:
    from corpus.api import Corpus

logger = logging.getLogger(__name__)
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


def poster_for(dest: Destination, config: Config, *, http: httpx.Client | None = None) -> Poster:
    """The platform poster for a destination."""
    if dest.platform == "slack":
        return SlackPoster(client_for(config.slack_token, config.slack_api_url), dest.address)
    api = DiscordAPI(http, base_url=config.discord_api_url, token=config.discord_token)
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
            logger.warning("killing myself at checkpoint %d (%s)", n, name)
            os.kill(os.getpid(), signal.SIGKILL)

    return checkpoint


def digest_service(corpus: "Corpus", config: Config, *,
                   poll: Callable[[], object] | None = None) -> DigestService:
    """The digest service of a corpus, posting to the platforms as configured."""
    return DigestService(corpus, posters=lambda dest: poster_for(dest, config), poll=poll,
                         checkpoint=kill_switch(config.kill_at))
