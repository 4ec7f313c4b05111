"""What a sentence is found by besides its own words: its article's title, who is speaking, and for a sentence
that opens with "they" or "it", the names of the sentence before (the FTS `context` column)."""
from __future__ import annotations

import re
from typing import Protocol, Sequence

# A sentence whose subject points back ("They developed…", "Together, they…", "The company said…"): what it
# is about was named in the sentence before. Entity linking (corpus/extract/entity_build.py) uses it too.
ANAPHOR = re.compile(r"^(?:[A-Z][a-z]+,\s+)?(?:they|it|its|their|together|both|this|the (?:company|firm|"
                     r"startup|"
                     r"group|two|model|platform|chip))\b", re.I)
# A sentence about a person named before it ("She pointed to…", "His firm…"): kept apart from ANAPHOR, which
# entity linking uses for things, not people.
PERSON_PRONOUN = re.compile(r"^(?:[A-Z][a-z]+,\s+)?(?:he|she|his|her)\b", re.IGNORECASE)
PLACES = ("GPE", "LOC", "NORP")  # span labels too broad to say what a sentence is about


class Span(Protocol):
    sentence: int
    text: str
    label: str
    person_key: str | None
    role: str | None


def anaphoric(text: str | None) -> bool:
    """Whether the sentence opens by pointing back to something named before it."""
    return bool(text and ANAPHOR.match(text))


def points_back(text: str | None) -> bool:
    """Whether the sentence opens with a pronoun or a "the
    company"-style phrase for something named before."""
    return anaphoric(text) or bool(text and PERSON_PRONOUN.match(text))


def search_contexts(title: str | None, texts: list[str], spans: Sequence[Span]) -> list[str]:
    """The context column of each sentence of an article, from its entity spans (corpus/extract/entities.py):
    the article's title; the speaker and their role where the sentence does not name them (a quote, or
    "she estimated…"); for an anaphoric sentence, the names of the sentence before. Migration 0004 computes
    the same from the spans table."""
    roles = {sp.person_key: sp.role for sp in spans if sp.label == "ROLE"}
    speaker: dict[int, str] = {}
    names: dict[int, list[str]] = {}
    for sp in spans:
        if sp.label == "SPEAKER" and sp.sentence not in speaker:
            speaker[sp.sentence] = " ".join(x for x in (sp.text, roles.get(sp.person_key) or sp.role) if x)
        if sp.label not in PLACES and sp.label != "ROLE" and sp.text not in names.setdefault(sp.sentence, []):
            names[sp.sentence].append(sp.text)
    out = []
    for i, text in enumerate(texts):
        parts = [title or "", speaker.get(i, "")]
        if i and anaphoric(text):
            parts += names.get(i - 1, [])
        out.append(" ".join(x for x in parts if x))
    return out
