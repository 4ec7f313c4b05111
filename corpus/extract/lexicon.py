"""Every word list the extractors use, in one place, each entry with the reason it is there.

The reasons are about English (how news prose attributes speech, states a comparison, or dates it), never
about a particular article. A table test in tests/test_extract_rules.py holds each rule against phrasings of
its own, with negative cases.
"""
from __future__ import annotations

import re


def _words(table: dict[str, str]) -> str:
    """An alternation of a table's keys, longest first, for a regular expression."""
    return "|".join(sorted(table, key=len, reverse=True))


# --- attribution: verbs whose subject is the holder of the claim in the clause they govern ------------------
SPEECH_VERBS = {
    "say": "the plain reporting verb",
    "tell": "'X told Reuters that…' (the subject speaks, the object listens)",
    "add": "continues a quote", "note": "reporting", "explain": "reporting", "write": "written statements",
    "state": "formal statements", "remark": "reporting", "comment": "reporting", "reply": "reporting",
    "respond": "reporting", "declare": "reporting", "announce": "public statements by people and companies",
    "tweet": "posts on social media", "post": "posts on social media", "testify": "hearings",
    "estimate": "sizing a figure", "calculate": "sizing a figure", "reckon": "belief", "believe": "belief",
    "think": "belief", "expect": "forecast", "predict": "forecast", "forecast": "forecast",
    "project": "forecast",
    "warn": "forecast with a caution", "caution": "forecast with a caution", "argue": "argument",
    "contend": "argument", "claim": "argument", "insist": "argument", "maintain": "argument",
    "assert": "argument", "suggest": "argument", "stress": "emphasis", "emphasize": "emphasis",
    "emphasise": "emphasis (British spelling)", "highlight": "emphasis", "acknowledge": "concession",
    "admit": "concession", "concede": "concession", "observe": "reporting", "conclude": "studies and reports",
    "find": "studies and reports ('the study found…')", "report": "reports and news agencies",
    "see": "'X sees a gap of…' states X's view", "describe": "'X described the gap as…'",
    "call": "'X called it…'", "put": "'X put the odds / the gap at…' (only with such an object)",
    "show": "data and reports ('the ranking shows…')", "indicate": "data and reports",
}
# inflected forms, so no lemmatizer has to run: regular -s/-ed/-ing plus the irregular pasts
IRREGULAR = {"said": "say", "says": "say", "saying": "say", "told": "tell", "tells": "tell",
             "telling": "tell",
             "wrote": "write", "written": "write", "thought": "think", "found": "find", "saw": "see",
             "seen": "see", "sees": "see", "seeing": "see", "forecast": "forecast", "put": "put",
             "puts": "put",
             "putting": "put", "showed": "show", "shown": "show"}
# 'put' is speech only with an object like these ("put the odds at less than 20%")
PUT_OBJECTS = {"odds": "a probability", "chance": "a probability", "chances": "a probability",
               "probability": "a probability", "likelihood": "a probability", "gap": "a size",
               "lag": "a size", "lead": "a size", "figure": "a size", "estimate": "a size"}
# nouns that speak for an organisation: "a CSIS report said", "the study found"
DOCUMENT_NOUNS = {"report": "documents quoted as sources", "study": "research", "survey": "research",
                  "analysis": "research", "paper": "research", "index": "rankings", "ranking": "rankings",
                  "leaderboard": "rankings", "benchmark": "rankings", "assessment": "research",
                  "evaluation": "research", "review": "research", "estimate": "research", "data": "research"}
# generic subjects that name no one: "analysts said", "experts believe" (unattributed, not a speaker)
GENERIC_SUBJECTS = {"analysts": "a group, not a person", "experts": "a group", "observers": "a group",
                    "officials": "a group", "executives": "a group", "people": "a group", "some": "a group",
                    "many": "a group", "others": "a group", "critics": "a group", "insiders": "a group",
                    "sources": "anonymous sourcing", "researchers": "a group", "investors": "a group"}
PRONOUNS = {"he": "a man named before", "she": "a woman named before",
            "they": "a group or company named before",
            "it": "a company or report named before", "we": "the speaker's own side", "i": "the speaker"}


def speech_lemma(word: str) -> str | None:
    """The speech verb a word form is ('said' -> 'say', 'estimates' -> 'estimate'), or None."""
    w = word.lower()
    if w in IRREGULAR:
        return IRREGULAR[w]
    for suffix, add in (("", ""), ("s", ""), ("es", ""), ("ed", ""), ("d", ""), ("ing", ""), ("ing", "e"),
                        ("ied", "y"), ("ies", "y")):
        if suffix and not w.endswith(suffix):
            continue
        stem = (w[: -len(suffix)] if suffix else w) + add
        if stem in SPEECH_VERBS:
            return stem
    return None


# --- the two sides of a comparison --------------------------------------------------------------------------
CHINA_SIDE = {"china": "the country", "chinese": "its demonym", "beijing": "its capital, used for the state",
              "prc": "the state's initials", "mainland": "'mainland firms'", "sino": "'Sino-' compounds"}
US_SIDE = {"us": "the country ('the US', 'US labs')", "u.s.": "the country", "u.s": "the country",
           "usa": "the country", "america": "the country", "american": "its demonym",
           "americans": "its people", "washington": "its capital, used for the state",
           "united states": "the country", "silicon valley": "its technology industry",
           "west": "'the West' includes the US", "western": "'Western labs' include the US's"}
# other countries and blocs: a gap between one of these and the US (or China) is not a China-US gap
OTHER_SIDE_LABELS = {"GPE": "countries, cities and states", "NORP": "nationalities"}
# what a "gap" can be measured to that is not a rival country: a timeline to AGI is not a China-US gap
NOT_A_RIVAL = {"agi": "artificial general intelligence", "artificial general intelligence": "a milestone",
               "superintelligence": "a milestone", "human-level": "a milestone", "singularity": "a milestone"}
NOT_A_RIVAL_RE = re.compile(r"\b(?:" + _words(NOT_A_RIVAL) + r")\b", re.I)
CHINA_RE = re.compile(r"\b(?:" + _words(CHINA_SIDE) + r")\b", re.I)
US_RE = re.compile(r"(?<![\w.])(?:" + _words({k: v for k, v in US_SIDE.items() if k not in ("us", "west")})
                   + r")(?![\w])|\b(?:US|the West)\b", re.I)
# the US written in capitals only: "US" is also the pronoun "us" ("ahead of us" is the speaker's side)
US_CAPS = re.compile(r"(?<![\w.])(?:US|U\.S\.?)(?![\w])")
# a name's nationality, said where the name is introduced: "Chinese startup X", "X, a Chinese firm"
NATIONALITY_BEFORE = r"(?P<nat>Chinese|China's|Beijing-based|American|US|U\.S\.|US-based|U\.S\.-based)"

# --- direction: which side a comparison word puts in front --------------------------------------------------
BEHIND_WORDS = {"behind": "'X is behind Y'", "trail": "'X trails Y'", "lag": "'X lags Y'",
                "catch up": "the one catching up is behind", "catching up": "the one catching up is behind",
                "catch-up": "the one catching up is behind", "follow": "'a fast follower'",
}
AHEAD_WORDS = {"ahead": "'X is ahead of Y'", "lead": "'X leads Y'", "leads": "'X leads Y'",
               "leading": "'X is leading'", "outpace": "'X outpaces Y'", "surpass": "'X surpasses Y'",
               "overtake": "'X overtakes Y'", "leapfrog": "'X leapfrogs Y'",
               "outperform": "'X outperforms Y'",
               "edge": "'an edge over Y'", "advantage": "'an advantage over Y'",
               "older": "'Y's models N months older': the side named first got there N months earlier"}
PARITY_WORDS = {"on par": "level", "parity": "level", "neck and neck": "level", "level with": "level",
                "caught up": "finished catching up", "closed the gap": "finished closing",
                "head to head": "level", "as good as": "level", "matches": "level", "matched": "level"}
CLOSING_WORDS = {"narrow": "the gap gets smaller", "closing": "the gap gets smaller",
                 "close the gap": "the gap gets smaller", "bridge": "the gap gets smaller",
                 "catching up": "the gap gets smaller", "shrink": "the gap gets smaller"}
WIDENING_WORDS = {"widen": "the gap grows", "grow": "'a growing gap'", "growing": "'a growing gap'"}
BEHIND_RE = re.compile(r"\b(?:behind|trail\w*|lag\w*|catch(?:es|ing)?[\s-]up|follow(?:s|ing|er)?)\b", re.I)
AHEAD_RE = re.compile(r"\b(?:ahead|lead(?:s|ing)?|outpac\w*|surpass\w*|overtak\w*|leapfrog\w*|outperform\w*|"
                      r"edge over|advantage over|older)\b", re.I)
# a lead that is only possible or hoped for ('the odds of X overtaking Y', 'X could overtake Y') is not a lead
HYPOTHETICAL_RE = re.compile(r"\b(?:could|would|might|may|will|odds|chances?|likelihood|probability|hopes?|"
                             r"aims?|plans?|goal|tries|trying|want\w*|expect\w*|(?:likely|able|poised|set) "
                             r"to|if|"
                             r"whether|unlikely)"
                             r"(?:\s+\S+){0,6}\s*$", re.I)
PARITY_RE = re.compile(r"\b(?:on par|parity|neck and neck|level with|caught up|closed the gap|head to head|"
                       r"as good as|on (?:an )?equal footing)\b", re.I)
CLOSING_RE = re.compile(r"\b(?:narrow\w*|clos(?:e|es|ing) (?:the|this|that) gap|bridg\w*|shrink\w*|"
                        r"catch(?:es|ing)? up)\b", re.I)
WIDENING_RE = re.compile(r"\b(?:widen\w*|grow\w* (?:structural |technological )?gap)\b", re.I)
NEGATION_RE = re.compile(r"\b(?:not|no longer|never|isn't|aren't|wasn't)\b", re.I)

# --- time: an estimate about the past carries the year it names ---------------------------------------------
PAST_MARKERS = {"previously": "'previously it was…'", "formerly": "as previously", "once": "'was once…'",
                "used to": "'used to be…'", "down from": "'down from more than a year in 2023'",
                "up from": "the earlier figure", "at the time": "a past moment", "back then": "a past moment",
                "last year": "the year before the article", "earlier": "'earlier estimates'",
                "in the past": "a past time", "ago": "'a year or two ago, X was ahead by…'"}
PAST_RE = re.compile(r"\b(?:previously|formerly|once|used to|down from|up from|at the time|back then|"
                     r"last year|earlier|in the past|ago)\b", re.I)
NOW_RE = re.compile(r"\b(?:now|today|currently|at present|at this point|these days|this year)\b", re.I)
YEAR_RE = re.compile(r"\b(?:in|since|by|as of|during)\s+((?:19|20)\d\d)\b")

# --- names: what makes a name an organisation's or a person's -----------------------------------------------
ORG_SUFFIXES = {"Technology": "company names", "Technologies": "company names", "Group": "company names",
                "Co": "company names", "Corp": "company names", "Corporation": "company names",
                "Inc": "company names", "Ltd": "company names", "Holdings": "company names",
                "Holding": "company names", "AI": "AI companies ('X AI')", "Intelligence": "AI companies",
                "Labs": "research companies", "Lab": "research companies", "Ventures": "investors",
                "Capital": "investors", "Partners": "investors and firms", "Devices": "hardware makers",
                "Systems": "technology firms", "Networks": "technology firms", "Software": "technology firms",
                "Robotics": "technology firms", "Semiconductor": "chipmakers", "Semiconductors": "chipmakers",
                "Electronics": "hardware makers", "Computing": "technology firms",
                "Cloud": "technology firms",
                "Research": "research firms ('X Research')", "Analytics": "research firms",
                "Analysis": "research firms ('X Analysis')", "Media": "publishers", "News": "publishers"}
INSTITUTION_WORDS = {"University": "academia", "Institute": "research bodies", "Academy": "research bodies",
                     "Commission": "public bodies", "Committee": "public bodies", "Council": "public bodies",
                     "Ministry": "government", "Government": "government", "Association": "trade bodies",
                     "Congress": "legislatures", "Agency": "public bodies", "Bureau": "public bodies",
                     "Foundation": "non-profits", "Administration": "government", "Conference": "events",
                     "Center": "think tanks", "Centre": "think tanks", "Department": "government"}
COMPANY_HINT = re.compile(r"\b(?:" + _words(ORG_SUFFIXES) + r")\b\.?$")
ORG_HINT = re.compile(r"\b(?:" + _words(INSTITUTION_WORDS) + r")\b")
# nouns that name a person's role; a name in apposition to one of these is a person's ('Name, the CEO of X')
ROLE_NOUNS = ("chairman|chairwoman|chair|founder|co-founder|partner|investor|analyst|researcher|expert|"
              "engineer|"
              "secretary-general|secretary|director|ceo|cto|cfo|coo|president|vice president|professor|head|"
              "chief|executive|spokesperson|spokesman|spokeswoman|scientist|minister|official|professional|"
              "representative|member|economist|fellow|manager|editor|correspondent|adviser|advisor|lawyer|"
              "technologist|entrepreneur|leader|deputy|senior|general manager|strategist|author|lecturer|"
              "developer|designer|consultant|commissioner|governor|mayor|senator|czar|tsar|envoy|ambassador|"
              "founder|co-author|principal|lead|scholar|historian|student|officer")
ROLE_RE = re.compile(rf"\b(?:{ROLE_NOUNS})\b", re.I)

# --- gap sizes: which sentences size a gap, and which duration phrases are not gap sizes --------------------
GAP_WORDS = {
    r"behind": "'N years behind'", r"trail\w*": "'trails by N'", r"lag\w*": "'lags by N', 'a lag of N'",
    r"gap": "'a gap of N'", r"distance (?:to|from|between)": "'the distance to the frontier is N'",
    r"catch(?:es|ing)? up|catch-up": "'could catch up within N'",
    r"match\w*": "'could match X within N'", r"bridg\w*": "'bridge the gap within N'",
    r"clos(?:e|es|ing) (?:the|this|that)": "'close the gap in N'", r"narrow\w*": "'narrowed it to N'",
    r"ahead": "'N ahead'", r"lead(?:s|ing)? the|leads": "'leads the US by N'",
    r"lead\w*(?:\s+\w+){0,3}\s+by": "'lead Chinese rivals by N'", r"surpass\w*": "'could surpass X in N'",
    r"lead (?:is|was|of|over|at|stands|remains)": "the noun: 'the US lead is closer to N', 'a lead of N'",
    r"parity|on par": "'reach parity within N'", r"overtak\w*|outpac\w*|leapfrog\w*": "'overtake X within N'",
    r"older": "'models N months older' (the other side had it N earlier)",
}
GAP_WORDS_RE = re.compile(r"\b(?:" + "|".join(GAP_WORDS) + r")\b", re.I)
# what follows a duration and makes it a time reference, not a gap size
NOT_GAP_AFTER = {"ago": "'two years ago'", "old": "'eight months old'", "earlier": "'a year earlier'",
                 "before": "'a year before the launch'", "after": "'two years after the ban'",
                 "since": "'in the years since'", "later": "'a year later' (but 'later than' compares)",
                 "from now": "'five years from now' is a horizon", "year-old": "ages",
                 "to build|develop|train|make|…": "'three years to build' is how long a task takes"}
# what comes just before a duration and makes it one
NOT_GAP_BEFORE_WORDS = {"took|take|takes|taking": "how long something takes", "spent|spend": "time spent",
                        "lasted": "how long something lasted", "old|aged": "ages",
                        "served": "terms of office",
                        "for": "'has trailed for three years' is how long, not how far",
                        "over|in|for|during|throughout the past|last|previous": "a period looked back on"}
DIMENSION_WORDS = [  # (name, words, reason): what a gap is in; the claim's own words are read first
    ("robotics", r"\b(robot\w*|humanoids?|embodied)\b", "robots are hardware but not chips"),
    ("chips and computing power", r"\b(chips?|chipmak\w+|semiconductor\w*|gpus?|computing power|compute|"
                                  r"lithograph\w*|data cent(?:er|re)s?)\b", "the hardware AI runs on"),
    ("video generation", r"\b(video|text-to-video)\b", "generating video"),
    ("general-purpose models", r"\b(gpt-?\d\S*|general-purpose|large (?:language )?models?|llms?|chatbots?|"
                               r"foundation models?|frontier models?)\b", "the models themselves"),
    ("generative AI", r"\b(generative|genai)\b", "generative AI as a field"),
    ("applications", r"\b(applications?|apps?)\b", "products built on models"),
    ("talent", r"\b(talent|researchers|engineers)\b", "people"),
    ("reasoning models", r"\b(reasoning|inference) models?\b", "a kind of model"),
]
