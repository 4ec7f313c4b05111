"""The digest on Slack: Block Kit messages (a long digest threads its articles under the header), each
carrying its key in message metadata so that an interrupted run can find what it posted in the history."""
from __future__ import annotations

from typing import Any, Iterator

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from adapters.slack.deliver import web_client
from adapters.slack.markup import encoded_link, escape, plain_text, strip_controls
from bot.digest.content import Digest, DigestItem
from bot.digest.deliver import Part, PostError, Unverifiable
from bot.digest.fit import clip, whole_sentences
from corpus.digest_models import parse_iso

EVENT_TYPE = "gapbot_digest"
SECTION_LIMIT = 3000  # characters of a section's text
HEADER_LIMIT = 150  # characters of a header block
PER_MESSAGE = 5  # articles per message; more than this and the articles go in a thread under the header
LOOKBACK = 120.0  # seconds before a pending post was logged that its message may carry as timestamp
HINTS = {"channel_not_found": "the channel does not exist or the bot cannot see it",
         "not_in_channel": "invite the bot to the channel", "is_archived": "the channel is archived",
         "invalid_auth": "check SLACK_BOT_TOKEN", "token_revoked": "the token was revoked; reinstall the app",
         "account_inactive": "the token was revoked; reinstall the app", "not_authed": "set SLACK_BOT_TOKEN",
         "missing_scope": "the app needs the chat:write scope"}


TIMEOUT = 15  # seconds for one Web API call of a digest run


def client_for(token: str | None, api_url: str | None) -> WebClient:
    """The Web API client without automatic retries: the deliverer decides what is safe to retry."""
    return web_client(token, api_url, timeout=TIMEOUT, retrying=False)


def slack_escape(text: str | None) -> str:
    """Digest text as mrkdwn: controls dropped, escaped and defused as every Slack reply is."""
    return escape(strip_controls(text))


def item_blocks(item: DigestItem) -> list[dict[str, Any]]:
    """One article: a mrkdwn section within Slack's limit, summary cut only between sentences."""
    head = [f"*{encoded_link(item.url, clip(item.title, 300))}*"]
    if item.byline:
        head.append(f"_{slack_escape(item.byline)}_")
    tail = [f"• Gap estimate: {slack_escape(e)}" for e in item.estimates]
    if item.entities:
        tail.append("_Names:_ " + slack_escape(", ".join(item.entities)))
    budget = SECTION_LIMIT - len("\n".join(head + tail)) - 2
    summary = whole_sentences([slack_escape(s) for s in item.summary], budget)
    text = "\n".join(head + ([" ".join(summary)] if summary else []) + tail)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}]


def _context(text: str) -> dict[str, Any]:
    element = {"type": "mrkdwn", "text": clip(slack_escape(text), SECTION_LIMIT)}
    return {"type": "context", "elements": [element]}


def header_blocks(digest: Digest, *, threaded: bool) -> list[dict[str, Any]]:
    """The digest's header: title, period, and for a threaded digest the list of what is in the thread."""
    title = {"type": "plain_text", "text": clip(plain_text(digest.title), HEADER_LIMIT)}
    blocks = [{"type": "header", "text": title}, _context(digest.period)]
    if threaded:
        titles = "\n".join(f"• {slack_escape(clip(i.title, 200))}" for i in digest.items)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(
            f"*In the thread:*\n{titles}", SECTION_LIMIT)}})
    return blocks


def footer_blocks(digest: Digest) -> list[dict[str, Any]]:
    """The gap picture and the closing line."""
    blocks: list[dict[str, Any]] = [{"type": "divider"}]
    if digest.gap:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": clip(slack_escape(digest.gap), SECTION_LIMIT)}})
    return blocks + [_context(digest.closing)]


class SlackPoster:
    """Posts digests to one Slack channel."""

    def __init__(self, client: WebClient, channel: str, *, per_message: int = PER_MESSAGE,
                 missing: str = "SLACK_BOT_TOKEN is not set"):
        self.client, self.channel, self.per_message = client, channel, per_message
        self.missing = missing  # what to say when the client has no token

    def plan(self, digest: Digest) -> list[Part]:
        """One message for a short digest; else a header and the articles threaded under it."""
        items = digest.items
        if len(items) <= self.per_message:
            return [Part(items, 0, 1, header=True, footer=True)]
        chunks = [items[i:i + self.per_message] for i in range(0, len(items), self.per_message)]
        total = len(chunks) + 1
        return [Part([], 0, total, header=True, footer=True)] + [
            Part(c, n, total, threaded=True) for n, c in enumerate(chunks, 1)]

    def render(self, digest: Digest, part: Part, *, key: str) -> dict[str, Any]:
        """chat.postMessage arguments for one part (5 articles: far below 50 blocks), key in metadata."""
        blocks = header_blocks(digest, threaded=part.total > 1) if part.header else []
        for item in part.items:
            blocks += item_blocks(item)
        blocks += footer_blocks(digest) if part.footer else []
        text = digest.title if part.header else f"{digest.title} ({part.index}/{part.total - 1})"
        return {"channel": self.channel, "text": slack_escape(text), "blocks": blocks,
                "unfurl_links": False, "unfurl_media": False,
                "metadata": {"event_type": EVENT_TYPE, "event_payload": {"key": key, "part": part.index}}}

    def send(self, payload: dict[str, Any], *, key: str, thread: str | None) -> str:
        """chat.postMessage; returns the message ts."""
        self._need_token()
        try:
            args: dict[str, Any] = {**payload, **({"thread_ts": thread} if thread else {})}
            resp = self.client.chat_postMessage(**args)
        except SlackApiError as e:
            raise api_error(e) from None
        except OSError as e:  # URLError, timeouts, resets: the message may or may not exist
            raise PostError(f"could not reach Slack ({type(e).__name__})", definite=False) from None
        if not resp.get("ts"):
            raise PostError("Slack answered without the message's ts", definite=False)
        return str(resp["ts"])

    def find(self, *, key: str, thread: str | None, since: str) -> str | None:
        """The ts of the message carrying key (in the thread, or the channel history since then)."""
        self._need_token()
        oldest = f"{parse_iso(since).timestamp() - LOOKBACK:.6f}"
        args = {"channel": self.channel, "oldest": oldest, "include_all_metadata": True, "limit": 200}
        try:
            for message in self._history(args, thread):
                if carries(message, key):
                    return str(message["ts"])
        except SlackApiError as e:
            if e.response.get("error") == "missing_scope":
                raise Unverifiable("cannot read the channel history to check an interrupted post: "
                                   "the app needs the channels:history scope") from None
            raise api_error(e) from None
        except OSError as e:
            raise PostError(f"could not reach Slack ({type(e).__name__})", definite=False) from None
        return None

    def _need_token(self) -> None:
        if not self.client.token:
            raise PostError(self.missing)

    def _history(self, args: dict[str, Any], thread: str | None) -> Iterator[dict[str, Any]]:
        cursor = None
        for _ in range(10):  # pages of 200: far more than a digest posts between two runs
            if thread:
                resp = self.client.conversations_replies(ts=thread, cursor=cursor, **args)
            else:
                resp = self.client.conversations_history(cursor=cursor, **args)
            yield from resp.get("messages") or []
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return


def carries(message: dict[str, Any], key: str) -> bool:
    """Whether a message from the history carries this digest key in its metadata."""
    meta = message.get("metadata") or {}
    return meta.get("event_type") == EVENT_TYPE and (meta.get("event_payload") or {}).get("key") == key


def api_error(e: SlackApiError) -> PostError:
    """A SlackApiError as a PostError: rate limits carry Retry-After; 5xx may have posted."""
    status = e.response.status_code
    if status == 429:
        retry = float(e.response.headers.get("Retry-After") or e.response.headers.get("retry-after") or 60)
        return PostError(f"rate limited by Slack (429, retry after {retry:g}s)", retry_after=retry)
    if status >= 500:
        return PostError(f"Slack error HTTP {status}", definite=False)
    error = str(e.response.get("error") or f"HTTP {status}")
    hint = HINTS.get(error)
    return PostError(f"Slack said {error}" + (f" ({hint})" if hint else ""))
