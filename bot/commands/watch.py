"""/watch: add every link posted in this channel to the corpus, or stop; with nothing after it, say which
channels are watched (admins)."""
from __future__ import annotations

from datetime import datetime, timezone

from bot.context import Context
from bot.intake import Intake
from bot.registry import command
from bot.reply import Reply, Section, UserError
from bot.text import safe_echo
from corpus.watch_store import Watch

USAGE = "Usage: /watch on | /watch off | /watch (which channels are watched)"
CONFIGURED = "GAPBOT_WATCH_CHANNELS"
MARKS = "✅ added, ♻️ already indexed, ⚠️ not added (the poster alone is told why)"
DEAF = ("gapbot cannot read this server's messages yet: restart it so that it asks Discord for the Message "
        "Content intent (enable that intent on the Bot page of the application first; see the README).")


@command(arg="action", arg_help="on: add every link posted here; off: stop; nothing: which are watched",
         admin=True)
def cmd_watch(args: str, ctx: Context) -> Reply:
    """Add every link posted in this channel to the corpus, and react to each (admins).

    /watch on — from now on every link posted here is added; gapbot reacts ✅ added, ♻️ already indexed,
    ⚠️ not added
    /watch off — stop
    /watch — whether this channel is watched, and which channels are
    """
    intake = _where(ctx)
    action = args.strip().lower()
    if action in ("", "list", "status"):
        return _status(ctx, intake)
    if action in ("on", "off"):
        return (_on if action == "on" else _off)(ctx, intake)
    raise UserError(USAGE)


def _where(ctx: Context) -> Intake:
    req = ctx.request
    if req.platform not in ("slack", "discord") or not req.channel:
        raise UserError("Channels are watched on Slack and Discord; here, add a link with /add URL.")
    if req.direct:
        raise UserError("Type /watch in the channel to watch; a direct message is not watched.")
    if ctx.intake is None:
        raise UserError("Adding articles from chat is not set up here, so no channel can be watched.")
    return ctx.intake


def _on(ctx: Context, intake: Intake) -> Reply:
    req = ctx.request
    assert req.channel is not None  # _where() checked
    if intake.policy.configured_watch(req.platform, req.channel):
        return _said(f"This channel is already watched ({CONFIGURED} names it).")
    since = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if not ctx.corpus.watches.watch(Watch(req.platform, req.channel, req.space, req.user, since)):
        return _said("This channel is already watched.")
    lines = [f"Every link posted here from now on is added to the corpus. Reactions: {MARKS}.",
             ctx.typed("Stop with /watch off.")]
    if not intake.policy.hears_channels:
        lines.append(DEAF)
    return Reply(command="watch", title="gapbot now watches this channel",
                 sections=[Section("\n".join(lines))])


def _off(ctx: Context, intake: Intake) -> Reply:
    req = ctx.request
    assert req.channel is not None
    if intake.policy.configured_watch(req.platform, req.channel):
        return _said(f"This channel is watched because {CONFIGURED} names it; an operator can remove it "
                     "there.")
    if not ctx.corpus.watches.unwatch(req.platform, req.channel):
        return _said("This channel was not watched.")
    return Reply(command="watch", title="gapbot no longer watches this channel",
                 sections=[Section("Links posted here are no longer added.")])


def _status(ctx: Context, intake: Intake) -> Reply:
    req = ctx.request
    assert req.channel is not None
    stored = ctx.corpus.watches.listed(req.platform, space=req.space)
    lines = [f"• {safe_echo(w.channel, 40)} — since {w.since[:10]}" + (f", by {safe_echo(w.by_user, 40)}"
                                                                      if w.by_user else "") for w in stored]
    lines += [f"• {safe_echo(c, 40)} — {CONFIGURED}" for c in intake.policy.watches_on(req.platform)]
    here = intake.policy.configured_watch(req.platform, req.channel) or any(
        w.channel == req.channel for w in stored)
    title = ("This channel is watched." if here
             else ctx.typed("This channel is not watched; /watch on to start."))
    sections = [Section("\n".join(lines), heading="Watched channels")] if lines else []
    if not intake.policy.hears_channels and lines:
        sections.append(Section(DEAF))
    return Reply(command="watch", title=title, sections=sections, ephemeral=True)


def _said(text: str) -> Reply:
    return Reply(command="watch", title=text, ephemeral=True)
