"""The corpus's answers to the bot's questions that are not storage: resolving a typed name to entities, the
/gap summary of a topic, what surrounds a hit, how rare each word is. Written once over CorpusReader
(corpus/reader.py), so every storage engine gives the same answers."""
from __future__ import annotations

import math
import re

from corpus.extract.answers import overall
from corpus.extract.entities import name_key
from corpus.extract.entity_build import variants
from corpus.models import Claim, Entity, Fact, GapOverview, Hit
from corpus.reader import CorpusReader

MENTIONS = 40  # sentences kept for a name extraction did not list
PHRASE_CANDIDATES = 400  # sentences the full-text index finds a phrase in, before each is checked
FUZZY_POOL = 5000  # most mentioned names a misspelt name is compared with
NAME_WORDS = 4  # the longest name looked for in a text, in words
SURNAMES = 30  # single capitalised words of a text looked up as one of a person's names
_CAPITALISED = re.compile(r"[A-Z][\w'’\-]*(?:\.(?=\s+[A-Z]))?")


def entities_named(reader: CorpusReader, name: str) -> list[Entity]:
    """Entities whose names or aliases match, in any case, order or possessive form."""
    return reader.entities_with_keys(list({name_key(name), name_key(name, person=True)}))


def people_called(reader: CorpusReader, word: str, *, limit: int = 5) -> list[Entity]:
    """People one of whose names is the single word asked for ("/who Quinlan", "/who zhou"), most mentioned
    first: articles call people by surname after the first mention, and so do readers."""
    if not re.fullmatch(r"[^\W\d_][\w\-']+", word):
        return []
    return reader.people_with_name(word, limit=limit)


def people_in(reader: CorpusReader, text: str) -> list[Entity]:
    """The people a text names by a name or alias, or by one of their names alone ("Anand said"), in the
    order of their last mention."""
    spans = name_spans(text)
    last: dict[str, tuple[int, Entity]] = {}
    keys = {name_key(p, person=True) for p in spans} | {name_key(p) for p in spans}
    for e in reader.entities_with_keys(sorted(keys)):
        ends = [spans.get(p, -1) for p in spans if _names(e, p)]
        if e.kind == "person" and ends:
            last[e.name] = (max(ends), e)
    for word in [p for p in spans if " " not in p][:SURNAMES]:
        found = reader.people_with_name(word, limit=2)
        if len(found) == 1:  # a name two people share names neither
            person = found[0]
            last[person.name] = (max(spans[word], last.get(person.name, (-1, person))[0]), person)
    return [e for _, e in sorted(last.values(), key=lambda pe: pe[0])]


def name_spans(text: str) -> dict[str, int]:
    """Every run of up to NAME_WORDS capitalised words in a text, with where its last mention ends."""
    out: dict[str, int] = {}
    words = list(_CAPITALISED.finditer(text))
    for i, first in enumerate(words):
        run = [first]
        for w in words[i + 1:i + NAME_WORDS]:
            if text[run[-1].end():w.start()] != " ":
                break
            run.append(w)
        for j in range(len(run)):
            out[" ".join(m[0].strip(".") for m in run[:j + 1])] = run[j].end()
    return out


def _names(entity: Entity, phrase: str) -> bool:
    """Whether a phrase is the entity's name or one of its aliases."""
    keys = {name_key(phrase), name_key(phrase, person=True)}
    names = (entity.name, *entity.aliases)
    return any(name_key(n) in keys or name_key(n, person=True) in keys for n in names)


def unlisted_entity(reader: CorpusReader, name: str) -> Entity | None:
    """A name extraction did not list, as an entity without id whose mentions are the sentences that contain
    the name (or one of its spellings) as a phrase; None when no sentence does."""
    seen: dict[int, Fact] = {}
    for spelling in [name, *sorted(variants([name]))]:
        seen.update({f.sentence_id: f for f in phrase_sentences(reader, spelling)})
    mentions = [seen[k] for k in sorted(seen)]
    if not mentions:
        return None
    return Entity(None, name, "other", article_count=len({f.article_id for f in mentions}), mentions=mentions)


def phrase_sentences(reader: CorpusReader, name: str, limit: int = MENTIONS) -> list[Fact]:
    """Sentences that contain the name as a phrase, for names that extraction did not list."""
    words = re.findall(r"[^\W_]+", name)
    if not words:
        return []
    pat = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)", re.I)
    found = reader.sentences_with_words(words, limit=PHRASE_CANDIDATES)
    return [f for f in found if pat.search(f.text)][:limit]


def similar_names(reader: CorpusReader, name: str, *, limit: int = 5) -> list[str]:
    """Known names close to the one asked for, in any case ("acme labz" finds "Acme Labs"), best first."""
    from rapidfuzz import fuzz, process, utils  # lazy: only a name the corpus lacks needs fuzzy matching

    names = reader.names_by_mentions(limit=FUZZY_POOL)
    found = process.extract(name, names, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=limit * 2, score_cutoff=70)
    out: dict[str, str] = {}
    for match, _, _ in found:  # one spelling per name: "ACME" and "Acme" are the same suggestion
        out.setdefault(match.casefold(), match)
    return list(out.values())[:limit]


def matches(c: Claim, topic: str) -> bool:
    """Whether a claim is about the topic (its dimension, phrase or sentence names the topic's words)."""
    words = [w for w in re.findall(r"\w+", topic.lower()) if len(w) > 1]
    hay = f"{c.dimension} {c.quote}".lower()
    return all(re.search(r"\b" + re.escape(w[:5] if len(w) > 5 else w), hay) for w in words)


def gap(reader: CorpusReader, topic: str, *, sized: int, unsized: int) -> GapOverview:
    """The /gap summary with the newest `sized`/`unsized` claims: over the whole corpus from the stored
    overview when it can serve, else (and for a topic) from one pass over the claims that match."""
    overview = None if topic else reader.gap_overview(sized=sized, unsized=unsized)
    if overview is not None:
        return overview
    found = reader.topic_claims(topic, sized_limit=sized, unsized_limit=unsized)
    keep = [c for c in found.sized if not topic or matches(c, topic)]
    rest = [c for c in found.unsized if not topic or matches(c, topic)]
    n_sized = found.sized_count if len(keep) == sized else len(keep)
    # over every matching claim when the list is capped, else over the listed ones
    rng, med = (found.range_years, found.median_years) if n_sized > len(keep) else overall(keep)
    n_unsized = found.unsized_count if len(rest) == unsized else len(rest)
    return GapOverview(keep, rest, n_sized, n_unsized, rng, med)


def surroundings(reader: CorpusReader, hit: Hit) -> str:
    """The hit's paragraph, the one before it, its article's title and publisher, and who is speaking."""
    return " ".join([hit.text, hit.context, *reader.surroundings(hit.sentence_id)])


def word_weights(reader: CorpusReader, words: list[str]) -> dict[str, float]:
    """IDF weight of each word (rarer words count more), counted in the sentences' own text."""
    tokens = {w: re.findall(r"[^\W_]+", w) for w in words}
    weighed = [w for w in words if tokens[w]]
    total, counts = reader.sentence_counts([tokens[w] for w in weighed])
    return {w: math.log((total + 1) / (n + 1)) + 1 for w, n in zip(weighed, counts)}


def names_matching(entities: list[tuple[str, list[str]]], typed: str, *, limit: int) -> list[str]:
    """Names whose name or alias has a word starting with what was typed, then those merely containing it."""
    typed = " ".join(typed.casefold().split())
    if not typed:
        return [name for name, _ in entities[:limit]]
    starts, contains = [], []
    for name, aliases in entities:
        keys = [k.casefold() for k in (name, *aliases)]
        if any(k.startswith(typed) or f" {typed}" in k for k in keys):
            starts.append(name)
        elif any(typed in k for k in keys):
            contains.append(name)
    return list(dict.fromkeys(starts + contains))[:limit]
