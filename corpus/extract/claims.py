"""Gap claims: sentences that size (or state) how far China trails or leads the US, parsed into year ranges."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corpus.models import Claim

if TYPE_CHECKING:
    from corpus.ingest import Prepared

WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
         "twenty": 20, "half a": 0.5, "a half": 0.5, "half": 0.5, "a couple of": 2, "a few": 3, "several": 3}
NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True)) + r")"
UNIT = r"(?P<unit>years?|months?|weeks?)"
RANGE = rf"(?P<a>{NUM})\s*(?:to|-|–|—|or)\s*(?P<b>{NUM})[\s\-]*{UNIT}"
SINGLE = rf"(?P<n>{NUM})(?P<half>\s+and\s+a\s+half)?[\s\-]*{UNIT}(?P<half2>\s+and\s+a\s+half)?(?:[\s\-]long)?"
WITHIN = (r"(?:within|in less than|less than|under|inside of|may not need|won'?t need|will not need|"
          r"no more than|up to)")
PATTERNS = [
    ("at_least", rf"\b(?:at least|more than|over|upwards of)\s+{SINGLE}"),
    ("within_range", rf"\b{WITHIN}\s+(?:the\s+next\s+)?{RANGE}"),
    ("within", rf"\b{WITHIN}\s+(?:the\s+next\s+)?{SINGLE}"),
    ("range", rf"\b{RANGE}"),
    ("about", rf"\b(?:about|around|roughly|approximately|nearly|almost|some|perhaps|maybe)\s+{SINGLE}"),
    ("single", rf"\b{SINGLE}"),
    ("months", r"\ba matter of (?P<unit>months|weeks|years)\b"),
    ("long", r"\b(?P<unit>year|month)[\s\-]long\b"),
]
# time phrases that are not gap estimates: ages, "ago", history, how long something took to build
NOT_GAP = re.compile(r"^[\s\-]*(?:ago|old|earlier|before|since|later\b(?! than))|^[\s\-]*year[\s\-]old|"
                     r"^\s+to\s+(?:build|develop|train|make|design|complete|finish|produce|create|construct|"
                     r"set up|launch|deploy)\b", re.I)
NOT_GAP_BEFORE = re.compile(r"\b(?:took|takes|taking|spent|spend|spending|lasted|old|aged|"
                            r"(?:over|in|for|during|throughout)\s+the\s+(?:past|last|previous|preceding))\s*$", re.I)
GAP_WORDS = re.compile(r"\b(behind|trail\w*|lag\w*|gap|catch(?:es|ing)? up|catch-up|match\w*|bridg\w*|"
                       r"clos(?:e|es|ing) (?:the|this|that)|narrow\w*|ahead|lead(?:s|ing)? the|surpass\w*|"
                       r"setback|parity|on par|overtake\w*|outpac\w*)\b", re.I)
DIMENSIONS = [
    ("chips and computing power", r"\b(chips?|semiconductor\w*|gpus?|computing power|compute|lithograph\w*|"
                                  r"hardware|servers?)\b"),
    ("video generation", r"\b(sora|video|text-to-video)\b"),
    ("general-purpose models", r"\b(gpt-?\d\S*|general-purpose|large (?:language )?models?|llms?|"
                               r"foundation models?|frontier models?)\b"),
    ("generative AI", r"\b(generative|genai)\b"),
    ("applications", r"\bapplications?\b"),
    ("talent", r"\b(talent|researchers|engineers)\b"),
    ("reasoning models", r"\b(reasoning|inference) models?\b"),
]


@dataclass
class Found:
    """A duration phrase found in a sentence."""

    low: float | None
    high: float | None
    phrase: str
    start: int
    end: int
    kind: str


def number(word: str) -> float:
    """'two' -> 2, '1.5' -> 1.5."""
    word = word.lower().strip()
    return float(word) if re.fullmatch(r"\d+(?:\.\d+)?", word) else float(WORDS[word])


def years(value: float, unit: str) -> float:
    """A duration in years, rounded to two decimals."""
    unit = unit.lower()
    per = 1 if unit.startswith("year") else 12 if unit.startswith("month") else 52
    return round(value / per, 2)


def durations(sentence: str) -> list[Found]:
    """Every gap-sized duration phrase in a sentence, as a low/high range in years."""
    found: list[Found] = []
    for kind, pat in PATTERNS:
        for m in re.finditer(pat, sentence, re.I):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            if NOT_GAP.search(sentence[m.end():m.end() + 30]) or re.search(r"\d{4}\s*$", sentence[:m.start()]) \
                    or NOT_GAP_BEFORE.search(sentence[max(0, m.start() - 40):m.start()]):
                continue
            found.append(_range(kind, m))
    return sorted(found, key=lambda f: f.start)


def _range(kind: str, m: re.Match) -> Found:
    g = m.groupdict()
    unit = g["unit"]
    if kind == "months":
        return Found(0.0, 1.0 if unit == "months" else 0.25, m.group(0), m.start(), m.end(), kind)
    if kind == "long":
        return Found(years(1, unit), years(1, unit), m.group(0), m.start(), m.end(), kind)
    if g.get("a"):
        lo, hi = years(number(g["a"]), unit), years(number(g["b"]), unit)
    else:
        half = 0.5 if (g.get("half") or g.get("half2")) else 0.0
        lo = hi = years(number(g["n"]) + half, unit)
    if kind == "within":
        lo = 0.0
    elif kind == "at_least":
        hi = None
    return Found(lo, hi, m.group(0).strip(), m.start(), m.end(), kind)


def direction(sentence: str, phrase: Found | None) -> str:
    """china_behind, china_ahead, parity, closing or widening."""
    s = sentence.lower()
    if re.search(r"\bwiden\w*", s) and phrase is None:
        return "widening"
    if re.search(r"\b(china|chinese)\b[^.]{0,60}\b(ahead|leads?|surpass\w*|outpac\w*|overtak\w*)\b", s) \
            and not re.search(r"\b(behind|trail\w*|lag\w*|catch up|challenging)\b", s) and phrase is None:
        return "china_ahead"
    if phrase is None and re.search(r"\b(clos\w+ the gap|narrow\w*|catch(?:ing)? up|bridg\w+)\b", s):
        return "closing"
    if phrase is None and re.search(r"\b(on par|parity|matching)\b", s):
        return "parity"
    return "china_behind"


def dimension(sentence: str) -> str:
    """What the gap is in: chips, video generation, general-purpose models, ... or overall AI."""
    for name, pat in DIMENSIONS:
        if re.search(pat, sentence, re.I):
            return name
    return "overall AI"


def is_gap_statement(sentence: str) -> bool:
    """A sentence that states a China-US gap (or its closing) without sizing it."""
    s = sentence.lower()
    has_parties = re.search(r"\b(china|chinese|beijing)\b", s) and re.search(r"\b(us|u\.s\.|united states|"
                                                                          r"american|washington|us counterparts|"
                                                                          r"openai|western)\b", s)
    return bool(re.search(r"\bgap\b", s) and has_parties) or bool(
        re.search(r"\b(falling|fall|lag\w*|trail\w*) behind\b|\bbehind the (us|u\.s\.)", s) and has_parties)


def extract_claims(p: "Prepared") -> list[Claim]:
    """Claims of one article; sentence_id is the index of the sentence within the article."""
    from corpus.extract.entities import analyse

    speakers = analyse(p).speakers
    out: list[Claim] = []
    for i, s in enumerate(p.sentences):
        if s.kind == "heading":
            continue
        sized = [f for f in durations(s.text) if GAP_WORDS.search(s.text)]
        spk = speakers[i]
        who, aff = (spk.name, spk.role) if spk else (None, None)
        for f in sized:
            out.append(Claim(f.low, f.high, f.phrase, direction(s.text, f), dimension(s.text), who, aff,
                             s.text, p.id, p.art.date or p.art.modified, sentence_id=i))
        if not sized and s.kind == "para" and not s.text.rstrip("”\"' ").endswith("?") and is_gap_statement(s.text):
            out.append(Claim(None, None, "", direction(s.text, None), dimension(s.text), who, aff,
                             s.text, p.id, p.art.date or p.art.modified, sentence_id=i))
    return out
