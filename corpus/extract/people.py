"""Who is who in one article: full names, their roles, and what "Okafor", "Mr. Reyes" or "she" refers to."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

CAP = r"[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?"
FULL_NAME = rf"{CAP}(?:\s+{CAP}){{1,2}}"
ROLE_NOUNS = ("(?i:chairman|chairwoman|chair|founder|co-founder|partner|investor|analyst|researcher|expert|"
              "engineer|"
              "secretary-general|secretary|director|ceo|cto|cfo|president|vice president|professor|head|"
              "chief|"
              "executive|spokesperson|spokesman|spokeswoman|scientist|minister|official|professional|"
              "representative|member|economist|fellow|manager|editor|correspondent|adviser|advisor|lawyer|"
              "technologist|entrepreneur|leader|deputy|senior|general manager|strategist|author|lecturer|"
              "developer|designer|consultant|commissioner|governor|mayor|senator)")
# "Name, a partner at X," / "said Name, founder of X, who ..."
APPOSITION = re.compile(rf"(?P<name>{FULL_NAME}),\s+(?P<role>(?:(?:an?|the)\s+)?(?:[\w\-]+\s+){{0,3}}"
                        rf"(?:{ROLE_NOUNS})\b[^,;.“”\"]*(?:(?:,\s+the\s+|\s+and\s+)[^,;.“”\"]*)?)")
PRE_APPOSITION = re.compile(rf"(?:an?|the)\s+"
                            rf"(?P<role>(?:[\w\-]+\s+){{0,4}}(?:{ROLE_NOUNS})\b[^,;“”\"]{{0,60}}),"
                            rf"\s+(?P<name>{FULL_NAME})\b")
HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+")
SPEECH = ("said|says|added|adds|noted|notes|explained|explains|estimated|estimates|predicted|predicts|"
          "believes|"
          "believed|thinks|thought|argued|argues|claimed|claims|told|wrote|writes|warned|warns|stressed|"
          "stresses|"
          "emphasized|emphasised|highlighted|acknowledged|acknowledges|expects|expected|reckons|reckoned|"
          "concurred|observed|insisted|suggested|forecast|forecasts|projected|projects|stated|states")
PRONOUN = re.compile(r"\b(he|she)\b", re.I)


@dataclass
class Person:
    """Someone named in the article; `key` tells apart two people who share a name."""

    key: str
    name: str
    role: str | None = None
    female: bool | None = None
    tokens: set[str] = field(default_factory=set)
    org: bool = False  # an organisation quoted as a source ("the report said"), never a pronoun's referent


class People:
    """Tracks the people of one article as its sentences are read in order."""

    def __init__(self) -> None:
        self.people: list[Person] = []
        self.last: Person | None = None

    def introduce(self, name: str, role: str | None) -> Person:
        """A full-name mention; a second introduction with a different role is a different person."""
        name = " ".join(name.split())
        same = [p for p in self.people if p.name == name]
        if same and role and same[-1].role and _norm_role(role) != _norm_role(same[-1].role):
            p = Person(f"{name}#{len(same) + 1}", name, role.strip(), tokens=set(name.split()))
            self.people.append(p)
        elif same:
            p = same[-1]
            p.role = p.role or (role.strip() if role else None)
        else:
            p = Person(name, name, role.strip() if role else None, tokens=set(name.split()))
            self.people.append(p)
        return p

    def resolve(self, ref: str) -> Person | None:
        """The person a surname, a 'Mr. X' or a pronoun refers to: the most recent one that fits."""
        ref = HONORIFIC.sub("", ref).strip()
        low = ref.lower()
        if low in ("he", "she"):
            for p in reversed(self.order):
                if p.female is None or p.female == (low == "she"):
                    if p.female is None:
                        p.female = low == "she"
                    return p
            return None
        exact = [p for p in reversed(self.order) if p.name == ref]
        if exact:
            return exact[0]
        parts = set(ref.split())
        for p in reversed(self.order):
            if parts <= p.tokens:
                return p
        return None

    @property
    def order(self) -> list[Person]:
        """People by most recent mention last."""
        return self._order if hasattr(self, "_order") else []

    def touch(self, p: Person) -> None:
        """Record that p was just mentioned."""
        order = [x for x in self.order if x is not p] + [p]
        self._order = order
        self.last = p

    def read(self, sentence: str, persons: list[str]) -> list[Person]:
        """Register the people a sentence names (NER persons plus appositions); returns them in order."""
        found: list[tuple[int, Person]] = []
        roles = {trim_name(m["name"], m.start("name")): m["role"] for m in APPOSITION.finditer(sentence)}
        roles.update({trim_name(m["name"], m.start("name")): m["role"]
                      for m in PRE_APPOSITION.finditer(sentence)})
        names = {n for n in persons if len(n.split()) >= 2 and plausible_name(n)} | set(roles)
        for name in sorted(names, key=lambda n: sentence.find(n)):
            found.append((sentence.find(name), self.introduce(name, _clean_role(roles.get(name)))))
        for m in re.finditer(rf"\b(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?({CAP})\b", sentence):
            if any(m.start() >= pos and m.start() < pos + len(p.name) for pos, p in found):
                continue
            p = self.resolve(m.group(0)) if m.group(1) in self.tokens() else None
            if p:
                found.append((m.start(), p))
        found.sort(key=lambda x: x[0])
        for _, p in found:
            self.touch(p)
        return [p for _, p in found]

    def tokens(self) -> set[str]:
        """Every name part of the people known so far."""
        return {t for p in self.people for t in p.tokens}


def trim_name(name: str, start: int) -> str:
    """Drop a sentence-opening word glued to a name ('Concurred Dana Okafor' -> 'Dana Okafor')."""
    parts = name.split()
    if len(parts) == 3 and start == 0 and re.search(r"(ed|ly|ing|s)$", parts[0]):
        return " ".join(parts[1:])
    return name


def plausible_name(name: str) -> bool:
    """A person's name: two to four capitalised words, no digits, possessives or -ing words."""
    parts = name.split()
    return 2 <= len(parts) <= 4 and all(re.fullmatch(r"[A-Z][A-Za-z\-]+\.?", p) for p in parts) and \
        not parts[0].endswith("ing")


def _norm_role(role: str) -> str:
    return re.sub(r"^(an?|the)\s+", "", role.lower()).strip()


def _clean_role(role: str | None) -> str | None:
    if not role:
        return None
    role = re.split(rf",\s+(?:who|which|said|says)\b|\s+(?:{SPEECH})\b", role)[0]
    return role.strip(" ,") or None


def speaker_ref(sentence: str) -> str | None:
    """The words that name who is speaking in a sentence ('Okafor', 'she', 'Dana Okafor'), if any."""
    title = r"(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?"
    who = rf"({title}{FULL_NAME}|{title}{CAP}|he|she|He|She)"
    patterns = [
        rf"[,”\"]\s*[”\"]?\s*{who}\s+(?:{SPEECH})\b",          # “…,” Okafor said
        rf"[,”\"]\s*[”\"]?\s*(?:{SPEECH})\s+{who}",             # “…,” said Dana Okafor
        rf"^(?:[A-Z][a-z]+,\s+)?{who}\s+(?:\w+ly\s+)?(?:{SPEECH})\b",  # Dana Okafor confidently predicts
        rf"\baccording to\s+{who}",
        # Name, a researcher at X, said
        rf"^(?:[A-Z][a-z]+,?\s+)?({FULL_NAME}),[^“”\"]{{3,200}}?,\s+(?:{SPEECH})\b",
    ]
    for pat in patterns:
        m = re.search(pat, sentence)
        if m and m.group(1).split()[-1].lower() not in {"the", "it", "this", "they"}:
            return m.group(1)
    return None
