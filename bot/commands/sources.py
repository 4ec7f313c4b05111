"""/sources: the indexed articles, newest first."""
from __future__ import annotations

from bot.context import Context
from bot.registry import command
from bot.reply import Reply, Section, UserError


@command(arg="count", arg_help="how many articles to list (default 10)")
def cmd_sources(args: str, ctx: Context) -> Reply:
    """List the indexed articles, newest first.

    /sources — the ten newest
    /sources 50 — more
    """
    n = _count(args)
    total = ctx.corpus.count()
    arts = ctx.corpus.articles(limit=n)
    lines = [f"• {a.title} — {' · '.join(x for x in (a.publisher, a.date or a.modified) if x) or 'no date'}"
             f" (id {a.id}, added {a.added_at[:10]})" for a in arts]
    data = {"articles": ctx.corpus.article_list()}
    newest = f", newest {len(arts)}:" if arts else "."
    title = f"{total} article{'s' if total != 1 else ''} indexed" + newest
    return Reply(command="sources", title=title, sections=[Section("\n".join(lines))] if lines else [],
                 data=data, answered=bool(arts), ephemeral=not arts)


def _count(args: str) -> int:
    args = args.strip()
    if not args:
        return 10
    if not (args.isascii() and args.isdigit()) or not 1 <= int(args) <= 1000:  # isdigit() alone passes "²"
        raise UserError("Usage: /sources [N] — N is a number from 1 to 1000.")
    return int(args)
