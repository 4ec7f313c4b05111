"""/gap: every estimate in the corpus of how far China trails (or leads) the US in AI."""
from __future__ import annotations

from collections import defaultdict

from bot.chart import render_gap_chart
from bot.cite import Citer
from bot.context import Context
from bot.registry import command
from bot.reply import Attachment, Reply, Section
from bot.text import safe_echo
from corpus.models import Claim

MAX_SIZED = 500  # newest sized estimates loaded for the reply and its data (the statistics cover them all)
MAX_UNSIZED = 50
PER_DIMENSION = 8  # estimates listed per dimension, newest first
SHOW_UNSIZED = 12


def fmt_range(lo: float | None, hi: float | None) -> str:
    """'1–2 years', 'at least 1 year', 'up to 6 months'."""
    def one(v: float) -> str:
        if v < 1 and v > 0:
            return f"{round(v * 12):g} months"
        return f"{v:g} year" + ("" if v == 1 else "s")
    if hi is None:
        return f"at least {one(lo or 0)}"
    if not lo:
        return f"up to {one(hi)}"
    if lo == hi:
        return one(lo)
    return f"{round(lo * 12):g}–{one(hi)}" if hi < 1 else f"{lo:g}–{one(hi)}"  # both ends in the same unit


@command(arg="topic", arg_help="narrow to a dimension, e.g. chips, video, talent")
def cmd_gap(args: str, ctx: Context) -> Reply:
    """How far China trails (or leads) the US in AI, by every estimate in the corpus.

    /gap — all estimates, grouped by dimension, with a chart
    /gap chips — only estimates about chips and computing power
    """
    topic = safe_echo(args.strip(), 60)
    ov = ctx.corpus.gap(topic, sized=MAX_SIZED, unsized=MAX_UNSIZED)
    sized, unsized, n_sized, n_unsized = ov.sized, ov.unsized, ov.sized_count, ov.unsized_count
    rng, med = ov.range_years, ov.median_years
    scope = f" on “{topic}”" if topic else ""
    if not sized and not unsized:
        return Reply(command="gap", title=f"The corpus has no estimate of the China–US AI gap{scope}.",
                     answered=False, ephemeral=True,
                     data={"claims": [], "range_years": None, "median_years": None})
    citer = Citer(ctx.corpus)
    title = (f"China–US AI gap{scope}: {n_sized} estimate{'s' if n_sized != 1 else ''} "
             f"spanning {rng[0]:g}–{rng[1]:g} years, median {med:g} years"
             if rng else f"China–US AI gap{scope}: no sized estimates, only statements of a gap")
    sections = _grouped(sized, citer) + _unsized(unsized, n_unsized, citer)
    numbers = {c.article_id: c.n for c in citer.citations}  # the chart labels bars with the reply's numbers
    image = (Attachment("gap.png", lambda: render_gap_chart(sized, numbers), title="AI gap estimates")
             if sized else None)
    return Reply(command="gap", title=title, sections=sections, citations=citer.citations, image=image,
                 data={"claims": ov.claims_json(), "range_years": rng, "median_years": med},
                 footer=f"From {ctx.corpus.count() if ov.articles is None else ov.articles} articles. "
                        + ctx.typed("/who NAME for a speaker, /ask for anything else."))


def _who(c: Claim) -> str:
    if not c.speaker:
        return "unattributed"
    return c.speaker + (f" ({c.affiliation})" if c.affiliation else "")


def _how(c: Claim) -> str:
    """What the size alone does not say: China ahead rather than behind, or an estimate of an earlier time."""
    lead = ", China ahead" if c.direction == "china_ahead" else ""
    if c.historical:
        return lead + (f" (as it stood in {c.as_of})" if c.as_of else " (an earlier estimate)")
    return lead


def _grouped(sized: list[Claim], citer: Citer) -> list[Section]:
    groups: dict[str, list[Claim]] = defaultdict(list)
    for c in sorted(sized, key=lambda c: c.date or "", reverse=True):
        groups[c.dimension].append(c)
    out = []
    for dim, cs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        lines = [f"• {fmt_range(c.low_years, c.high_years)}{_how(c)} — “{c.phrase}”, {_who(c)}, "
                 f"{c.date or 'undated'} [{citer.cite(c.article_id, c.quote)}]" for c in cs[:PER_DIMENSION]]
        if len(cs) > PER_DIMENSION:
            lines.append(f"…and {len(cs) - PER_DIMENSION} older estimates "
                         f"(/gap {dim.split()[0]} narrows the list)")
        out.append(Section("\n".join(lines), heading=dim[:1].upper() + dim[1:]))
    return out


def _unsized(claims: list[Claim], total: int, citer: Citer) -> list[Section]:
    if not claims:
        return []
    lines = [f"• {c.quote} — {_who(c)} [{citer.cite(c.article_id, c.quote)}]" for c in claims[:SHOW_UNSIZED]]
    more = f"\n…and {total - SHOW_UNSIZED} more." if total > SHOW_UNSIZED else ""
    return [Section("\n".join(lines) + more, heading="Gaps stated without a size")]
