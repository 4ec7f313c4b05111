"""Links handed to gapbot without /add: a message shared with "Add to gapbot", and messages posted in a
watched channel, where every link is added and gapbot reacts instead of replying.

A channel is watched when GAPBOT_WATCH_CHANNELS names it (AddPolicy.watched) or an admin typed /watch on there
(the corpus's watch table). The door turns an overheard message in a watched channel into /add with its links;
its access rules, the adders list and the quota apply as to any /add.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.commands.add import links
from bot.reply import OVERHEARD, Reply, Request

if TYPE_CHECKING:
    from bot.intake import Intake
    from corpus.api import Corpus

# the marks on an overheard message, in this order
ADDED, DUPLICATE, REFUSED = "added", "duplicate", "refused"
NO_LINK = "That message has no http(s) link to add."


def watched(request: Request, corpus: Corpus, intake: Intake) -> bool:
    """Whether the request's channel, or the channel its thread belongs to, is watched."""
    for channel in dict.fromkeys(c for c in (request.channel, request.parent) if c):
        if intake.policy.configured_watch(request.platform, channel):
            return True
        if corpus.watches.get(request.platform, channel) is not None:
            return True
    return False


def overheard_add(request: Request, corpus: Corpus, intake: Intake | None) -> Request | None:
    """The /add request for a message posted in a watched channel; None when there is nothing to do (no
    intake, a direct message, no link in it, or the channel is not watched)."""
    if intake is None or request.direct or request.via != OVERHEARD:
        return None
    urls = links(request.text)
    if not urls or not watched(request, corpus, intake):
        return None
    return replace(request, text="/add " + " ".join(urls))


def shared_add(request: Request) -> Reply | None:
    """Why a shared message cannot be added (it has no link), or None."""
    if links(request.text):
        return None
    return Reply(command="add", title=NO_LINK, answered=False, ephemeral=True)


def marked(reply: Reply) -> Reply:
    """An /add reply to an overheard message with its marks: one per kind of outcome, refused for any link not
    added (the reply then says why, privately)."""
    statuses = {a.get("status") for a in reply.data.get("adds", [])}
    marks = [m for m in (ADDED, DUPLICATE) if m in statuses]
    if statuses - {ADDED, DUPLICATE} or not statuses:
        marks.append(REFUSED)
    return replace(reply, reactions=marks, ephemeral=True)
