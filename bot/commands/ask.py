"""/ask: the best quoted sentences for a question, or a plain 'the corpus doesn't say'."""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.cite import Citer
from bot.context import Context
from bot.registry import command
from bot.reply import Reply, Section, UserError
from bot.text import clean_text, safe_echo
from corpus.context import points_back
from corpus.models import Hit
from corpus.question import KIND_NOUNS, answer_kind, coverage, fits, focus, fold, frame_words, spellings
from corpus.search import terms

SHOW = 3
# The share of the question's weighted key words the answer's paragraph must contain: on both eval sets
# together unanswerable questions reach at most 0.46, answerable ones at least 0.57 (docs/benchmarks.md)
MIN_COVERAGE = 0.5


@command(arg="question", arg_help="a question in plain words", required=True)
def cmd_ask(args: str, ctx: Context) -> Reply:
    """Answer a question with the best quoted sentences from the articles.

    /ask How far behind is China in generative AI?
    A plain question without a command works too.
    """
    q = clean_text(args)
    if not q:
        raise UserError("Usage: /ask QUESTION — for example /ask how far behind is China in generative AI?")
    hits = ctx.corpus.search(q, limit=10)
    best = answer_hits(ctx, q, hits)
    data = {"passages": [{"text": h.text, "article_id": h.article_id, "score": round(h.score, 4)}
                         for h in best]}
    if not best:
        return Reply(command="ask", title="The corpus doesn't say.", answered=False, ephemeral=True,
                     sections=[Section(f"None of the {ctx.corpus.count()} indexed articles covers that "
                                       + ctx.typed("question. Try /sources to see what is indexed."))],
                     data=data)
    citer = Citer(ctx.corpus)
    lines = [f"• “{h.text}” [{citer.cite(h.article_id, h.text)}]" for h in best[:SHOW]]
    context = _context(best[0])
    sections = [Section("\n".join(lines))] + ([Section(context, heading="In context")] if context else [])
    return Reply(command="ask", title=f"What the articles say: {safe_echo(q)}", sections=sections,
                 citations=citer.citations, data=data)


def answer_hits(ctx: Context, question: str, hits: list[Hit]) -> list[Hit]:
    """The hits worth showing: empty when no hit covers what the question asks."""
    if not hits or missing_names(ctx, question):
        return []
    needs = Needs.of(ctx, question)
    return hits[:5] if not needs.weights or any(covers(ctx, needs, h) for h in hits[:5]) else []


@dataclass
class Needs:
    """What an answering hit must show: the question's key words, by weight (its names anywhere in the hit's
    article, the rest near the hit), the topic after "about", the thing asked the value of, and a number when
    the question asks how many of it."""

    weights: dict[str, float]
    names: set[str]
    topic: dict[str, float]
    asked: dict[str, float]
    kind: str | None

    @classmethod
    def of(cls, ctx: Context, question: str) -> Needs:
        """The needs of one question."""
        capitalised = {w.lower() for w in re.findall(r"(?<=\s)[A-Z][^\s?!,;:]*", fold(question))}
        weights = _weights(ctx, question)
        # "X's revenue" asks for the revenue: the owner is a name, weighed with the other key words
        asked = {w: 1.0 for w in terms(re.sub(r"^.*['’]s\s+", "", focus(question))) if w not in KIND_NOUNS}
        # only a count of a named thing ("how many users") has no answer without a number: "how far behind?"
        # or "how long will it take?" may be answered in words ("well behind", "it won't take long")
        kind = "amount" if asked and answer_kind(question) == "amount" else None
        return cls(weights, {w for w in weights if w in capitalised or w.rstrip(".") in capitalised},
                   _topic(question), asked, kind)


def covers(ctx: Context, needs: Needs, h: Hit) -> bool:
    """Whether a hit answers: it carries the asked-for kind of answer, the topic and the asked-for thing are
    near it, and enough of the key words are; for a sentence that points back ("The company employs…") the
    names may be anywhere in its article, as the name it points to may be further up."""
    near = surroundings(ctx, h)
    if not fits(needs.kind, h.text) or any(t and coverage(t, near) == 0 for t in (needs.topic, needs.asked)):
        return False
    if not points_back(h.text):
        return coverage(needs.weights, near) >= MIN_COVERAGE
    local = {w: x for w, x in needs.weights.items() if w not in needs.names}
    names = {w: x for w, x in needs.weights.items() if w in needs.names}
    got = (coverage(local, near) * sum(local.values()) if local else 0.0) + \
        (coverage(names, near + " " + ctx.corpus.article_text(h.article_id)) * sum(names.values())
         if names else 0.0)
    return got / sum(needs.weights.values()) >= MIN_COVERAGE


def _topic(question: str) -> dict[str, float]:
    """The words after "about" in "what did X say about T?": a passage on X that never mentions T does not
    answer it, however well it matches X."""
    m = re.search(r"\babout\s+([^?.!,;]+)", question, re.I)
    return {w: 1.0 for w in terms(m.group(1))} if m else {}


def missing_names(ctx: Context, question: str) -> list[str]:
    """Names and figures in the question (capitalised or with digits) that no article contains."""
    words = re.findall(r"(?<![\w])([A-Z][\w\-.]*[\w]|[\w\-]*\d[\w\-]*)", question)
    first = re.match(r"\W*(\w+)", question)
    names = [w for w in words if not (first and w == first.group(1))]
    return [w for w in names
            if not all(any(ctx.corpus.names_word(s) for s in spellings(part)) for part in _pair(w))]


def _pair(word: str) -> list[str]:
    """A hyphened pair of names ("China-US", "Sino-Japanese") as its names; any other word whole ("GPT-4")."""
    parts = word.split("-")
    return parts if len(parts) > 1 and all(p[:1].isupper() and p.isalpha() for p in parts) else [word]


def surroundings(ctx: Context, h: Hit) -> str:
    """The hit's paragraph, the one before it, its article's title and publisher, and who is speaking."""
    return ctx.corpus.surroundings(h)


def _weights(ctx: Context, question: str) -> dict[str, float]:
    """IDF weight of each content word of the question (rarer words count more)."""
    return ctx.corpus.word_weights(list(set(terms(fold(question))) - frame_words(question)))


def _context(h: Hit) -> str:
    """The paragraph around the top answer, when it adds to the quoted sentence."""
    ctx = h.context.strip()
    return "" if not ctx or ctx == h.text.strip() else (ctx[:600] + ("…" if len(ctx) > 600 else ""))
