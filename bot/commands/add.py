"""/add: fetch an article from its address, index it, and say what it brings (or why not)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from bot.commands.gap import fmt_range
from bot.context import Context
from bot.intake import MAX_URLS, Intake
from bot.registry import command
from bot.reply import Reply, Section, UserError
from bot.text import safe_echo
from corpus.add_log import REFUSED, AddRecord
from corpus.models import Claim, IngestResult

USAGE = "Usage: /add URL — the full http(s) address of an article, e.g. /add https://example.com/story"
NOT_SET_UP = "Adding articles from chat is not set up here; an operator can add them with `gapbot index URL`."
_URL = re.compile(r"https?://[^\s<>|\"]+", re.I)  # Slack wraps links as <url> or <url|label>
_TRAILING = ".,;:!?'\"”’)]}>"  # punctuation a sentence puts after a link, not part of it
DIRECTION = {"china_behind": "China behind", "china_ahead": "China ahead", "parity": "at parity",
             "closing": "closing", "widening": "widening"}
NEW_NAMES = 8  # names of an added article listed at most


@dataclass
class Outcome:
    """What became of one link: the ingester's result (or a refusal) and what the reply says of it."""

    url: str
    status: str  # added | duplicate | rejected | refused
    heading: str
    lines: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


@command(arg="url", arg_help="an article's http(s) address; several, separated by spaces", required=True)
def cmd_add(args: str, ctx: Context) -> Reply:
    """Add an article to the corpus from its address, and say what it brings.

    /add https://example.com/story — fetch and index it; the reply says what it brings
    /add URL URL — several at once, each reported
    """
    urls = links(args)
    if not urls:
        raise UserError(USAGE)
    if ctx.intake is None:
        raise UserError(NOT_SET_UP)
    outcomes = [o for url in urls[:MAX_URLS] for o in add_one(url, ctx, ctx.intake)]
    alone = len(outcomes) == 1  # the title is its heading
    sections = [Section("\n".join(o.lines), heading=None if alone else o.heading) for o in outcomes]
    if len(urls) > MAX_URLS:
        sections.append(Section(f"Only the first {MAX_URLS} links of a message are added; "
                                "send the rest again."))
    took = [o for o in outcomes if o.status in ("added", "duplicate")]
    return Reply(command="add", title=_title(outcomes), sections=sections, answered=bool(took),
                 ephemeral=not took, data={"adds": [o.data for o in outcomes]})


def links(text: str) -> list[str]:
    """The http(s) links in a message, in order, each once."""
    found = [m.group(0).rstrip(_TRAILING) for m in _URL.finditer(text)]
    return list(dict.fromkeys(u for u in found if len(u) > len("https://")))


def add_one(url: str, ctx: Context, intake: Intake) -> list[Outcome]:
    """Index one link (a feed gives one outcome per entry) and record each result in the add log."""
    refusal = _refusal(ctx, intake)
    if refusal is not None:
        _record(ctx, url, REFUSED, None, refusal)
        return [Outcome(url, REFUSED, f"Not added: {safe_echo(url, 200)}", [refusal],
                        {"url": url, "status": REFUSED, "reason": refusal})]
    results = ctx.corpus.index([url], fetcher=intake.fetcher())
    for r in results:
        _record(ctx, url, r.status, r.article_id, r.reason)
    return [_describe(url, r, ctx) for r in results]


def _refusal(ctx: Context, intake: Intake) -> str | None:
    """Why this user may not add now (not an adder, or over the day's quota), or None."""
    policy, request = intake.policy, ctx.request
    if not policy.may_add(request):
        return "Adding articles here is limited to the users an admin chose."
    if policy.counted(request):
        since = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(timespec="seconds")
        assert request.user is not None  # counted() holds only for a user
        if ctx.corpus.add_log.tried_since(request.platform, request.user, since) >= policy.per_day:
            return (f"You have added {policy.per_day} links in the last 24 hours, the most a day; "
                    "try again later.")
    return None


def _record(ctx: Context, url: str, status: str, article_id: str | None, reason: str | None) -> None:
    r = ctx.request
    ctx.corpus.add_log.record(AddRecord(
        at=datetime.now(timezone.utc).isoformat(timespec="seconds"), platform=r.platform, user=r.user,
        space=r.space, channel=r.channel, url=url, status=status, article_id=article_id, reason=reason))


def _describe(url: str, r: IngestResult, ctx: Context) -> Outcome:
    shown = safe_echo(r.source or url, 200)
    data = {"url": url, **r.to_json()}
    if r.status == "rejected":
        reason = safe_echo(r.reason or "could not be indexed", 300)
        return Outcome(url, r.status, f"Refused: {shown}", [reason], data)
    art = ctx.corpus.article(r.article_id or "")
    title = safe_echo(art.title if art else r.title or "untitled", 200)
    if r.status == "duplicate":
        return Outcome(url, r.status, f"Already indexed as {title} (id {r.article_id})", [shown], data)
    meta = " · ".join(x for x in (art.publisher, art.date or art.modified) if x) if art else ""
    claims = ctx.corpus.claims(article_id=r.article_id)
    names = _new_names(ctx, r.article_id or "")
    data.update(publisher=art.publisher if art else None, date=art.date if art else None,
                claims=[_claim_json(c) for c in claims], names=names)
    lines = [f"{safe_echo(meta, 200) or 'no publisher or date found'} (id {r.article_id})"]
    lines += _estimates(claims)
    lines += [f"New names: {', '.join(safe_echo(n, 60) for n in names)}"] if names else []
    return Outcome(url, r.status, f"Added: {title}", lines, data)


def _estimates(claims: list[Claim]) -> list[str]:
    if not claims:
        return ["No gap estimate in it."]
    out = ["New gap estimates:"]
    for c in claims:
        size = fmt_range(c.low_years, c.high_years) if c.sized else "no size given"
        who = c.speaker + (f" ({c.affiliation})" if c.affiliation else "") if c.speaker else "unattributed"
        out.append(f"• {size}, {DIRECTION.get(c.direction, c.direction)} — “{safe_echo(c.phrase, 120)}”, "
                   f"{safe_echo(who, 120)}")
    return out


def _claim_json(c: Claim) -> dict:
    return {"low_years": c.low_years, "high_years": c.high_years, "direction": c.direction,
            "dimension": c.dimension, "speaker": c.speaker, "affiliation": c.affiliation, "phrase": c.phrase,
            "quote": c.quote}


def _new_names(ctx: Context, article_id: str) -> list[str]:
    """The names the article brings: those it mentions that no other indexed article does."""
    names = ctx.corpus.entities_for(article_id, limit=NEW_NAMES * 3)
    return [n for n in names if (e := ctx.corpus.entity(n)) is not None and e.article_count <= 1][:NEW_NAMES]


def _title(outcomes: list[Outcome]) -> str:
    if len(outcomes) == 1:
        return outcomes[0].heading
    count = {s: sum(o.status == s for o in outcomes) for s in ("added", "duplicate", "rejected", REFUSED)}
    return (f"{len(outcomes)} links: {count['added']} added, {count['duplicate']} already indexed, "
            f"{count['rejected'] + count[REFUSED]} not added")
