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
from adapters.slack.installs import Installs
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
    # installed in several workspaces (SLACK_CLIENT_ID): a workspace's bot token, None where not installed
    slack_tokens: Callable[[str], str | None] | None = None
    discord_token: str | None = None
    discord_api_url: str = API_URL
    poll_minutes: float = 30.0
    kill_at: int | None = None
    reach: Reach = Reach()  # which non-public addresses feeds and their pages may be fetched from

    def fetcher(self) -> Fetcher:
        """The fetcher for feeds and their entry pages (30 s for any one of them, all told)."""
        return Fetcher(reach=self.reach, deadline=30.0)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, *, db: str | None = None) -> "Config":
        """SLACK_BOT_TOKEN, SLACK_API_URL, DISCORD_TOKEN, DISCORD_API_URL, FEED_POLL_MINUTES,
        GAPBOT_ALLOW_PRIVATE_URLS; with SLACK_CLIENT_ID and the database at db, the workspaces' installs."""
        kill = env.get(KILL_ENV, "")
        try:
            reach = Reach.from_env(env)
        except ValueError as e:
            raise UserError(str(e)) from None
        client_id = env.get("SLACK_CLIENT_ID", "").strip()
        installs = Installs.on(db, client_id=client_id) if client_id and db else None
        return cls(slack_token=env.get("SLACK_BOT_TOKEN") or None,
                   slack_api_url=env.get("SLACK_API_URL") or None,
                   slack_tokens=installs.bot_token if installs else None,
                   discord_token=env.get("DISCORD_TOKEN") or None,
                   discord_api_url=env.get("DISCORD_API_URL") or API_URL,
                   poll_minutes=float(env.get("FEED_POLL_MINUTES") or 30),
                   kill_at=int(kill) if kill else None, reach=reach)


def poster_for(dest: Destination, config: Config, *, http: httpx.Client | None = None) -> Poster:
    """The platform poster for a destination."""
    if dest.platform == "slack":
        token, missing = slack_token(dest, config)
        return SlackPoster(client_for(token, config.slack_api_url), dest.address, missing=missing)
    api = DiscordAPI(http, base_url=config.discord_api_url, token=config.discord_token)
    if dest.platform == "discord":
        return DiscordChannelPoster(api, dest.address)
    return WebhookPoster(api, dest.address)


def slack_token(dest: Destination, config: Config) -> tuple[str | None, str]:
    """The token a Slack destination is posted with (its workspace's when the app is installed in several; a
    channel with no workspace recorded, SLACK_BOT_TOKEN's), and what to say when there is none."""
    if config.slack_tokens is None:
        return config.slack_token, "SLACK_BOT_TOKEN is not set"
    if dest.space is None:
        return config.slack_token, ("the channel's workspace is unknown (added on the command line): "
                                    "subscribe it from Slack with /gap digest subscribe")
    return (config.slack_tokens(dest.space),
            f"gapbot is not installed in workspace {dest.space}: install it from /slack/install")


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
