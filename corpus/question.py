"""What a question asks for: the kind of answer (a length of time, a date, an amount) and the thing it asks
about ("how many users", "what is the firm's revenue"). Search prefers sentences of the asked-for kind, and
/ask refuses when no sentence near the best hits names the asked-for thing."""
from __future__ import annotations

import functools
import re

import snowballstemmer

# Answer kinds, each asked by English question openings. Order matters: the first that matches decides.
KINDS: list[tuple[str, str, str]] = [
    (r"\bhow\s+(?:long|soon|quickly|fast)\b|\bhow\s+much\s+time\b"
     + r"|\bhow\s+many\s+(?:days|weeks|months|years|decades)\b",
     "span", "asks for a length of time"),
    (r"\bhow\s+far\b", "gap", "asks for the size of a lead or lag: a length of time or a ratio"),
    (r"\bwhen\b(?!\s+(?:it\s+comes|asked))|\bwhat\s+(?:year|month|date|day|time)\b|\bin\s+which\s+year\b",
     "time", "asks for a point in time ('when it comes to', 'when asked' ask for none)"),
    (r"\bhow\s+(?:many|much|big|large|small|efficient|expensive|high|low)\b"
     + r"|\bwhat\s+(?:share|percentage|proportion|fraction|number|amount)\b", "amount", "asks for a number"),
]
_KINDS = [(re.compile(p, re.IGNORECASE), kind) for p, kind, _ in KINDS]

NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                "sixteen"
                "|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?"
                "|thousands?|millions?|billions?|trillions?|dozens?|half|twice|double|triple|tenfold")
# A number standing alone ("130", "$50", "20%", "7-10"), not a digit inside a name ("GPT-4", "K2") nor a
# year ("in 2027" is a date, not an amount).
NUMBER = re.compile(rf"[$€£¥]\d|(?<![\w\-.])(?!(?:19|20)\d\d\b)\d[\d,.]*%?(?![A-Za-z])"
                    rf"|\b(?:{NUMBER_WORDS})\b", re.IGNORECASE)
UNIT = r"(?:days?|weeks?|months?|quarters?|years?|decades?|generations?)"
# A length of time: a number or quantifier and a unit close after it ("two to three years", "a year-long",
# "7-10 months", "a matter of months", "half a year").
SPAN = re.compile(rf"\b(?:\d[\d.,]*|{NUMBER_WORDS}|a|an|few|several|couple|matter\s+of|"
                  rf"many)\b[\w\s\-–,]{{0,25}}?"
                  rf"\b{UNIT}\b", re.IGNORECASE)
# A ratio or share ("20%", "10 times", "a tenth of", "half"): how far apart two sides are, without time.
RATIO = re.compile(r"\d[\d.,]*\s*(?:%|percent|per\s+cent|times\b|x\b|-?fold\b)|\b(?:twice|double|triple|half|"
                   r"(?:one|two|three|four|five|ten|twenty|hundred)\s+times|tenfold|quarter\s+of|third\s+of|"
                   r"tenth\s+of)\b",
                   re.IGNORECASE)
# A point in time ("March", "2027", "the end of the year"); "May" is left out: it is mostly the verb.
DATE = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b|\b(?:january|february|march|april|june|july|august|september|"
                  r"october"
                  r"|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|quarter|"
                  r"half\s+of"
                  r"|end\s+of|today|tomorrow|yesterday|ago|next\s+\w+|last\s+\w+|this\s+(?:year|month|"
                  r"week))\b",
                  re.IGNORECASE)


def answer_kind(question: str) -> str | None:
    """The kind of answer a question asks for: "span", "gap", "time", "amount", or None."""
    return next((kind for rx, kind in _KINDS if rx.search(question)), None)


def fits(kind: str | None, text: str) -> bool:
    """Whether a sentence carries an answer of that kind (always true for questions of no kind)."""
    if kind == "span":  # "how long will it take?" is answered by "within two years" and by "by 2027" alike
        return bool(SPAN.search(text) or DATE.search(text))
    if kind == "gap":
        return bool(SPAN.search(text) or RATIO.search(text))
    if kind == "time":
        return bool(DATE.search(text) or SPAN.search(text))
    if kind == "amount":
        return bool(NUMBER.search(text))
    return True


# Nouns that name the kind of answer wanted, not what it is about: "what reasons did she give" is answered by
# the reasons themselves ("chip shortages and less data"), which rarely repeat the word "reasons".
KIND_NOUNS = frozenset({"reason", "reasons", "factor", "factors", "way", "ways", "thing", "things", "kind",
                        "kinds",
                        "type", "types", "sort", "sorts", "example", "examples", "aspect", "aspects",
                        "detail", "details", "point", "points"})
# Verbs that only say someone stated the answer ("what reasons did she give / cite / offer"): the answering
# sentence uses its own verb ("said", "blamed", "pointed to").
STATING_VERBS = frozenset({"give", "gave", "offer", "offered", "provide", "provided", "cite", "cited",
                           "list", "listed",
                           "name", "named"})
AUX = r"(?:do|does|did|is|are|was|were|has|have|had|can|could|will|would|should|may|might)"
WORD = r"[\w.'’\"“”+\-]+"
# The thing a question asks the amount or value of: "how many <users> does…", "how much <seed money> did…",
# "what is <the revenue> of…", "what was the firm's <revenue> in…".
# The noun a what/which question asks for ("what computing platform did…", "which model did…"): the answer
# usually names one ("…, a computing platform that…"); a kind noun ("what reasons") is the exception.
WH_NOUN = re.compile(rf"\b(?:what|which)\s+({WORD}(?:\s+{WORD}){{0,2}}?)\s+{AUX}\b", re.IGNORECASE)
FOCUS = [re.compile(rf"\bhow\s+(?:many|much)\s+({WORD}(?:\s+{WORD}){{0,3}}?)\s+{AUX}\b", re.IGNORECASE),
         re.compile(rf"\bwhat\s+(?:is|was|are|"
                    rf"were)\s+(?:the\s+)?(?:{WORD}['’]s\s+)?({WORD}(?:\s+{WORD}){{0,2}}?)"
                    r"(?:\s+(?:of|for|in|at|on|and|to|by|with)\b|[?,;.!]|$)", re.IGNORECASE)]


def focus(question: str) -> str:
    """The words naming what a question asks the amount or value of ("" when it asks for no such thing)."""
    for rx in FOCUS:
        m = rx.search(question)
        if m:
            return m.group(1).strip()
    return ""


def wh_noun(question: str) -> str:
    """The words of the noun a what/which question asks for ("" when it names none)."""
    m = WH_NOUN.search(question)
    return m.group(1) if m else ""


def frame_words(question: str) -> set[str]:
    """Words of the question that say what kind of answer is wanted rather than what it is about."""
    words = set(re.findall(r"[^\W_]+", question.lower()))
    return words & (KIND_NOUNS | STATING_VERBS)


# Names English writes several ways; each is folded to its first spelling so a question and a sentence meet.
ALIASES: list[tuple[list[str], str]] = [
    (["US", "U.S.A.", "U.S.", "USA", "United States of America", "United States", "America"],
     "the United States goes by its initials, with or without dots, and by 'America'"),
    (["UK", "U.K.", "United Kingdom", "Britain"], "the United Kingdom likewise"),
    (["EU", "E.U.", "European Union"], "the European Union likewise"),
    (["AI", "artificial intelligence"], "articles spell out what questions abbreviate, and the reverse"),
]
# A country and its adjective name the same side of a comparison ("China's lead", "Chinese firms' lead").
DEMONYMS = ["China Chinese", "Japan Japanese", "Korea Korean", "India Indian", "Taiwan Taiwanese",
            "Europe European", "Russia Russian", "France French", "Germany German", "Israel Israeli",
            "Canada Canadian", "Singapore Singaporean", "Vietnam Vietnamese", "UK British",
            "US American Americans"]
ALIASES += [(pair.split(), "a country and its adjective") for pair in DEMONYMS]
_NOT_A_REGION = r"(?<![\w.])(?<!Latin )(?<!South )(?<!North )(?<!Central )"


def _alias_pattern(forms: list[str]) -> re.Pattern[str]:
    spelled = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    return re.compile(_NOT_A_REGION + "(?:" + spelled + r")(?![\w])", re.IGNORECASE)


_ALIASES = [(_alias_pattern(forms[1:]), forms[0]) for forms, _ in ALIASES]


def spellings(name: str) -> list[str]:
    """Every way of writing a name ("Chinese" -> China, Chinese); the name alone when it has no aliases."""
    low = name.lower()
    return next((forms for forms, _ in ALIASES if low in (f.lower() for f in forms)), [name])


def fold(text: str) -> str:
    """The text with each alias written one way ("U.S." and "United States" as "US")."""
    for rx, to in _ALIASES:
        text = rx.sub(to, text)
    return text


_STEMMER = snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=200_000)
def _stem(w: str) -> str:
    """Snowball stem ('faces' and 'face', 'developed' and 'develop' meet), possessive dropped."""
    return _STEMMER.stemWord(re.sub(r"['’]s$", "", w))


def coverage(weights: dict[str, float], text: str) -> float:
    """Weighted share of the question's words found (by stem) in the text."""
    have = {_stem(t) for t in re.findall(r"[^\W_]+(?:[.'’\-][^\W_]+)*", fold(text).lower())}
    have |= {_stem(p) for t in list(have) for p in re.split(r"[.'’\-]", t)}
    got = sum(wt for w, wt in weights.items() if _stem(w) in have or all(_stem(p) in have for p in
                                                                          re.split(r"[.'’\-]", w) if p))
    return got / sum(weights.values())
