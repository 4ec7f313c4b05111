"""The digest on Discord: embeds posted to a channel through the REST API (with a nonce and enforce_nonce, so
a retried post is not duplicated) or to a webhook URL. Each message carries its key in the last embed's
footer, so an interrupted run can find what it posted in the channel history."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.discord.markup import defuse, escape
from adapters.discord.rest import DiscordAPI, message_id
from bot.digest.content import Digest, DigestItem
from bot.digest.deliver import Part, PostError, Unverifiable
from bot.digest.fit import clip, whole_sentences
from corpus.digest_models import parse_iso

CONTENT_LIMIT, DESCRIPTION_LIMIT, TITLE_LIMIT, FOOTER_LIMIT = 2000, 4096, 256, 2048
MESSAGE_BUDGET = 5500  # of the 6,000 characters all embeds of a message may hold
PER_MESSAGE = 5  # embeds (articles) per message; Discord allows 10
DISCORD_EPOCH_MS = 1420070400000
LOOKBACK = timedelta(minutes=2)
NO_PINGS: dict[str, list[str]] = {"parse": []}
COLOR = 0x3B6EA5


def item_embed(item: DigestItem, *, footer_extra: str = "") -> dict[str, Any]:
    """One article as an embed: linked title, summary cut only between sentences, estimates, names."""
    tail = [f"**Gap estimate:** {escape(e)}" for e in item.estimates]
    if item.entities:
        tail.append("**Names:** " + escape(", ".join(item.entities)))
    budget = min(DESCRIPTION_LIMIT, 1800) - len("\n".join(tail)) - 2
    summary = " ".join(whole_sentences([escape(s) for s in item.summary], budget))
    description = "\n".join(x for x in [summary, *tail] if x)
    embed: dict[str, Any] = {"title": clip(defuse(item.title), TITLE_LIMIT), "color": COLOR,
                             "description": clip(description, DESCRIPTION_LIMIT)}
    if item.url and item.url.startswith(("http://", "https://")):
        embed["url"] = item.url
    footer = " · ".join(x for x in (defuse(item.byline), footer_extra) if x)
    if footer:
        embed["footer"] = {"text": clip(footer, FOOTER_LIMIT)}
    return embed


def embed_size(embed: dict[str, Any]) -> int:
    """Characters that count towards Discord's 6,000 per message."""
    return len(embed.get("title", "")) + len(embed.get("description", "")) + len(
        (embed.get("footer") or {}).get("text", "")) + 40  # 40: room for the key added to the last footer


def plan_parts(digest: Digest, *, per_message: int = PER_MESSAGE) -> list[Part]:
    """Messages of at most per_message articles and MESSAGE_BUDGET characters of embeds."""
    chunks: list[list[DigestItem]] = [[]]
    used = 0
    for item in digest.items:
        size = embed_size(item_embed(item))
        if chunks[-1] and (len(chunks[-1]) == per_message or used + size > MESSAGE_BUDGET):
            chunks.append([])
            used = 0
        chunks[-1].append(item)
        used += size
    n = len(chunks)
    return [Part(c, i, n, header=i == 0, footer=i == n - 1) for i, c in enumerate(chunks)]


def render_message(digest: Digest, part: Part, *, key: str) -> dict[str, Any]:
    """The message body: header and closing as content, one embed per article, the key in the last footer."""
    lines = [f"**{escape(digest.title)}**", escape(digest.period)] if part.header else []
    if part.total > 1:
        lines.append(f"({part.index + 1}/{part.total})")
    if part.footer:
        lines += [escape(digest.gap), escape(digest.closing)]
    embeds = [item_embed(it, footer_extra=f"digest {key}" if i == len(part.items) - 1 else "")
              for i, it in enumerate(part.items)]
    return {"content": clip("\n".join(x for x in lines if x), CONTENT_LIMIT), "embeds": embeds,
            "allowed_mentions": NO_PINGS}


def snowflake_at(stamp: str) -> int:
    """The smallest Discord id of a message created at stamp (minus the lookback)."""
    ms = int((parse_iso(stamp) - LOOKBACK).timestamp() * 1000)
    return max(ms - DISCORD_EPOCH_MS, 0) << 22


def carries(message: dict[str, Any], key: str) -> bool:
    """Whether a Discord message carries the key (in an embed footer or the content)."""
    footers = [(e.get("footer") or {}).get("text", "") for e in message.get("embeds") or []]
    return any(key in t for t in footers + [message.get("content") or ""])


class DiscordChannelPoster:
    """Posts digests to a Discord channel as the bot (DISCORD_TOKEN)."""

    def __init__(self, api: DiscordAPI, channel: str):
        self.api, self.channel = api, channel

    def plan(self, digest: Digest) -> list[Part]:
        """Messages within Discord's limits."""
        return plan_parts(digest)

    def render(self, digest: Digest, part: Part, *, key: str) -> dict[str, Any]:
        """The create-message body, with the key as nonce (enforced: a retried post returns the first)."""
        return {**render_message(digest, part, key=key), "nonce": key, "enforce_nonce": True}

    def send(self, payload: dict[str, Any], *, key: str, thread: str | None) -> str:
        """POST /channels/{id}/messages; returns the message id."""
        if not self.api.token:
            raise PostError("DISCORD_TOKEN is not set")
        return message_id(self.api.call("POST", f"{self.api.base_url}/channels/{self.channel}/messages",
                                        json=payload, safe_retry=True))

    def find(self, *, key: str, thread: str | None, since: str) -> str | None:
        """The id of the channel message carrying key, if it was posted."""
        if not self.api.token:
            raise PostError("DISCORD_TOKEN is not set")
        return next((str(m["id"]) for m in self.api.channel_messages(self.channel, after=snowflake_at(since))
                     if carries(m, key)), None)


class WebhookPoster:
    """Posts digests to a Discord webhook URL (no bot needed; checking after a crash needs DISCORD_TOKEN)."""

    def __init__(self, api: DiscordAPI, url: str):
        self.api, self.url = api, url.split("?")[0]

    def plan(self, digest: Digest) -> list[Part]:
        """Messages within Discord's limits."""
        return plan_parts(digest)

    def render(self, digest: Digest, part: Part, *, key: str) -> dict[str, Any]:
        """The execute-webhook body (webhooks take no nonce)."""
        return {**render_message(digest, part, key=key), "username": "gapbot"}

    def send(self, payload: dict[str, Any], *, key: str, thread: str | None) -> str:
        """POST the webhook with ?wait=true, which returns the created message."""
        return message_id(self.api.call("POST", self.url, params={"wait": "true"}, json=payload,
                                        safe_retry=False, auth=False))

    def find(self, *, key: str, thread: str | None, since: str) -> str | None:
        """Look in the webhook's channel (readable only with a bot token) for the message carrying key."""
        if not self.api.token:
            raise Unverifiable("a webhook's channel can only be checked with DISCORD_TOKEN set (a bot that "
                               "can read the channel)")
        channel = self.api.call("GET", self.url, safe_retry=True, auth=False)["channel_id"]
        return DiscordChannelPoster(self.api, str(channel)).find(key=key, thread=thread, since=since)
