"""`gapbot report`: the questions the articles did not answer (refused, or voted down), grouped by meaning.

Each question is embedded with the corpus's own embedder and grouped greedily (corpus/clusters.py): a group
is one gap in the corpus, however many ways it was asked."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.feedback import ASKING
from corpus.answer_log import Rated
from corpus.clusters import greedy_groups

if TYPE_CHECKING:
    from corpus.api import Corpus

# Cosine similarity at which two questions count as one: sentence-transformers' community_detection default
# for all-MiniLM-L6-v2. Measured on invented questions: paraphrases score 0.78-0.96 ("what is the price of a
# warehouse robot?" / "how much does a warehouse robot cost?": 0.96), the same frame on another subject
# mostly 0.53-0.66 ("... of a delivery drone?": 0.66), so a group is one thing missing, however it was worded;
# a loose rewording (0.62) stays apart (one extra line, not a hidden gap). Two questions sharing most of their
# subject ("robot makers in motion control" / "... in sensors": 0.82) are grouped.
THRESHOLD = 0.75
SCAN = 5000  # the newest answers read; a report is about what is missing now
EXAMPLES = 3


@dataclass(frozen=True)
class Gap:
    """A group of similar questions the articles did not answer well."""

    questions: list[Rated]  # newest first

    @property
    def representative(self) -> str:
        """The question asked most often in the group (the newest of those, on a tie)."""
        counts = Counter(_asked(r) for r in self.questions)
        return max(counts, key=lambda q: (counts[q], -self._first(q)))

    def _first(self, question: str) -> int:
        return next(i for i, r in enumerate(self.questions) if _asked(r) == question)

    def to_json(self) -> dict[str, Any]:
        """The docs/CLI.md report group object."""
        asked = list(dict.fromkeys(_asked(r) for r in self.questions))
        places = sorted({(r.answer.platform, r.answer.channel or "") for r in self.questions})
        return {"count": len(self.questions), "question": self.representative, "examples": asked[:EXAMPLES],
                "refused": sum(not r.answer.answered for r in self.questions),
                "down_votes": sum(r.down for r in self.questions),
                "up_votes": sum(r.up for r in self.questions),
                "platforms": sorted({p for p, _ in places}),
                "channels": [f"{p}:{c}" for p, c in places if c],
                "last_asked": _to_second(self.questions[0].answer.at),
                "answer_ids": [r.answer.id for r in self.questions]}


def report(corpus: Corpus, *, since: str, limit: int) -> list[Gap]:
    """The groups of refused and down-voted questions since an ISO date, largest (then newest) first."""
    missed = corpus.answer_log.missed(commands=ASKING, since=since, limit=SCAN)
    if not missed:
        return []
    vectors = corpus.embedder.encode([r.answer.args for r in missed])
    gaps = [Gap([missed[i] for i in group]) for group in greedy_groups(vectors, THRESHOLD)]
    gaps.sort(key=lambda g: g.questions[0].answer.at, reverse=True)
    gaps.sort(key=lambda g: len(g.questions), reverse=True)  # stable: the newest first among equals
    return gaps[:limit]


def lines(gaps: list[Gap]) -> list[str]:
    """The report as text: one paragraph per group."""
    if not gaps:
        return ["No refused or voted-down questions in that time."]
    out = []
    for n, gap in enumerate(gaps, 1):
        g = gap.to_json()
        votes = f", {g['down_votes']} 👎" if g["down_votes"] else ""
        out.append(f"{n}. {g['question']}  ({g['count']} asked, {g['refused']} refused{votes}; "
                   f"last {g['last_asked']})")
        out += [f"     also: {q}" for q in g["examples"] if q != g["question"]]
        out.append(f"     where: {', '.join(g['channels'] or g['platforms'])}")
    return out


def _asked(rated: Rated) -> str:
    return f"/{rated.answer.command} {rated.answer.args}"


def _to_second(at: str) -> str:
    """An ISO time to the second, as the report shows it (the answer log keeps microseconds to order them)."""
    return datetime.fromisoformat(at).isoformat(timespec="seconds")
