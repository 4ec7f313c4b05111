"""/who: a profile of a company, person, model or organisation from what the articles say."""
from __future__ import annotations

import json
import re

from bot.cite import Citer
from bot.context import Context
from bot.registry import command
from bot.reply import Reply, Section, UserError
from bot.text import clean_text, safe_echo
from corpus.extract.answers import profile as stored_profile
from corpus.extract.entities import name_key


@command(arg="name", arg_help="a company, person or model, e.g. iflytek", required=True)
def cmd_who(args: str, ctx: Context) -> Reply:
    """Profile a company, person or model: roles, related names, gap estimates and key sentences.

    /who iflytek
    /who Kai-Fu Lee (any name order, case or possessive works)
    """
    name = clean_text(args).strip(" ?.!")[:100]
    if not name:
        raise UserError("Usage: /who NAME — for example /who iflytek")
    db = ctx.corpus.store.db
    ents = lookup(db, name)
    part = not ents and by_name_part(db, name)
    ents = ents or part or []
    if not ents:
        from corpus.extract.entity_build import variants

        seen: dict[int, dict] = {}
        for n in [name, *sorted(variants([name]))]:
            seen.update({r["id"]: r for r in phrase_sentences(db, n)})
        sentences = [seen[k] for k in sorted(seen)]
        if sentences:
            ents = [{"id": None, "name": name, "kind": "other", "aliases": "[]", "roles": "[]", "related": "[]",
                     "article_count": len({s["article_id"] for s in sentences}), "_sentences": sentences}]
    if not ents:
        if ctx.inferred:
            from bot.commands.ask import cmd_ask

            return cmd_ask(ctx.request.text, ctx)
        return _unknown(db, name)
    citer = Citer(ctx.corpus)
    sections = [s for e in ents for s in profile(ctx, e, citer, several=len(ents) > 1)]
    first = ents[0]
    title = first["name"] if len(ents) == 1 else (
        f"{len(ents)} people called {safe_echo(name)}" if part else f"{len(ents)} entries named {first['name']}")
    facts = [{"text": c.quote, "article_id": c.article_id} for c in citer.citations]
    data = {"entity": {"name": first["name"], "kind": first["kind"], "aliases": json.loads(first["aliases"]),
                       "article_count": first["article_count"], "roles": json.loads(first["roles"]),
                       "related": json.loads(first["related"]), "facts": facts}, "suggestions": []}
    return Reply(command="who", title=title, sections=sections, citations=citer.citations, data=data)


def lookup(db, name: str) -> list[dict]:
    """Entities whose names or aliases match, in any case, order or possessive form."""
    keys = {name_key(name), name_key(name, person=True)}
    rows = db.query(f"SELECT DISTINCT e.* FROM entity_names n JOIN entities e ON e.id = n.entity_id "
                    f"WHERE n.norm IN ({','.join('?' * len(keys))}) ORDER BY e.mention_count DESC", list(keys))
    return list(rows)


def by_name_part(db, name: str, limit: int = 5) -> list[dict]:
    """People one of whose names is the single word asked for ("/who Quinlan", "/who zhou"), most mentioned
    first: articles call people by surname after the first mention, and so do readers."""
    if not re.fullmatch(r"[^\W\d_][\w\-']+", name):
        return []
    return list(db.query("SELECT * FROM entities WHERE kind = 'person' AND instr(' ' || lower(name) || ' ', ?) "
                         "ORDER BY mention_count DESC, id LIMIT ?", [f" {name.lower()} ", limit]))


def phrase_sentences(db, name: str, limit: int = 40) -> list[dict]:
    """Sentences that contain the name as a phrase, for names that extraction did not list."""
    words = re.findall(r"[^\W_]+", name)
    if not words:
        return []
    pat = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)", re.I)
    rows = db.query("SELECT s.id, s.article_id, s.text FROM sentences_fts f JOIN sentences s ON s.id = f.rowid "
                    "WHERE sentences_fts MATCH ? LIMIT 400", ['"' + " ".join(words).replace('"', "") + '"'])
    return [r for r in rows if pat.search(r["text"])][:limit]


def profile(ctx: Context, e: dict, citer: Citer, *, several: bool) -> list[Section]:
    """The sections of one entity's profile."""
    roles = json.loads(e["roles"])
    aliases = [a for a in json.loads(e["aliases"]) if a != e["name"]]
    head = f"{e['kind']} · named in {e['article_count']} article{'s' if e['article_count'] != 1 else ''}"
    lines = [head]
    if roles:
        lines.append("Role: " + "; ".join(roles))
    if aliases:
        lines.append("Also written: " + ", ".join(aliases[:8]))
    if json.loads(e["related"]):
        lines.append("Related: " + ", ".join(json.loads(e["related"])[:8]))
    heading = e["name"] + (f" — {roles[0]}" if roles else "") if several else None  # the title names a lone entity
    out = [Section("\n".join(lines), heading=heading)]
    ranked = stored_profile(ctx.corpus.store, e)  # from entity_facts, filled at index time
    claims = ranked.claims
    if claims:
        from bot.commands.gap import fmt_range

        out.append(Section("\n".join(f"• {fmt_range(c.low_years, c.high_years)} — “{c.phrase}” "
                                     f"[{citer.cite(c.article_id, c.quote)}]" for c in claims),
                           heading="Gap estimates"))
    facts = ranked.facts
    if facts:
        out.append(Section("\n".join(f"• {f['text']} [{citer.cite(f['article_id'], f['text'])}]" for f in facts),
                           heading="What the articles say"))
    return out


def _unknown(db, name: str) -> Reply:
    shown = safe_echo(name, 60)
    sugg = suggestions(db, name)
    hint = " Did you mean: " + ", ".join(sugg) + "?" if sugg else ""
    return Reply(command="who", title=f"“{shown}” is not in the corpus.{hint}", answered=False, ephemeral=True,
                 data={"entity": None, "suggestions": sugg})


def suggestions(db, name: str, limit: int = 5) -> list[str]:
    """Known names close to the one asked for, in any case ("iflytec" finds "iFLYTEK"), best first."""
    from rapidfuzz import fuzz, process, utils

    names = [r[0] for r in db.execute("SELECT name FROM entities ORDER BY mention_count DESC LIMIT 5000")]
    found = process.extract(name, names, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=limit * 2, score_cutoff=70)
    out: dict[str, str] = {}
    for match, _, _ in found:  # one spelling per name: "iFLYTEK" and "iFlytek" are the same suggestion
        out.setdefault(match.casefold(), match)
    return list(out.values())[:limit]
