"""`gapbot slack`: run the Slack app in Socket Mode or HTTP mode (see the Slack section of README.md)."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from adapters.adding import intake_from_env
from adapters.slack.app import INSTALL_PATH, create_app
from adapters.slack.deliver import web_client
from adapters.slack.installs import Installs, OAuthApp, oauth_settings
from adapters.slack.manifest import to_yaml
from adapters.slack.server import SlackServer, make_server
from adapters.warmup import warm_up
from bot.guard import Guard, Policy
from bot.intake import Intake
from corpus.api import Corpus
from corpus.shared_state import PgSharedState, SharedState
from corpus.storage import is_url

if TYPE_CHECKING:
    from corpus.pg_store import PgStore

log = logging.getLogger(__name__)


class ConfigError(Exception):
    """Something missing from the environment; the message says what and where to find it."""


@dataclass(frozen=True)
class Settings:
    """What the environment says: tokens (or the OAuth app's credentials), signing secret, Web API base URL,
    who may use the bot where, and the add rules with the fetcher for links shared in chat."""

    bot_token: str | None = field(repr=False)  # secrets stay out of any repr that reaches a log
    signing_secret: str = field(repr=False)
    app_token: str | None = field(repr=False)
    api_url: str | None
    policy: Policy = field(default_factory=Policy)
    intake: Intake | None = None
    oauth: OAuthApp | None = None  # set: installed in several workspaces, each answered with its own token

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, socket: bool) -> Settings:
        """Read SLACK_* variables; socket mode needs the app token, HTTP mode the signing secret, and the bot
        token is needed unless SLACK_CLIENT_ID and SLACK_CLIENT_SECRET install the app with OAuth."""
        oauth = _oauth(env, socket=socket)
        bot_token = None if oauth else _need(env, "SLACK_BOT_TOKEN",
                                             "the Bot User OAuth Token (xoxb-…) from OAuth & Permissions")
        if socket:
            app_token = _need(env, "SLACK_APP_TOKEN", "an app-level token (xapp-…) with connections:write, "
                              "from Basic Information -> App-Level Tokens")
            secret = env.get("SLACK_SIGNING_SECRET", "")
        else:
            app_token = None
            secret = _need(env, "SLACK_SIGNING_SECRET", "the Signing Secret from Basic Information")
        try:
            policy = Policy.from_env(env, spaces="GAPBOT_SLACK_TEAMS", channels="GAPBOT_SLACK_CHANNELS")
            intake = intake_from_env(env)
        except ValueError as e:
            raise ConfigError(str(e)) from None
        return cls(bot_token, secret, app_token, env.get("SLACK_API_URL") or None, policy, intake, oauth)


def _oauth(env: Mapping[str, str], *, socket: bool) -> OAuthApp | None:
    """The OAuth app when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set (HTTP mode only), else None."""
    given = [name for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET") if env.get(name, "").strip()]
    if not given:
        return None
    if socket:
        raise ConfigError(f"{given[0]} installs the app in several workspaces, which needs HTTP mode: run "
                          f"`gapbot slack --http` (Socket Mode serves the one workspace of SLACK_BOT_TOKEN)")
    what = "the app's Client ID and Client Secret from Basic Information -> App Credentials"
    return OAuthApp(_need(env, "SLACK_CLIENT_ID", what), _need(env, "SLACK_CLIENT_SECRET", what),
                    env.get("SLACK_REDIRECT_URI") or None)


def _need(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set: it must hold {what}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """`gapbot slack` options."""
    p = argparse.ArgumentParser(prog="gapbot slack", description="Run the Slack app.")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--socket", action="store_true",
                      help="Socket Mode (SLACK_APP_TOKEN; no public URL needed)")
    mode.add_argument("--http", action="store_true", help="HTTP mode: POST /slack/events and GET /healthz")
    mode.add_argument("--manifest", action="store_true", help="print the Slack app manifest and exit")
    p.add_argument("--port", type=int, default=None, help="HTTP port (default $PORT or 3000); with --socket, "
                   "serves only /healthz")
    p.add_argument("--host", default="127.0.0.1",
                   help="HTTP address to listen on (default 127.0.0.1, this machine "
                   "only; give 0.0.0.0 to listen on every interface, e.g. in a container)")
    p.add_argument("--url", help="with --manifest: the app's public https URL (HTTP mode instead of Socket "
                   "Mode)")
    return p


def main(argv: list[str], *, db: str, seed: bool = True) -> int:
    """Entry point of `gapbot slack …` (argv[0] is "slack"): 0 on a clean
    stop, 1 on failure, 2 on bad usage."""
    args = build_parser().parse_args(argv[1:])
    if args.manifest:
        print(to_yaml(url=args.url), end="")
        return 0
    socket = args.socket or (not args.http and bool(os.environ.get("SLACK_APP_TOKEN")))
    try:
        settings = Settings.from_env(os.environ, socket=socket)
    except ConfigError as e:
        print(f"gapbot slack: {e}", file=sys.stderr)
        return 2
    return run(settings, db=db, seed=seed, socket=socket, host=args.host, port=_port(args.port, socket))


def _port(port: int | None, socket: bool) -> int | None:
    if port is not None:
        return port
    if os.environ.get("PORT"):
        return int(os.environ["PORT"])
    return None if socket else 3000


def run(settings: Settings, *, db: str, seed: bool, socket: bool, host: str, port: int | None) -> int:
    """Check the token (with OAuth there is none: each workspace has its own), open the corpus in the
    background, and serve until stopped."""
    if settings.oauth is None and (problem := check_token(settings)) is not None:
        print(f"gapbot slack: {problem}", file=sys.stderr)
        return 1
    installs = Installs.on(db, client_id=settings.oauth.client_id) if settings.oauth else None
    ready = open_corpus_in_background(db, seed=seed, then=installs.create_tables if installs else None)
    app = worker_app(settings, ready, db=db, installs=installs)
    _stop_on_sigterm()
    if socket:
        return serve_socket(app, settings.app_token or "", ready, host=host, port=port)
    return serve_http(app, ready, host=host, port=port or 3000)


def worker_app(settings: Settings, ready: Future[Corpus], *, db: str,
               installs: Installs | None = None) -> App:
    """The app one `gapbot slack` process serves: on Postgres, the events it answers, the rate limit and the
    notices told once are shared with every other worker on the database; with OAuth, the installations too
    (kept in installs, by default on db)."""
    shared = shared_state(db, ready)
    # verify_token: Bolt keeps this auth.test result, so no request ever waits for one before its ack
    guard = Guard(settings.policy, shared=shared)
    oauth = None
    if settings.oauth is not None:
        installs = installs or Installs.on(db, client_id=settings.oauth.client_id)
        oauth = oauth_settings(settings.oauth, installs)
    return create_app(ready.result, token=settings.bot_token, signing_secret=settings.signing_secret,
                      api_url=settings.api_url, verify_token=True, guard=guard,
                      seen=shared.seen_events(ttl=3600.0) if shared else None, intake=settings.intake,
                      oauth=oauth)


def check_token(settings: Settings) -> str | None:
    """None if Slack accepts the bot token, else a one-line reason (the token itself is never shown)."""
    try:
        web_client(settings.bot_token, settings.api_url).auth_test()
    except SlackApiError as e:
        return f"Slack refused SLACK_BOT_TOKEN ({e.response.get('error')})"
    except OSError as e:
        return f"cannot reach the Slack Web API at {settings.api_url or 'slack.com'}: {e}"
    return None


def open_corpus_in_background(db: str, *, seed: bool,
                              then: Callable[[Corpus], None] | None = None) -> Future[Corpus]:
    """Open (and on first run seed) the corpus, then load the model, off the main thread; then, if given, is
    called with the open corpus before it is ready."""
    ready: Future[Corpus] = Future()

    def work() -> None:
        try:
            corpus = Corpus.open(db, seed=seed)
            if then is not None:
                then(corpus)
            ready.set_result(corpus)
        except BaseException as e:  # noqa: BLE001 (handed to the waiting main thread, which reports it)
            ready.set_exception(e)
            return
        warm_up(ready.result())

    threading.Thread(target=work, name="gapbot-start", daemon=True).start()
    return ready


def shared_state(db: str, ready: Future[Corpus]) -> SharedState | None:
    """On Postgres, the event ids, rate limits and notices every worker on the database shares, read through
    the corpus's connections once it is open (on a new database the first events wait for its seeding);
    None on SQLite, where this process keeps them in memory."""
    if not is_url(db):
        return None
    return PgSharedState(lambda: cast("PgStore", ready.result().store).db)


def health(ready: Future[Corpus]) -> dict[str, Any]:
    """What GET /healthz reports: whether the corpus is open, and how many articles it holds."""
    if not ready.done():
        return {"ready": False}
    return {"ready": True, "articles": ready.result().count()}


def serve_http(app: App, ready: Future[Corpus], *, host: str, port: int) -> int:
    """HTTP mode: serve POST /slack/events and GET /healthz until stopped."""
    server = make_server(app, host=host, port=port, health=lambda: health(ready), ready=ready.done)
    print(f"gapbot slack: listening on http://{host}:{server.server_port}/slack/events", file=sys.stderr)
    if app.oauth_flow is not None:
        print(f"gapbot slack: installs from http://{host}:{server.server_port}{INSTALL_PATH}",
              file=sys.stderr)
    return _serve_until_stopped(server, ready)


def serve_socket(app: App, app_token: str, ready: Future[Corpus], *, host: str, port: int | None) -> int:
    """Socket Mode: one outbound websocket to Slack; with a port, /healthz is served there too."""
    handler = SocketModeHandler(app, app_token)
    try:
        if (problem := connect_socket(handler)) is not None:
            print(f"gapbot slack: {problem}", file=sys.stderr)
            return 1
        print("gapbot slack: connected in Socket Mode", file=sys.stderr)
        server = make_server(None, host=host, port=port,
                             health=lambda: health(ready)) if port is not None else None
        return _serve_until_stopped(server, ready)
    finally:
        handler.close()


def connect_socket(handler: SocketModeHandler) -> str | None:
    """Open the Socket Mode connection; None on success, else a one-line reason (never the token)."""
    try:
        handler.connect()
    except SlackApiError as e:
        return f"Slack refused SLACK_APP_TOKEN ({e.response.get('error')})"
    except OSError as e:
        return f"cannot open the Socket Mode connection: {e}"
    return None


def _serve_until_stopped(server: SlackServer | None, ready: Future[Corpus]) -> int:
    """Serve (if there is a server) until Ctrl-C or SIGTERM; 1 if the corpus cannot be opened."""
    if server is not None:
        threading.Thread(target=server.serve_forever, name="gapbot-http", daemon=True).start()
    try:
        ready.result()
        threading.Event().wait()
    except KeyboardInterrupt:
        return 0
    except Exception as e:  # noqa: BLE001 (whatever stopped the corpus opening, say it and stop)
        print(f"gapbot slack: cannot open the corpus: {e}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    return 0


def _stop_on_sigterm() -> None:
    # platforms stop a dyno or container with SIGTERM; treat it like Ctrl-C so sockets close cleanly
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)
