"""/who: a profile of a company, person, model or organisation from what the articles say."""
from __future__ import annotations

from bot.cite import Citer
from bot.commands.gap import fmt_range
from bot.context import Context
from bot.registry import COMMANDS, command
from bot.reply import Reply, Section, UserError
from bot.text import clean_text, safe_echo
from corpus.models import Entity


@command(arg="name", arg_help="a company, person or model, e.g. iflytek", required=True)
def cmd_who(args: str, ctx: Context) -> Reply:
    """Profile a company, person or model: roles, related names, gap estimates and key sentences.

    /who iflytek
    /who IFLYTEK's (any case, name order or possessive works)
    """
    name = clean_text(args).strip(" ?.!")[:100]
    if not name:
        raise UserError("Usage: /who NAME — for example /who iflytek")
    ents, part = _resolve(ctx, name)
    if not ents:
        if ctx.inferred:  # "who is …" in plain words, about nothing the corpus names: answer it as a question
            return COMMANDS["ask"].func(ctx.request.text, ctx)
        return _unknown(ctx, name)
    citer = Citer(ctx.corpus)
    sections = [s for e in ents for s in profile(ctx, e, citer, several=len(ents) > 1)]
    first = ents[0]
    title = first.name if len(ents) == 1 else (
        f"{len(ents)} people called {safe_echo(name)}" if part else f"{len(ents)} entries named {first.name}")
    facts = [{"text": c.quote, "article_id": c.article_id} for c in citer.citations]
    data = {"entity": {**first.to_json(), "facts": facts}, "suggestions": []}
    return Reply(command="who", title=title, sections=sections, citations=citer.citations, data=data)


def _resolve(ctx: Context, name: str) -> tuple[list[Entity], bool]:
    """The entities a typed name stands for, and whether they were found by one of their names alone: by name
    or alias, else people one of whose names it is, else the sentences that contain it."""
    ents = ctx.corpus.entities(name)
    if ents:
        return ents, False
    part = ctx.corpus.people_called(name)
    if part:
        return part, True
    unlisted = ctx.corpus.unlisted_entity(name)
    return ([unlisted] if unlisted else []), False


def profile(ctx: Context, e: Entity, citer: Citer, *, several: bool) -> list[Section]:
    """The sections of one entity's profile."""
    aliases = [a for a in e.aliases if a != e.name]
    lines = [f"{e.kind} · named in {e.article_count} article{'s' if e.article_count != 1 else ''}"]
    if e.roles:
        lines.append("Role: " + "; ".join(e.roles))
    if aliases:
        lines.append("Also written: " + ", ".join(aliases[:8]))
    if e.related:
        lines.append("Related: " + ", ".join(e.related[:8]))
    # the reply's title names a lone entity
    heading = e.name + (f" — {e.roles[0]}" if e.roles else "") if several else None
    out = [Section("\n".join(lines), heading=heading)]
    ranked = ctx.corpus.profile(e)  # from entity_facts, filled at index time
    if ranked.claims:
        out.append(Section("\n".join(f"• {fmt_range(c.low_years, c.high_years)} — “{c.phrase}” "
                                     f"[{citer.cite(c.article_id, c.quote)}]" for c in ranked.claims),
                           heading="Gap estimates"))
    if ranked.facts:
        lines = [f"• {f.text} [{citer.cite(f.article_id, f.text)}]" for f in ranked.facts]
        out.append(Section("\n".join(lines), heading="What the articles say"))
    return out


def _unknown(ctx: Context, name: str) -> Reply:
    sugg = ctx.corpus.similar_names(name)
    hint = " Did you mean: " + ", ".join(sugg) + "?" if sugg else ""
    return Reply(command="who", title=f"“{safe_echo(name, 60)}” is not in the corpus.{hint}", answered=False,
                 ephemeral=True, data={"entity": None, "suggestions": sugg})
