"""The Bolt app: Slack payloads in, Request to the core, Reply rendered back. No command logic here."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.adding import AddWorker
from adapters.slack.adding import SHORTCUT, SlackAdding, message_text
from adapters.slack.dedupe import SeenEvents, skip_repeats
from adapters.slack.deliver import Target, deliver, web_client
from adapters.slack.feedback import listen as listen_for_feedback
from adapters.slack.markup import from_slack
from adapters.slack.threads import earlier_answers
from bot.core import CorpusSource, Door, commands
from bot.guard import Guard
from bot.intake import Intake
from bot.registry import ENTRY
from bot.reply import OVERHEARD, SHARED, TYPED, Reply, Request
from corpus.shared_state import EventClaims

log = logging.getLogger(__name__)
Handler = Callable[[Request], Reply]
Thread = dict[str, Any]  # earlier_answers' keywords: the thread's ts, gapbot's user and bot ids
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"  # with OAuth: the "Add to Slack" page
REDIRECT_PATH = "/slack/oauth_redirect"  # with OAuth: where Slack sends the installer back
SLASH_COMMAND = f"/{ENTRY}"  # the app's one slash command; the core reads "/gap who NAME" as /who NAME


def create_app(corpus: CorpusSource | None, *, token: str | None, signing_secret: str,
               api_url: str | None = None, handler: Handler | None = None,
               verify_token: bool = False, seen: EventClaims | None = None, guard: Guard | None = None,
               intake: Intake | None = None, adds: AddWorker | None = None,
               oauth: OAuthSettings | None = None) -> App:
    """The Slack app: /gap (every other command is its subcommand), mentions and DMs, the "Add to gapbot"
    message shortcut and watched channels, through the door.

    corpus may be a callable that returns the corpus once it is open (start-up opens it in the background);
    handler replaces the commands behind the door (tests); seen remembers the events answered (default: this
    process's memory); guard applies allowlists, admins and the rate limit (default: none set, 10 commands a
    minute); intake lets /add fetch (none: adding is not set up); oauth installs the app in several
    workspaces and answers each with its own bot token (then token is None).
    Acks happen in the request thread; answers run in Bolt's workers, adds on the add worker.
    """
    door = Door(corpus, guard=guard or Guard(), answer=handler, intake=intake)  # type: ignore[arg-type]
    listeners = SlackListeners(door, SlackAdding(adds or AddWorker()))
    app = App(client=web_client(token, api_url), signing_secret=signing_secret, name="gapbot",
              token_verification_enabled=verify_token, process_before_response=True, oauth_settings=oauth)
    if oauth is not None:
        app.enable_token_revocation_listeners()  # app_uninstalled and tokens_revoked delete the install
    app.use(skip_repeats(seen or SeenEvents()))
    # the manifest declares only /gap; the others are heard too for an app whose owner added some by hand
    for name in dict.fromkeys([SLASH_COMMAND, *(f"/{c.name}" for c in commands())]):
        app.command(name)(ack=acknowledge, lazy=[listeners.answer_command])
    app.event("app_mention")(ack=acknowledge, lazy=[listeners.answer_mention])
    app.event("message")(ack=acknowledge, lazy=[listeners.answer_message])
    listen_for_feedback(app, door)  # the 👍/👎 and "Share with channel" buttons under answers
    app.message_shortcut(SHORTCUT)(ack=acknowledge, lazy=[listeners.answer_shortcut])
    app.error(log_error)
    return app


def acknowledge(ack: Ack) -> None:
    """Tell Slack at once that the request arrived; the answer follows from a worker."""
    ack()


def log_error(error: Exception, body: dict[str, Any]) -> None:
    """Log a listener failure with the kind of payload, never its tokens."""
    kind = body.get("type") or body.get("command")
    log.error("Slack listener failed on a %s payload", kind, exc_info=error)


class SlackListeners:
    """Bolt's listeners for the three conversations gapbot takes part in, each a Request for the door."""

    def __init__(self, door: Door, adding: SlackAdding):
        self.door = door
        self.adding = adding

    def answer_command(self, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """A slash command: answered through its response_url (works in channels the bot is not in)."""
        name = command["command"].lstrip("/")
        target = Target(channel=command["channel_id"], user=command.get("user_id"),
                        response_url=command.get("response_url"), team=_team(context),
                        is_dm=str(command["channel_id"]).startswith("D"))
        self.answer(f"/{name} {from_slack(command.get('text', ''))}".strip(), target, client)

    def answer_mention(self, event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """@gapbot in a channel: answered in the message's thread."""
        target = Target(channel=event["channel"], user=event.get("user"),
                        thread_ts=event.get("thread_ts") or event.get("ts"), team=_team(context))
        self.answer(from_slack(event.get("text", "")), target, client, thread=_thread(event, context))

    def answer_message(self, event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """A direct message to the bot: answered in the DM; in a channel, overheard (edits, joins and bots'
        messages are ignored)."""
        if event.get("subtype") or event.get("bot_id"):
            return
        if event.get("channel_type") != "im":
            self.overhear(event, client, context)
            return
        target = Target(channel=event["channel"], user=event.get("user"), thread_ts=event.get("thread_ts"),
                        is_dm=True, team=_team(context))
        self.answer(from_slack(event.get("text", "")), target, client, thread=_thread(event, context))

    def answer_shortcut(self, shortcut: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """"Add to gapbot" on a message: its links added as the user who clicked; only they see the reply."""
        target = Target(channel=shortcut["channel"]["id"], user=shortcut["user"]["id"], team=_team(context),
                        response_url=shortcut.get("response_url"))
        self.answer(f"/add {message_text(shortcut.get('message') or {})}", target, client, via=SHARED)

    def overhear(self, event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """A message posted in a channel: in a watched one its links are added and it gets reactions."""
        if context.bot_user_id and f"<@{context.bot_user_id}>" in event.get("text", ""):
            return  # a mention: answered as one
        target = Target(channel=event["channel"], user=event.get("user"), thread_ts=event.get("thread_ts"),
                        team=_team(context))
        try:
            request = replace(slack_request(message_text(event), target, client), via=OVERHEARD)
            self.adding.overheard(self.door.admit(request), target, event["ts"], client)
        except Exception:  # a worker thread: the log is the only place anyone hears of it
            log.exception("reading a message in %s failed", target.channel)

    def answer(self, text: str, target: Target, client: WebClient, *, via: str = TYPED,
               thread: Thread | None = None) -> None:
        """Ask the door and post its reply (an add's when the add worker is done), reading the thread it was
        asked in (if any) once admitted; a failure is logged with its traceback (Bolt would drop it)."""
        try:
            admission = self.door.admit(replace(slack_request(text, target, client), via=via))
            if admission.repeat:
                log.info("user %s in %s was refused before; not answering again", target.user, target.channel)
                return
            if admission.fetches:
                self.adding.later(admission, target, client)
                return
            if admission.refusal is None and thread is not None:
                follows = earlier_answers(client, channel=target.channel, **thread)
                admission = replace(admission, request=replace(admission.request, follows=follows))
            reply = admission.reply()
            deliver(client, reply, target, posted=partial(self.door.posted, reply.answer_id))
        except SlackApiError as e:
            log.warning("Slack refused the reply in %s: %s", target.channel, e.response.get("error"))
        except Exception:  # a worker thread: the log is the only place anyone hears of it
            log.exception("answering in %s failed", target.channel)


def slack_request(text: str, target: Target, client: WebClient) -> Request:
    """The Request for text typed where target says (Slack is asked about admin rights only if needed)."""
    return Request(text=text, platform="slack", user=target.user, channel=target.channel, space=target.team,
                   thread=target.thread_ts, direct=target.is_dm,
                   admin_check=partial(is_workspace_admin, client, target.user))


def _thread(event: dict[str, Any], context: BoltContext) -> Thread | None:
    """Where to read the thread a message was sent in, and who gapbot is there; None outside a thread."""
    if not event.get("thread_ts"):
        return None
    return {"thread_ts": event["thread_ts"], "bot_user": context.bot_user_id, "bot_id": context.bot_id}


def _team(context: BoltContext) -> str | None:
    return context.team_id or context.enterprise_id


def is_workspace_admin(client: WebClient, user: str | None) -> bool:
    """Whether Slack says the user is an admin or owner of the workspace."""
    if not user:
        return False
    try:
        info = client.users_info(user=user)["user"]
    except SlackApiError as e:
        log.warning("users.info failed: %s", e.response.get("error"))
        return False
    return bool(info.get("is_admin") or info.get("is_owner"))
