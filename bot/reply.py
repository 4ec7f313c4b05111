"""Request and Reply: the two plain values that cross between adapters and the core."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

AdminCheck = Callable[[], bool]
TYPED, SHARED, OVERHEARD = "typed", "shared", "overheard"  # how a request reached gapbot (Request.via)


@dataclass(frozen=True)
class Request:
    """One command as a user typed it, with who and where it came from.

    The place: `space` is the Slack workspace or Discord server; `channel` the conversation it was sent in
    (on Discord a thread is a channel of its own, and `parent` is the channel it belongs to); `thread` the
    thread, if any; `direct` a direct message; `follows` the platform's ids of gapbot's messages earlier in
    the conversation (or the ids of the answers they show), newest first, for thread follow-ups.
    `admin_check` is the platform's word on whether the user is an admin: the door asks it only for a command
    that needs admin rights (it may cost a Web API call), and sets `is_admin`.

    `via` says how it came: typed (a command or a message to gapbot), shared (a message handed to gapbot with
    "Add to gapbot": its links are added and only the sharer sees the reply) or overheard (a message posted
    in a channel, not to gapbot: only in a watched channel are its links added, and gapbot reacts to it).
    """

    text: str
    platform: str = "console"
    user: str | None = None
    channel: str | None = None
    is_admin: bool = False
    space: str | None = None
    parent: str | None = None
    thread: str | None = None
    direct: bool = False
    via: str = TYPED
    follows: tuple[str, ...] = ()  # gapbot's messages (or answer ids) earlier here, newest first
    admin_check: AdminCheck | None = field(default=None, compare=False, repr=False)


@dataclass
class Citation:
    """A numbered source: an exact sentence of an article, with where it came from."""

    n: int
    article_id: str
    title: str
    quote: str
    publisher: str | None = None
    date: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The CLI.md citation object."""
        return {"n": self.n, "article_id": self.article_id, "title": self.title,
                "publisher": self.publisher, "date": self.date, "url": self.url, "quote": self.quote}

    def label(self) -> str:
        """One line naming the source: title, publisher, date."""
        bits = [self.title] + [b for b in (self.publisher, self.date) if b]
        return " — ".join(bits)


@dataclass
class Section:
    """A block of the reply: an optional heading and plain text (lines starting '• ' are list items)."""

    text: str
    heading: str | None = None


@dataclass
class Attachment:
    """A file the reply carries (the /gap chart); rendered only when an adapter asks for it."""

    filename: str
    render: Callable[[], bytes]
    title: str = ""
    _cache: bytes | None = field(default=None, repr=False)

    def data(self) -> bytes:
        """The file's bytes, rendered once."""
        if self._cache is None:
            self._cache = self.render()
        return self._cache


@dataclass
class Reply:
    """What a command answers: structure, not markup. Each adapter renders it its own way."""

    command: str
    title: str
    sections: list[Section] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    answered: bool = True
    ephemeral: bool = False
    image: Attachment | None = None
    data: dict[str, Any] = field(default_factory=dict)
    footer: str | None = None
    answer_id: str | None = None  # set by the door once a chat answer is in the answer log
    # for an overheard message: the marks to put on it (added, duplicate, refused) instead of a post
    reactions: list[str] = field(default_factory=list)

    @property
    def private(self) -> bool:
        """Whether only the asker should see it: errors, help and answers the corpus does not have."""
        return self.ephemeral or not self.answered

    @property
    def reacts_only(self) -> bool:
        """Whether the reactions say it all (an overheard message nothing was refused from): post nothing."""
        return bool(self.reactions) and "refused" not in self.reactions

    @property
    def text(self) -> str:
        """The plain-text rendering (console, notifications, --json)."""
        parts = [self.title]
        for s in self.sections:
            parts.append(f"{s.heading}\n{s.text}" if s.heading else s.text)
        if self.citations:
            parts.append("Sources:\n" + "\n".join(f"[{c.n}] {c.label()}" + (f" <{c.url}>" if c.url else "")
                                                  for c in self.sources()))
        if self.footer:
            parts.append(self.footer)
        return "\n\n".join(p for p in parts if p)

    def sources(self) -> list[Citation]:
        """One citation per number (per article), in number order: what a reply's source list shows."""
        first: dict[int, Citation] = {}
        for c in self.citations:
            first.setdefault(c.n, c)
        return [first[n] for n in sorted(first)]

    def to_json(self) -> dict[str, Any]:
        """The CLI.md Reply object."""
        return {"command": self.command, "title": self.title, "text": self.text, "answered": self.answered,
                "ephemeral": self.ephemeral, "citations": [c.to_json() for c in self.citations],
                "data": self.data}


class UserError(Exception):
    """A problem the user can fix; its message is shown to them as the reply."""
