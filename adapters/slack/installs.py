"""Installing gapbot in several workspaces: Bolt's OAuth flow (GET /slack/install, /slack/oauth_redirect) with
slack-sdk's SQLAlchemy installation and state stores on the corpus's own database, so that every worker on it
answers each workspace with that workspace's bot token."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from adapters.slack.app import INSTALL_PATH, REDIRECT_PATH
from adapters.slack.manifest import SCOPES
from corpus.storage import sqlalchemy_url

if TYPE_CHECKING:
    from corpus.api import Corpus

log = logging.getLogger(__name__)
STATE_SECONDS = 600  # how long an install link stays good, as Bolt's default


@dataclass(frozen=True)
class OAuthApp:
    """The app's credentials from Basic Information, and the redirect URL if Slack has more than one."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_url: str | None = None


@dataclass(frozen=True)
class Installs:
    """Where installations and the install links' states are kept: tables beside the corpus's own."""

    installations: SQLAlchemyInstallationStore
    states: SQLAlchemyOAuthStateStore

    @classmethod
    def on(cls, db: str, *, client_id: str) -> Installs:
        """The stores on the database at db (an SQLite file or a Postgres URL); nothing is read yet."""
        # pre-ping: a worker idle for hours must not fail its next event on a connection the server closed
        engine = sqlalchemy.create_engine(sqlalchemy_url(db), pool_pre_ping=True)
        return cls(SQLAlchemyInstallationStore(client_id=client_id, engine=engine),
                   SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine))

    def create_tables(self, corpus: Corpus) -> None:
        """Create the stores' tables if missing, one worker at a time (after the corpus's own schema: a new
        SQLite file holding only these tables would look like another application's)."""
        with corpus.store.changing_schema():
            self.installations.create_tables()
            self.states.create_tables()

    def bot_token(self, team: str | None, *, enterprise: str | None = None) -> str | None:
        """The bot token a workspace (or Enterprise Grid org) installed gapbot with; None if it has not (or
        the database cannot say: no worker has made the tables yet, or it is unreachable)."""
        try:
            bot = self.installations.find_bot(enterprise_id=enterprise, team_id=team)
        except sqlalchemy.exc.SQLAlchemyError as e:
            log.warning("cannot read the Slack installations: %s", type(e).__name__)
            return None
        return bot.bot_token if bot is not None else None


def oauth_settings(app: OAuthApp, installs: Installs) -> OAuthSettings:
    """Bolt's OAuth settings: the manifest's bot scopes (so the two never differ), bot tokens only, and
    installations kept in installs."""
    settings = OAuthSettings(client_id=app.client_id, client_secret=app.client_secret, scopes=SCOPES,
                             redirect_uri=app.redirect_url, install_path=INSTALL_PATH,
                             redirect_uri_path=REDIRECT_PATH, installation_store=installs.installations,
                             installation_store_bot_only=True, state_store=installs.states,
                             state_expiration_seconds=STATE_SECONDS, logger=log)
    if isinstance(settings.authorize, InstallationStoreAuthorize):
        # each request still looks its workspace's install up (an uninstall counts at once); only Slack's
        # auth.test of a token already checked is remembered, so an event's ack does not wait on it each time
        settings.authorize.cache_enabled = True
    return settings
