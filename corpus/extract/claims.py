"""Gap claims: sentences that size (or state) how far China trails or leads the US, parsed into year ranges,
with the claim's direction, the two sides it compares, what it is about and the time it describes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, AbstractSet, Collection

from corpus.extract.attribution import holder_at
from corpus.extract.entities import Analysis, analyse
from corpus.extract.lexicon import (
    AHEAD_RE,
    BEHIND_RE,
    CHINA_RE,
    CLOSING_RE,
    DIMENSION_WORDS,
    GAP_WORDS_RE,
    HYPOTHETICAL_RE,
    NATIONALITY_BEFORE,
    NOT_A_RIVAL_RE,
    NOW_RE,
    PARITY_RE,
    PAST_RE,
    US_CAPS,
    US_RE,
    WIDENING_RE,
    YEAR_RE,
)
from corpus.models import Claim

if TYPE_CHECKING:
    from corpus.models import Prepared

WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
         "twenty": 20, "half a": 0.5, "a half": 0.5, "half": 0.5, "a couple of": 2, "a few": 3, "several": 3}
NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True)) + r")"
UNIT = r"(?P<unit>years?|months?|weeks?|decades?)"
Q = r"[“”\"']?"  # a quotation mark inside a figure: about “one or two months”
RANGE = rf"(?P<a>{NUM})\s*(?:to|-|–|—|or)\s*(?P<b>{NUM}){Q}[\s\-]*{UNIT}"
SINGLE = rf"(?P<n>{NUM})(?P<half>\s+and\s+a\s+half)?[\s\-]*{UNIT}(?P<half2>\s+and\s+a\s+half)?(?:[\s\-]long)?"
# "within N years", "less than N years", "won't need N years": at most N (from zero)
WITHIN = r"(?:within|in less than|less than|under|inside of|(?:won'?t|will not|may not|might not) need|" \
         r"no more than|not more than|no longer than|not longer than|up to)"
# "more than N years" is at least N, but "no more than" / "not more than" negate it (an upper bound: WITHIN)
NOT_NEGATED = r"(?<!\bno\s)(?<!\bnot\s)"
PATTERNS = [
    ("at_least", rf"\b{NOT_NEGATED}(?:at least|more than|over|upwards of)\s+{Q}{SINGLE}"),
    ("or_more", rf"\b{SINGLE}\s+or\s+(?:more|longer)\b"),  # "a year or more": at least
    ("unit_range", rf"\b(?P<a>{NUM})[\s\-]*{UNIT}\s+or\s+(?P<b>{NUM})\b(?![\s\-]*(?:years?|months?|weeks?))"),
    ("within_range", rf"\b{WITHIN}\s+(?:the\s+next\s+)?{Q}{RANGE}"),
    ("within", rf"\b{WITHIN}\s+(?:the\s+next\s+)?{Q}{SINGLE}"),
    ("range", rf"\b{RANGE}"),
    ("about", rf"\b(?:about|around|roughly|approximately|nearly|almost|some|perhaps|maybe)\s+{Q}{SINGLE}"),
    ("single", rf"\b{SINGLE}"),
    ("months", r"\ba matter of (?P<unit>months|weeks|years)\b"),
    ("long", r"\b(?P<unit>year|month)[\s\-]long\b"),
]
# time phrases that are not gap estimates (reasons: lexicon.NOT_GAP_AFTER and NOT_GAP_BEFORE_WORDS)
NOT_GAP = re.compile(r"^[\s\-”\"']*(?:ago|old\b|earlier|before|after|since|later\b(?! than)|from now)|"
                     r"^[\s\-]*year[\s\-]old|"
                     r"^\s+to\s+(?:build|develop|train|make|design|complete|finish|produce|create|construct|"
                     r"set up|launch|deploy|take|bring|reach|get|turn|become)\b", re.I)
NOT_GAP_BEFORE = re.compile(r"\b(?:took|take|takes|taking|spent|spend|spending|lasted|old|aged|served|for|"
                            r"(?:over|in|for|during|throughout)\s+the\s+(?:past|last|previous|preceding))\s*$",
                            re.I)
GAP_WORDS = GAP_WORDS_RE  # reasons per entry: corpus/extract/lexicon.py
DIMENSIONS = [(name, words) for name, words, _ in DIMENSION_WORDS]
# the part of a sentence that says who said it or why, after the claim itself
ATTRIBUTION_TAIL = re.compile(r",?\s+(?:according to|because|while|whereas)\b.*$|"
                              r"[,”\"]\s*(?:[\w.’'\-]+\s+){0,8}?(?:said|says|told|added|estimates?)\b.*$")
IN_WHAT = re.compile(r"\bin\s+(?:the\s+)?(?:field|area|areas|domain|race|development|terms)?\s*(?:of\s+)?"
                     r"(?P<what>[\w\- ]{3,50}?)(?=[,.;:”\"]|\s+(?:but|while|and|because|by|than|"
                     r"according)\b|$)",
                     re.I)


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
    if unit.startswith("decade"):
        return round(value * 10, 2)
    per = 1 if unit.startswith("year") else 12 if unit.startswith("month") else 52
    return round(value / per, 2)


def durations(sentence: str) -> list[Found]:
    """Every gap-sized duration phrase in a sentence, as a low/high range in years."""
    found: list[Found] = []
    taken: list[tuple[int, int]] = []  # every phrase read, kept or not: a shorter reading of it is not a size
    for kind, pat in PATTERNS:
        for m in re.finditer(pat, sentence, re.I):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            after, before = sentence[m.end():m.end() + 30], sentence[:m.start()]
            if NOT_GAP.search(after) or re.search(r"\d{4}\s*$", before) \
                    or NOT_GAP_BEFORE.search(sentence[max(0, m.start() - 40):m.start()]):
                continue
            found.append(_range(kind, m))
    return sorted(found, key=lambda f: f.start)


def _range(kind: str, m: re.Match) -> Found:
    lo: float | None
    hi: float | None
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
    elif kind in ("at_least", "or_more"):
        hi = None
    return Found(lo, hi, m.group(0).strip(" “”\"'"), m.start(), m.end(), kind)


@dataclass
class Sides:
    """Where a sentence names China's side and the US's side (character offsets), and other countries."""

    china: list[int]
    us: list[int]
    other: bool


def sides_of(sentence: str, china_names: AbstractSet[str] = frozenset(),
             us_names: AbstractSet[str] = frozenset(),
             others: Collection[str] = ()) -> Sides:
    """China's and the US's mentions in a sentence, counting names the article tied to either country."""
    china = [m.start() for m in CHINA_RE.finditer(sentence)]
    china += [m.start() for n in china_names for m in re.finditer(rf"\b{re.escape(n)}\b", sentence)]
    us = [m.start() for m in US_RE.finditer(sentence)
          if m.group(0).lower() != "us" or US_CAPS.match(m.group(0))]
    us += [m.start() for n in us_names for m in re.finditer(rf"\b{re.escape(n)}\b", sentence)]
    other = any(_compared(sentence, o) for o in others) or bool(NOT_A_RIVAL_RE.search(sentence))
    if not china and not other:  # "In Europe, researchers say the continent lags…": a third country leads in
        cue = GAP_WORDS_RE.search(sentence)
        other = cue is not None and any(
            re.search(rf"\b{re.escape(o)}\b", sentence[:cue.start()]) for o in others)
    return Sides(sorted(china), sorted(us), other)


COMPARED = r"(?:behind|ahead of|than|over|between|trail\w*|lag\w*|lead\w*|match\w*|rival\w*|" \
           r"(?:gap|par|parity|level|up|compared) with)"  # 'with' alone is too loose: 'an interview with X'


def _compared(sentence: str, name: str) -> bool:
    """Whether a country is one side of the sentence's comparison ('behind India', 'India trails', 'a gap
    between India and…'), not a place where something happened ('said in Hong Kong')."""
    n = re.escape(name)
    return bool(re.search(rf"\b{COMPARED}\s+(?:the\s+|its\s+)?{n}\b|\b{n}(?:['’]s)?\s+(?:\w+\s+){{0,3}}?"
                          rf"(?:is|are|was|were|has|have|remains?|still)?\s*(?:\w+\s+)?{COMPARED}", sentence))


def direction(sentence: str, phrase: Found | None, sides: Sides | None = None) -> str:
    """china_behind, china_ahead, parity, closing or widening: which side the comparison word puts first."""
    sides = sides or sides_of(sentence)
    if phrase is None and WIDENING_RE.search(sentence):
        return "widening"
    ahead = _leader(sentence, sides, AHEAD_RE, leader=True)
    behind = _leader(sentence, sides, BEHIND_RE, leader=False)
    if phrase is None and PARITY_RE.search(sentence) and not (ahead or behind):
        return "parity"
    if phrase is None and CLOSING_RE.search(sentence) and not ahead:
        return "closing"
    verdict = ahead or behind
    if phrase is None and not verdict and PARITY_RE.search(sentence):
        return "parity"
    return verdict or "china_behind"


def _leader(sentence: str, sides: Sides, words: re.Pattern, *, leader: bool) -> str | None:
    """The direction a lead word ('ahead', leader=True) or a lag word ('behind') gives: the side named just
    before it is the leader (or the laggard); the side named just after it ('ahead of China') is the other."""
    m = words.search(sentence)
    if m is None or leader and HYPOTHETICAL_RE.search(sentence[max(0, m.start() - 60):m.start()]):
        return None
    before = max([("china", p) for p in sides.china if p < m.start()] +
                 [("us", p) for p in sides.us if p < m.start()], key=lambda x: x[1], default=None)
    after = min([("china", p) for p in sides.china if p > m.start()] +
                [("us", p) for p in sides.us if p > m.start()], key=lambda x: x[1], default=None)
    if before is not None:
        return "china_ahead" if (before[0] == "china") == leader else "china_behind"
    if after is not None:
        return "china_ahead" if (after[0] == "china") != leader else "china_behind"
    return None


def dimension(sentence: str, start: int = 0) -> str:
    """What the gap is in: the claim's own words ('behind … in chips') first, then the whole sentence."""
    ins = [m.group("what") for m in (IN_WHAT.search(sentence, start), IN_WHAT.search(sentence)) if m]
    claim = ATTRIBUTION_TAIL.sub("", sentence)  # not "…, according to Stanford researchers"
    for text in ins + [claim]:
        for name, pat in DIMENSIONS:
            if re.search(pat, text, re.I):
                return name
    return "overall AI"


def when(sentence: str, f: Found, prev_end: int, article_date: str | None) -> tuple[bool, str | None]:
    """(historical, as_of) of one estimate: an estimate introduced by 'previously', 'down from', 'N years
    ago' … is about the past and carries the year it names; otherwise it is about the article's date."""
    before = sentence[prev_end:f.start]
    cut = max((m.end() for m in NOW_RE.finditer(before)), default=0)
    after = sentence[f.end:f.end + 25]
    past = PAST_RE.search(before[cut:]) or re.match(r"\s*(?:ago|earlier)\b", after)
    year = YEAR_RE.search(after) or YEAR_RE.search(before[cut:])
    if not past and not (year and article_date and year.group(1) < article_date[:4]):
        return False, article_date
    if year:
        return True, year.group(1)
    ago = re.search(rf"\b({NUM})\s+years?\s+ago\b", before[cut:] + after, re.I)
    if ago and article_date:
        return True, str(int(article_date[:4]) - int(number(ago.group(1))))
    if re.search(r"\blast year\b", before[cut:] + after, re.I) and article_date:
        return True, str(int(article_date[:4]) - 1)
    return True, None


def is_gap_statement(sentence: str, sides: Sides) -> bool:
    """A sentence that states a China-US gap (or its closing) without sizing it."""
    s = sentence.lower()
    both = bool(sides.china and sides.us)
    return both and bool(re.search(r"\bgap\b", s) or re.search(
        r"\b(falling|fall|lag\w*|trail\w*) behind\b|\bbehind the (us|u\.s\.|united states)", s)
        or _stated(sentence, PARITY_RE)
        or re.search(r"\b(?:caught up|catching up|pulled ahead|overtaken)\b", s))


def _stated(sentence: str, words: re.Pattern) -> bool:
    """Whether the sentence says the thing holds, not that it is a goal or a possibility ('a goal of reaching
    parity by 2030', 'could reach parity')."""
    m = words.search(sentence)
    return m is not None and not HYPOTHETICAL_RE.search(sentence[max(0, m.start() - 60):m.start()])


def china_us(sides: Sides, prev: Sides | None, *, about_china: bool) -> bool:
    """Whether a sized comparison is between China and the US: China's side named (and no third country
    compared instead of the US); or, in an article about China, only the US named or neither named ('they are
    months behind'), with no third country compared; or the sentence before naming China."""
    if sides.other and not (sides.china and sides.us):
        return False
    if sides.china:
        return True
    return about_china or (prev is not None and bool(prev.china))


def nationalities(texts: list[str]) -> tuple[set[str], set[str]]:
    """Names an article ties to China or the US where it introduces them ('Chinese startup Acme', 'US
    chipmaker Zeta'): a capitalised name within three words after a nationality word."""
    china: set[str] = set()
    us: set[str] = set()
    pat = re.compile(NATIONALITY_BEFORE + r"\s+(?:[a-z][\w\-]*\s+){0,3}(?P<name>[A-Z][\w.\-]*[A-Za-z0-9])")
    for text in texts:
        for m in pat.finditer(text):
            name = m.group("name")
            if CHINA_RE.fullmatch(name) or US_RE.fullmatch(name) or len(name) < 2:
                continue
            (china if m.group("nat").lower().startswith(("chin", "beij")) else us).add(name)
    return china - us, us - china


def extract_claims(p: Prepared, analysis: Analysis | None = None) -> list[Claim]:
    """Claims of one article (from its analysis, made here when not given); sentence_id is the index of the
    sentence within the article."""
    a = analyse(p) if analysis is None else analysis
    texts = [s.text for s in p.sentences]
    china_names, us_names = nationalities(texts)
    others = {sp.text for sp in a.spans
              if sp.label in ("GPE", "NORP", "LOC") and re.fullmatch(r"[A-Z][a-z][\w .\-]+", sp.text)
              and not CHINA_RE.search(sp.text) and not US_RE.search(sp.text)}
    date = p.art.date or p.art.modified
    # an article about China names it (or a name it ties to China) in several sentences, or in its title
    about_china = sum(bool(sides_of(t, china_names).china) for t in texts) >= 3 or \
        bool(CHINA_RE.search(p.art.title or ""))
    out: list[Claim] = []
    prev: Sides | None = None
    for i, s in enumerate(p.sentences):
        sides = sides_of(s.text, china_names, us_names, others)
        if s.kind != "heading":
            out += _sentence_claims(s.text, i, sides, prev, a, p.id, date, s.kind, about_china)
        prev = sides
    return restated_once(out, a, [s.passage for s in p.sentences])


def _sentence_claims(text: str, i: int, sides: Sides, prev: Sides | None, a, article_id: str,
                     date: str | None, kind: str, about_china: bool) -> list[Claim]:
    """The claims one sentence makes: one per gap-sized duration, or one unsized gap statement. Each estimate
    is held by the speaker whose verb governs it ('…A sees months while B sees two years'), else the
    sentence's speaker."""
    spk = a.speakers[i]
    who, aff = (spk.name, spk.role) if spk else (None, None)
    compares = GAP_WORDS.search(text) and china_us(sides, prev, about_china=about_china)
    found = durations(text) if compares else []
    out, prev_end = [], 0
    for f in found:
        inner = holder_at([h for h, x in a.holders[i] if x is not None], f.start)
        holder = next((x for h, x in a.holders[i] if h is inner), None) if inner else spk
        who, aff = (holder.name, holder.role) if holder else (None, None)
        historical, as_of = when(text, f, prev_end, date)
        out.append(Claim(f.low, f.high, f.phrase, direction(text, f, sides), dimension(text, f.start),
                         who, aff, text, article_id, date, sentence_id=i, as_of=as_of,
                         sides=["China", "United States"], historical=historical))
        prev_end = f.end
    question = text.rstrip("”\"' ").endswith("?")
    if not found and kind == "para" and not question and is_gap_statement(text, sides):
        out.append(Claim(None, None, "", direction(text, None, sides), dimension(text), who, aff, text,
                         article_id, date, sentence_id=i, as_of=date, sides=["China", "United States"]))
    return out


def restated_once(claims: list[Claim], a, passages: list[int]) -> list[Claim]:
    """An article often gives one estimate twice (a summary line, then the quote): keep it from the sentence
    that names China's side and a single speaker, and drop an utterance (consecutive sentences of one
    paragraph by one speaker) whose every estimate is said better elsewhere in the article."""
    named = {i: len({sp.person_key for sp in a.spans if sp.sentence == i and sp.label == "PERSON_REF"})
             for i in {c.sentence_id for c in claims}}
    group = _utterances(claims, passages)

    def rank(c: Claim) -> tuple:
        return (not CHINA_RE.search(c.quote), named.get(c.sentence_id, 0) != 1, c.sentence_id)

    def said_better(c: Claim) -> bool:
        return any(group[o.sentence_id] != group[c.sentence_id] and (o.low_years, o.high_years) ==
                   (c.low_years, c.high_years) and (o.speaker == c.speaker or not c.speaker)
                   and rank(o) < rank(c) for o in claims)

    drop = {g for g in set(group.values())
            if all(said_better(c) for c in claims if group[c.sentence_id] == g and c.sized)
            and any(c.sized for c in claims if group[c.sentence_id] == g)}
    return [c for c in claims if group[c.sentence_id] not in drop]


def _utterances(claims: list[Claim], passages: list[int]) -> dict[int, int]:
    """Sentence index -> utterance number: claim sentences next to each other in one paragraph with one
    speaker are one utterance (a quote running over several sentences)."""
    out: dict[int, int] = {}
    last: Claim | None = None
    n = 0
    for c in sorted(claims, key=lambda c: c.sentence_id):
        if c.sentence_id in out:
            continue
        if last is None or c.sentence_id - last.sentence_id > 1 or c.speaker != last.speaker or \
                passages[c.sentence_id] != passages[last.sentence_id]:
            n += 1
        out[c.sentence_id] = n
        last = c
    return out
