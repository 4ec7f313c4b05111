"""Who a sentence attributes what it says to, read from spaCy's dependency parse.

The holder of a claim is the subject of a speech or belief verb ("Lee said", "the study's lead author, Helen
Park, estimates"), the object of "according to", or, for an organisation, an ORG named in that subject ("a
CSIS report said"). Appositions give roles ("Name, the CEO of X, said"; "analyst Name said"). Generic subjects
("analysts said") name nobody. Pronouns and surnames are resolved later by the article's people tracker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet, Any

from corpus.extract.lexicon import (
    COMPANY_HINT,
    DOCUMENT_NOUNS,
    GENERIC_SUBJECTS,
    ORG_HINT,
    PUT_OBJECTS,
    ROLE_RE,
    speech_lemma,
)

# dependency labels a verb can carry; a speech word with another label is a noun ("an estimate by…")
VERB_DEPS = {"ROOT", "ccomp", "xcomp", "advcl", "conj", "relcl", "parataxis", "acl", "pcomp", "advmod"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
FIRST_PERSON = {"i", "we", "me", "us"}
NAME_LABELS = ("PERSON", "ORG", "GPE", "PRODUCT")  # the small NER model mislabels many people's names


@dataclass
class Said:
    """The holder named by a sentence: 'person' (a full name or a surname), 'pronoun', 'org', 'document' ('the
    report', which points back to the organisation quoted before), or 'nobody' (a generic subject such as
    'analysts', which names no one and stops the speaker carried from earlier text)."""

    name: str
    kind: str
    role: str | None = None


@dataclass
class Holder:
    """A holder and the stretch of the sentence (character offsets) the speech verb governs."""

    start: int
    end: int
    depth: int
    said: Said


def holders(doc: Any, known: AbstractSet[str] = frozenset()) -> list[Holder]:
    """Every attribution the parse finds in a sentence: speech verbs with a named subject, 'according to X',
    and a speech verb whose subject the parse lost ('…, Name, the CEO of X told CNBC')."""
    found = []
    for tok in doc:
        if tok.dep_ in VERB_DEPS and _is_speech(tok):
            subj = next((c for c in tok.children if c.dep_ in SUBJECT_DEPS), None)
            # a name the parse hung off the verb beside its subject ('Name of the group X told…')
            lo = min([c.left_edge.i for c in tok.lefts if c.dep_ == "dep"], default=None)
            said = _holder(doc, subj, known, lo) if subj is not None else _name_before(doc, tok, known)
            if said is not None:
                found.append(Holder(tok.left_edge.idx, _end(tok.right_edge), _depth(tok), said))
        elif tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            obj = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
            said = _holder(doc, obj, known) if obj is not None else None
            if said is not None:  # the source of the whole sentence, unless a speech verb names someone
                found.append(Holder(0, len(doc.text), 99, said))
    return found


def attribution(doc: Any, known: AbstractSet[str] = frozenset()) -> Said | None:
    """The holder of what the sentence says as a whole (the speech verb nearest the root), or None when the
    parse names nobody. `known` are name parts of people met earlier in the article, so a bare surname
    ('Okafor of X told…') is recognised."""
    found = holders(doc, known)
    return min(found, key=lambda h: (h.depth, h.start)).said if found else None


def holder_at(found: list[Holder], offset: int) -> Holder | None:
    """The innermost attribution whose verb governs the text at a character offset."""
    inside = [h for h in found if h.start <= offset < h.end and h.depth < 99]
    return max(inside, key=lambda h: h.depth) if inside else None


def _end(tok: Any) -> int:
    return tok.idx + len(tok.text)


def _name_before(doc: Any, verb: Any, known: AbstractSet[str]) -> Said | None:
    """A subjectless speech verb at the end of a sentence: the name just before it, when the parse attached it
    elsewhere (a missing comma in '…, Name, the CEO of X told CNBC')."""
    ents = [e for e in doc.ents if e.label_ in NAME_LABELS and verb.i - 12 <= e.start and e.end <= verb.i]
    for e in reversed(ents):
        said = _holder(doc, e.root, known)
        if said is not None and said.kind == "person":
            return said
    return None


def _is_speech(tok: Any) -> bool:
    lemma = speech_lemma(tok.text)
    if lemma == "put":
        return any(c.dep_ == "dobj" and c.lower_ in PUT_OBJECTS for c in tok.children)
    return lemma is not None


def _depth(tok: Any) -> int:
    depth = 0
    while tok.head.i != tok.i:  # spaCy makes a new Token object at each access: compare positions
        tok, depth = tok.head, depth + 1
    return depth


def _holder(doc: Any, subj: Any, known: AbstractSet[str], lo: int | None = None) -> Said | None:
    """The person, pronoun or organisation a subject phrase names."""
    low = subj.lower_
    if low in ("he", "she"):
        return Said(subj.text, "pronoun")
    if low in FIRST_PERSON or low in ("it", "they", "this", "that", "which", "who"):
        return None  # inside a quote, or pointing back: the paragraph's speaker decides
    lo, hi = min(subj.left_edge.i, subj.left_edge.i if lo is None else lo), subj.right_edge.i + 1
    names = _names(doc, lo, hi, subj)
    person = next((e for e in names if _is_person(doc, subj, e)), None)
    if person is not None:
        return Said(person.text, "person", _role(doc, subj, person, lo, hi))
    part = next((t for t in doc[lo:hi] if t.text in known and t.text[:1].isupper()), None)
    if part is not None:
        return Said(part.text, "person")
    org = next((e for e in names if e.label_ in ("ORG", "PERSON") or COMPANY_HINT.search(e.text)
                or ORG_HINT.search(e.text)), None)
    if org is not None:
        return Said(re.sub(r"^[Tt]he\s+", "", org.text), "org")
    if low in DOCUMENT_NOUNS and any(c.lower_ in ("the", "its", "this") for c in subj.children):
        return Said(subj.text, "document")  # "the report found…": the organisation quoted before
    if low in GENERIC_SUBJECTS:
        return Said(subj.text, "nobody")
    return None


def _names(doc: Any, lo: int, hi: int, subj: Any) -> list:
    """Named entities inside the subject phrase, nearest its head word first (relative clauses left out)."""
    skip = {t.i for c in subj.children if c.dep_ in ("relcl", "acl") for t in c.subtree}
    ents = [e for e in doc.ents if e.label_ in NAME_LABELS and lo <= e.start and e.end <= hi
            and not any(t.i in skip for t in e)]
    return sorted(ents, key=lambda e: abs(e.root.i - subj.i))


def _is_person(doc: Any, subj: Any, e: Any) -> bool:
    """A PERSON entity, or a two-to-three-word name in apposition to a role ('Name, the CEO of X'), which the
    small NER model often labels ORG or GPE; a name ending like a company's ('X AI', 'X Labs') is not."""
    if COMPANY_HINT.search(e.text) or ORG_HINT.search(e.text):
        return False
    if e.label_ == "PERSON":
        return True
    shaped = 2 <= len(e) <= 3 and all(t.text[:1].isupper() and t.is_alpha for t in e)
    return shaped and (bool(ROLE_RE.fullmatch(subj.text)) and subj.i not in range(e.start, e.end)
                       or any(c.dep_ == "appos" and ROLE_RE.search(doc[c.left_edge.i:c.right_edge.i + 1].text)
                              for c in e.root.children))


def _role(doc: Any, subj: Any, person: Any, lo: int, hi: int) -> str | None:
    """The role an apposition or a title before the name gives ('the CEO of X', 'analyst')."""
    for head in (person.root, subj):
        for c in head.children:
            if c.dep_ == "appos" and not (person.start <= c.i < person.end):
                words = doc[c.left_edge.i:c.right_edge.i + 1].text
                return _trim(words)
    # "the firm's chief scientist, Name, said"
    if person.root.dep_ == "appos" and person.root.head.i == subj.i:
        return _trim(doc[lo:person.start].text)
    before = doc[lo:person.start].text if person.start > lo else ""
    return _trim(before) if before and not any(t.dep_ == "poss" for t in doc[lo:person.start]) else None


def _trim(text: str) -> str | None:
    text = re.split(r",?\s+(?:who|which|whose|where)\b", text)[0].strip(" ,;—–-")  # a role, not its clause
    for art in ("the ", "a ", "an "):
        if text.lower().startswith(art):
            text = text[len(art):]
    return text or None
