"""/digest: subscribe this channel to the daily digest, unsubscribe it, or preview the next one (admins)."""
from __future__ import annotations

import re

from bot.context import Context
from bot.digest.parse import DEFAULT_AT, DEFAULT_TZ, next_local, parse_at, parse_tz
from bot.digest.service import DigestService
from bot.registry import command
from bot.reply import Reply, Section, UserError
from corpus.digest_models import utcnow

USAGE = "Usage: /digest subscribe [HH:MM] [time zone] | /digest unsubscribe | /digest preview"


@command(arg="action", arg_help="subscribe [HH:MM] [time zone], unsubscribe, or preview", admin=True)
def cmd_digest(args: str, ctx: Context) -> Reply:
    """Post a daily digest of newly added articles to this channel (admins).

    /digest subscribe — every day at 08:00 UTC
    /digest subscribe 07:30 Europe/Berlin — at your own time, in your time zone
    /digest unsubscribe — stop posting the digest here
    /digest preview — what the next digest would post, and why each article is in or out
    """
    action, _, rest = args.strip().partition(" ")
    handlers = {"subscribe": _subscribe, "unsubscribe": _unsubscribe, "preview": _preview}
    handler = handlers.get(action.lower())
    if handler is None:
        raise UserError(USAGE)
    return handler(rest.strip(), ctx)


def _target(ctx: Context) -> str:
    req = ctx.request
    if req.platform not in ("slack", "discord") or not req.channel:
        raise UserError("Use /digest in a Slack or Discord channel. On the command line: "
                        "`gapbot digest add slack:CHANNEL_ID`.")
    return f"{req.platform}:{req.channel}"


def _when(rest: str) -> tuple[str, str]:
    """'[HH:MM] [time zone]' in either order -> (at, tz)."""
    at, tz = DEFAULT_AT, DEFAULT_TZ
    for word in rest.split()[:2]:
        if re.fullmatch(r"\d{1,2}:?\d{2}", word):
            at = parse_at(word)
        else:
            tz = parse_tz(word)
    return at, tz


def _subscribe(rest: str, ctx: Context) -> Reply:
    at, tz = _when(rest)
    now = utcnow()
    dest, created = DigestService(ctx.corpus).add_destination(_target(ctx), now=now, at=at, tz=tz,
                                                              created_by=ctx.request.user,
                                                              space=ctx.request.space)
    nxt = next_local(at, tz, now)
    first = dest.local(dest.since)
    lines = [f"Next digest: {nxt:%a} {nxt.day} {nxt:%b %H:%M} ({tz}). No new articles, no post."]
    if created:
        lines.append(f"The first one covers articles added since {first.day} {first:%b %H:%M} ({tz}).")
    title = (f"This channel now gets the daily digest at {at} {tz}." if created
             else f"The daily digest here now comes at {at} {tz}.")
    return Reply(command="digest", title=title, sections=[Section("\n".join(lines))],
                 data={"destination": dest.target, "at": at, "tz": tz, "created": created})


def _unsubscribe(rest: str, ctx: Context) -> Reply:
    gone = DigestService(ctx.corpus).remove_destination(_target(ctx))
    if gone is None:
        raise UserError("This channel is not subscribed to the digest.")
    return Reply(command="digest", title="This channel will no longer get the daily digest.",
                 data={"destination": gone.target})


def _preview(rest: str, ctx: Context) -> Reply:
    target = _target(ctx)
    now = utcnow()
    service = DigestService(ctx.corpus)
    dest = service.destination(target) or service.draft(target, now)
    verdicts = service.explain(dest, now=now)
    chosen = [v for v in verdicts if v.included]
    lines = [f"• {v.article.title} — {v.reason}" for v in verdicts]
    when = f"daily at {dest.schedule}" if dest.id else "not subscribed yet: `/digest subscribe`"
    n = len(chosen)
    title = f"The next digest here would report {n} article{'s' if n != 1 else ''} ({when})."
    data = {"destination": target, "articles": [
        {"id": v.article.id, "title": v.article.title, "included": v.included, "reason": v.reason}
        for v in verdicts]}
    return Reply(command="digest", title=title, sections=[Section("\n".join(lines))] if lines else [],
                 ephemeral=True, data=data, answered=bool(chosen))
