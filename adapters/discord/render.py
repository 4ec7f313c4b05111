"""Reply -> Discord messages: embeds within Discord's limits, plain text split cleanly, nothing can ping."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import discord

from adapters.discord.feedback import vote_components, vote_view
from adapters.discord.markup import plain
from bot.feedback import votable
from bot.reply import Citation, Reply

MESSAGE_LIMIT = 2000  # characters of a message's content
DESCRIPTION_LIMIT = 4096  # characters of an embed's description
TITLE_LIMIT = 256
FOOTER_LIMIT = 256  # Discord allows 2,048; ours is one line, and the embed total must stay under 6,000
COLOUR = discord.Colour(0x2B6CB0)
MISS_COLOUR = discord.Colour(0x718096)

_FILENAME = re.compile(r"[^A-Za-z0-9_.-]")
# Where a long text may be cut, best first, and how far into the window the cut must fall to be worth it.
_BREAKS = (("\n\n", 2), ("\n", 2), (". ", 4), (" ", 100))


@dataclass
class Outgoing:
    """One Discord message to send: text and/or one embed, and at most one attached file."""

    content: str | None = None
    embed: discord.Embed | None = None
    file: tuple[str, bytes] | None = None
    votes: str | None = None  # the answer the 👍/👎 buttons under this message rate

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for Messageable.send and Webhook.send (a fresh File and view each call)."""
        kw: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        if self.votes is not None:
            kw["view"] = vote_view(self.votes)
        if self.content:
            kw["content"] = self.content
        if self.embed is not None:
            kw["embed"] = self.embed
        if self.file is not None:
            kw["file"] = discord.File(io.BytesIO(self.file[1]), filename=self.file[0])
        return kw

    def to_json(self) -> dict[str, Any]:
        """What would be sent, as plain data (for golden files and tests)."""
        sent = {"content": self.content, "embed": self.embed.to_dict() if self.embed else None,
                "file": self.file[0] if self.file else None}
        return sent | ({"components": vote_components(self.votes)} if self.votes is not None else {})


def render(reply: Reply, *, embeds: bool = True, files: bool = True) -> list[Outgoing]:
    """The messages that show a reply: embeds when it has a body, plain text when it is one line."""
    if embeds and (reply.sections or reply.citations or reply.image):
        out = render_embeds(reply)
    else:
        out = render_plain(reply)
    if reply.image is not None and files:
        out[-1].file = (_filename(reply.image.filename), reply.image.data())
    elif reply.image is not None and out[-1].embed is not None:
        out[-1].embed.set_image(url=None)  # no permission to attach: no broken image either
    if votable(reply):
        out[-1].votes = reply.answer_id
    return out


def render_embeds(reply: Reply) -> list[Outgoing]:
    """One embed per message: the title on the first, the footer and chart on the last."""
    title = plain(reply.title.strip())
    blocks = _blocks(reply, links="masked")
    if len(title) > TITLE_LIMIT:
        blocks.insert(0, f"**{title}**")
        title = title[:TITLE_LIMIT - 1].rstrip("\\") + "…"
    colour = COLOUR if reply.answered else MISS_COLOUR
    chunks = split("\n\n".join(blocks), DESCRIPTION_LIMIT) or [""]
    out = [Outgoing(embed=discord.Embed(description=c or None, colour=colour)) for c in chunks]
    out[0].embed.title = title  # type: ignore[union-attr]
    last = out[-1].embed
    assert last is not None
    if reply.footer:
        last.set_footer(text=reply.footer[:FOOTER_LIMIT])
    if reply.image is not None:
        last.set_image(url=f"attachment://{_filename(reply.image.filename)}")
    return out


def render_plain(reply: Reply) -> list[Outgoing]:
    """Plain messages of at most 2,000 characters each (one-line replies, or where embeds are not allowed)."""
    blocks = _blocks(reply, links="bare")
    if not blocks:
        return [Outgoing(content=c) for c in split(plain(reply.title), MESSAGE_LIMIT) or ["…"]]
    footer = [f"-# {plain(reply.footer)}"] if reply.footer else []
    parts = [f"**{plain(reply.title.strip())}**", *blocks, *footer]
    return [Outgoing(content=c) for c in split("\n\n".join(parts), MESSAGE_LIMIT)]


def split(text: str, limit: int) -> list[str]:
    """Cut text into pieces of at most limit characters, at a paragraph, line, sentence or word break."""
    pieces = []
    text = text.strip()
    while len(text) > limit:
        cut = _cut(text, limit)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _cut(text: str, limit: int) -> int:
    for brk, fraction in _BREAKS:
        at = text.rfind(brk, 0, limit)
        if at >= max(1, limit // fraction):
            return at + len(brk.rstrip())
    at = limit
    while at > limit // 2 and text[at - 1] == "\\":  # never separate an escape from what it escapes
        at -= 1
    return at


def _blocks(reply: Reply, *, links: str) -> list[str]:
    """The body as markdown blocks: each section (bold heading, escaped text), then the numbered sources."""
    blocks = [(f"**{plain(s.heading.strip())}**\n" if s.heading else "") + plain(s.text)
              for s in reply.sections]
    blocks = [b for b in blocks if b.strip()]
    if reply.citations:
        by_article: dict[tuple, list[Citation]] = {}
        for c in reply.citations:  # several quotes from one article share one line
            by_article.setdefault((c.article_id, c.title, c.url), []).append(c)
        lines = [_source(group, links=links) for group in by_article.values()]
        blocks.append("**Sources**\n" + "\n".join(lines))
    return blocks


def _source(group: list[Citation], *, links: str) -> str:
    """'[1] [3] Title — Publisher — date', the title linked to the article when it has a web address."""
    c = group[0]
    numbers = " ".join(f"\\[{n}\\]" for n in sorted({x.n for x in group}))  # quotes of one article share n
    title = plain(c.title[:200]).replace("[", "(").replace("]", ")")
    meta = " — ".join(plain(x) for x in (c.publisher, c.date) if x)
    url = _safe_url(c.url)
    if url and links == "masked":
        title = f"[{title}]({url})"
    elif url:
        meta = " ".join(x for x in (meta, f"<{url}>") if x)
    return f"**{numbers}** {title}" + (f" — {meta}" if meta else "")


def _safe_url(url: str | None) -> str | None:
    """An http(s) address with the characters that would end a markdown link percent-encoded."""
    if not url or urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return None
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%~-._[]")


def _filename(name: str) -> str:
    """A file name Discord accepts in an attachment:// reference."""
    return _FILENAME.sub("_", name).strip("._") or "chart.png"
