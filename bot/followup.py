"""Reading a thread follow-up: rules about English that turn a short reply to gapbot into what it means.

After an answer, people follow up the way they would with a person: "what about video?", "and talent?",
"what did she say about chips?", "why?". Each rule below is a table entry with the reason it holds in English;
read() says which kind of follow-up a message is, and the rewrite functions say what it means given the
previous answer. Nothing here reads the corpus: bot/threads.py looks up the previous answer and its people.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.registry import COMMANDS

# The commands whose argument a short follow-up replaces ("what about video?" after /gap chips is /gap video).
CARRIES = ("gap", "who", "ask")
MAX_SUBJECT_WORDS = 6  # "what about X?": a longer X is a question of its own, not a new subject

WHY = [  # (pattern over the whole message, reason): asking for the evidence behind the last answer
    (r"why(?:\s+(?:is|was)\s+(?:that|it))?(?:\s+so)?", "a bare 'why?' asks for the reason behind what was "
     "said"),
    (r"(?:and|but)\s+why", "'and why?' is the same bare why, continuing the thread"),
    (r"(?:(?:what(?:'s|’s|\s+is)|any|your)\s+)?(?:the\s+)?(?:source|sources|context|evidence|proof)"
     r"(?:\s+please)?", "a lone request for the source or context names no new subject"),
    (r"(?:says|said)\s+who|according\s+to\s+(?:whom|who|what)|who\s+says\s+(?:so|that)",
     "challenges the attribution: the reader wants to see who said it, in context"),
    (r"how\s+do\s+(?:you|we)\s+know(?:\s+(?:that|this))?", "asks what the claim rests on"),
    (r"where\s+(?:does|did)\s+(?:that|this)\s+come\s+from", "asks what the claim rests on"),
]

MORE = [  # (pattern with the new subject as <x>, reason): the previous question asked again of a new subject
    (r"(?:and\s+|so\s+)?(?:what|how)\s+about\s+(?P<x>.+)", "'what about X?' asks the last question again "
     "of X"),
    (r"(?:and\s+)?what\s+of\s+(?P<x>.+)", "'what of X?' is the older form of 'what about X?'"),
    (r"(?:and\s+)?(?:the\s+)?same\s+(?:for|with)\s+(?P<x>.+)", "'same for X?' repeats the question for X"),
    (r"(?:and|also|now)\s+(?:for\s+|in\s+|on\s+)?(?P<x>.+)", "'and X?' continues the last question with X"),
    (r"(?P<x>[^\s?]+(?:\s+[^\s?]+){0,2})\s*\?", "a lone noun phrase asked as a question ('video?') asks the "
     "last question of it"),
]

# Words a new subject never starts with: a question or a pronoun starts a question of its own ("and who said
# that?"), a reaction is not a subject ("really?"), and a verb or article-less clause is a sentence.
NOT_A_SUBJECT = frozenset(
    "what who whom whose why how when where which is are was were do does did can could will would should "
    "may might has have had i you he she it we they him her them his its our their this that these those "
    "really seriously ok okay thanks thank sure right yes no yeah nope huh hmm sorry pardon wow cool great "
    "nice interesting indeed true again more else so then now and also but or".split())

PRONOUNS = [  # (pattern, form, reason): the pronouns that stand for a person named just before
    (r"\b(?:he|she|they)\b", "subject", "a subject pronoun stands for the person last named"),
    (r"\b(?:him|them)\b", "object", "an object pronoun stands for the person last named"),
    (r"\bher\b(?=\s*(?:$|[?.!,;:]|\s(?:about|on|in|at|for|to|from|with|say|said|think|thinks|of|when|why|"
     r"and|or|again)\b))", "object", "'her' before punctuation or a preposition is the object, 'ask her'"),
    (r"\b(?:his|her|their)\b", "possessive", "a possessive pronoun is the person's ('her view' -> X's view)"),
]
# "it" is left alone: in a follow-up it stands for the last topic far more often than for a company ("is it
# closing?"), and replacing it with the last company named would misread those questions.

_WHY = [re.compile(rf"^\s*{p}\s*[?.!]*\s*$", re.I) for p, _ in WHY]
_MORE = [re.compile(rf"^\s*{p}\s*[?.!]*\s*$", re.I) for p, _ in MORE]
# one pattern, tried left to right at each word, so a name put in is never read again as a pronoun
_PRONOUN = re.compile("|".join(f"(?P<{form}{i}>{p})" for i, (p, form, _) in enumerate(PRONOUNS)), re.I)
_TRAILING_PHRASE = re.compile(r"\b(?P<prep>in|on|for|about|with|at|of)\s+[^?]+?(?P<end>\s*\??)$", re.I)


@dataclass(frozen=True)
class FollowUp:
    """What a message is, read as a follow-up: "why" (show the evidence), "more" (the last question of a new
    subject), "pronoun" (names a person by a pronoun); None when it stands as typed."""

    kind: str
    subject: str = ""


def read(text: str) -> FollowUp | None:
    """The kind of follow-up a message is (without the bot's mention); None for a full command or question."""
    text = text.strip()
    if not text or is_command(text):
        return None
    worded = text.split(maxsplit=1)[0].lower() in COMMANDS  # "who is she": a command word, yet plain words
    if not worded and any(p.match(text) for p in _WHY):
        return FollowUp("why")
    if not worded and (subject := new_subject(text)) is not None:
        return FollowUp("more", subject)
    if _PRONOUN.search(text):
        return FollowUp("pronoun")
    return None


def is_command(text: str) -> bool:
    """Whether the message is a command as typed ('/gap chips', '!who x'): it stands as typed."""
    return text.lstrip()[:1] in ("/", "!")


def new_subject(text: str) -> str | None:
    """X in 'what about X?', 'and X?', 'X?'; None when the message is not such a follow-up."""
    for rule in _MORE:
        m = rule.match(text)
        if not m:
            continue
        # an article opens a noun phrase, not a topic: "the talent gap?" asks about "talent gap"
        subject = re.sub(r"^(?:the|a|an)\s+", "", m["x"].strip(" ?.!,;:"), flags=re.I)
        words = subject.split()
        if words and len(words) <= MAX_SUBJECT_WORDS and words[0].lower() not in NOT_A_SUBJECT:
            return subject
    return None


def carried(command: str, args: str, subject: str) -> str | None:
    """The previous command asked again of a new subject: '/gap chips' + 'video' -> '/gap video'; None for a
    command that takes no subject."""
    if command not in CARRIES:
        return None
    if command == "ask":
        return "/ask " + swap_subject(args, subject)
    return f"/{command} {subject}"


def swap_subject(question: str, subject: str) -> str:
    """The question with its closing phrase ('in chips?', 'about talent?') now about the new subject; with no
    such phrase, the question asked 'about' it (the topic a passage must then mention)."""
    question = question.strip()
    m = _TRAILING_PHRASE.search(question)
    if m:
        return f"{question[:m.start()]}{m['prep']} {subject}{m['end'] or '?'}"
    return f"{question.rstrip(' ?.!')} about {subject}?"


def resolve_pronouns(text: str, person: str) -> str:
    """The message with each pronoun that stands for a person replaced by the person's name."""
    return _PRONOUN.sub(lambda m: f"{person}’s" if (m.lastgroup or "").startswith("possessive") else person,
                        text)
