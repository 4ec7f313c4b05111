"""Rebuild the entity tables from every article's mentions (cheap: runs after each indexing batch).
Engine-neutral: the full-text lookups go through the storage's CorpusReader, the rest is portable SQL."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from corpus.context import ANAPHOR
from corpus.extract.answers import fill
from corpus.extract.entities import STOP_NAMES, kind_of, name_key
from corpus.extract.people import plausible_name
from corpus.schema import stamp_derived

if TYPE_CHECKING:
    from corpus.pg_store import PgStore
    from corpus.reader import CorpusReader
    from corpus.store import Store

PERSON_LABELS = ("PERSON_REF", "SPEAKER", "ROLE")


def _person_groups(rows) -> tuple[dict, dict]:
    """Person entities: key -> {names, roles, sentences}; an article's '#2' person gets its own entity."""
    groups: dict[str, dict] = defaultdict(lambda: {"names": Counter(), "roles": [], "sentences": set(),
                                                   "labels": Counter()})
    local: dict[tuple[str, str], str] = {}
    for r in rows:
        if r["label"] not in PERSON_LABELS and r["label"] != "PERSON":
            continue
        if r["label"] == "PERSON" and not plausible_name(r["text"]):
            continue
        pkey = r["person_key"] or r["text"]
        ekey = name_key(r["text"], person=True)
        if "#" in pkey:
            ekey = local.setdefault((r["article_id"], pkey), f"{ekey}#{r['article_id']}{pkey.split('#')[1]}")
        g = groups[ekey]
        g["names"][r["text"]] += 1
        g["labels"]["PERSON"] += 1
        if r["label"] != "ROLE":
            g["sentences"].add((r["sentence_id"], r["article_id"], r["label"] == "PERSON_REF"))
        if r["role"] and r["role"] not in g["roles"]:
            g["roles"].append(r["role"])
    return groups, local


def _other_groups(rows, person_tokens: set[str]) -> dict:
    groups: dict[str, dict] = defaultdict(lambda: {"names": Counter(), "roles": [], "sentences": set(),
                                                   "labels": Counter()})
    for r in rows:
        if r["label"] in PERSON_LABELS or r["label"] == "PERSON":
            continue
        text = re.sub(r"^(?:the|The)\s+", "", r["text"]).strip(" .,;:’'\"“”")
        text = re.sub(r"[’']s$", "", text)
        text = re.sub(r"^[^\s’']+[’']s\s+(?=[A-Z])", "", text)  # "Acme’s Falcon ..." names Falcon
        key = name_key(text)
        if len(key) < 2 or key in STOP_NAMES or re.fullmatch(r"v?[\d.,%$]+", key):
            continue
        if r["label"] != "COINED" and key in person_tokens:
            continue
        g = groups[key]
        g["names"][text] += 1
        g["labels"][r["label"]] += 1
    return groups


def _alias_sentences(reader: CorpusReader, names: list[str]) -> set[tuple[int, str, bool]]:
    """Sentences naming any of the aliases (full-text phrase lookup, then an exact word-boundary check)."""
    out = set()
    for name in names:
        words = re.findall(r"[^\W_]+", name)
        if not words:
            continue
        pat = re.compile(r"(?<![\w])" + re.escape(name) + r"(?![\w])", re.I)
        for f in reader.sentences_with_words(words, limit=None):
            if pat.search(f.text):
                out.add((f.sentence_id, f.article_id, True))
    return out


def _common_word(reader: CorpusReader, names: Counter, sample: int = 500) -> bool:
    """Whether a one-word name is an ordinary word that NER took for a name because a sentence opened with it
    ("Computing power…", "“Software is…"): written in lower case elsewhere, and never capitalised
    mid-sentence."""
    words = {n for n in names if re.fullmatch(r"[A-Z][a-z]+", n)}
    if len(words) != len(names):
        return False
    word = next(iter(words))
    lower = mid = 0
    pat = re.compile(r"(?<![\w\-])" + re.escape(word) + r"(?![\w\-])", re.I)
    for text in (f.text for f in reader.sentences_with_words([word], limit=sample)):
        for m in pat.finditer(text):
            if m.group(0).islower():
                lower += 1
            elif re.search(r"[A-Za-z]", text[:m.start()]) and not re.search(r"[.!?:]\W*$", text[:m.start()]):
                mid += 1
    return lower > 0 and mid == 0


SUFFIX = re.compile(r"(?:\s+(?:group|holding|holdings|co|corp|corporation|inc|ltd|limited|technology|"
                    r"technologies|"
                    r"intelligent|intelligence|ai|plc|llc))+\.?$")


def variants(names) -> set[str]:
    """Shorter ways a name is written: without a corporate suffix ('Acme AI' -> 'Acme'), and a versioned
    model by its first word and version ('Falcon Large Language Model V2.1' -> 'Falcon V2.1')."""
    out = set()
    for n in names:
        base = SUFFIX.sub("", n.lower()).strip()
        if base and base != n.lower() and len(base) >= 4:
            out.add(n[:len(base)])
        toks = n.split()
        if len(toks) > 2 and re.search(r"\d", toks[-1]):
            out.add(f"{toks[0]} {toks[-1]}")
    return out


def merge_variants(groups: dict) -> dict:
    """Fold name variants into one entity: corporate suffixes ('Acme AI' = 'Acme') and a long model name
    that begins and ends like a shorter one ('Falcon Large Language Model V2.1' = 'Falcon V2.1')."""
    def base(k: str) -> str:
        return SUFFIX.sub("", k).strip() or k

    target: dict[str, str] = {}
    keys = sorted(groups, key=len)
    for k in keys:
        t = k if base(k) == k else next(
            (o for o in keys if o != k and base(o) == base(k) and len(o) < len(k)), k)
        toks = k.split()
        if t == k and len(toks) > 2:
            t = next((o for o in keys if len(o.split()) >= 2 and len(o) < len(k) and o.split()[0] == toks[0]
                      and o.split()[-1] == toks[-1]), k)
        target[k] = target.get(t, t)
    merged: dict = {}
    for k in keys:
        g = groups[k]
        into = merged.setdefault(target[k], {"names": g["names"].__class__(), "roles": [], "sentences": set(),
                                             "labels": g["labels"].__class__()})
        into["names"].update(g["names"])
        into["labels"].update(g["labels"])
        into["sentences"] |= g["sentences"]
    return merged


def _link_surnames(reader: CorpusReader, persons: dict) -> None:
    """A name part that belongs to only one person in the corpus ('Xi',
    'Lee') links the sentences using it."""
    owners: dict[str, set[str]] = defaultdict(set)
    for k, g in persons.items():
        for n in g["names"]:
            for tok in n.split():
                owners[tok].add(k)
    for tok, ks in owners.items():
        if len(ks) == 1 and len(tok) >= 2 and tok[0].isupper():
            k = next(iter(ks))
            pat = re.compile(r"(?<![\w])" + re.escape(tok) + r"(?:[’']s)?(?![\w])")
            for f in reader.sentences_with_words([tok], limit=None):
                if pat.search(f.text):
                    persons[k]["sentences"].add((f.sentence_id, f.article_id, True))


PRONOUN_OPENER = re.compile(r"^(?:he|she|his|her)\b", re.I)


def _link_followers(db, groups: dict, opener: re.Pattern = ANAPHOR) -> None:
    """The next sentence, when it opens by referring back ('Together,
    they developed ...'), is about it too."""
    for g in groups.values():
        ids = [sid for sid, _, direct in g["sentences"] if direct]
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            q = (f"SELECT n.id, n.article_id, n.text FROM sentences s JOIN sentences n ON n.article_id = "
                 f"s.article_id "
                 f"AND n.idx = s.idx + 1 WHERE s.id IN ({','.join('?' * len(chunk))})")
            for sid, aid, text in db.execute(q, chunk):
                if opener.match(text):
                    g["sentences"].add((sid, aid, False))


def rebuild_entities(store: "Store | PgStore", reader: CorpusReader) -> None:
    """Merge every article's mentions into canonical entities: recompute entities, entity_names and
    entity_sentences, then the answer tables /who and /gap read (corpus/extract/answers.py), and bump the
    corpus generation: one transaction, so a reader never sees the new entities without their answers. Stamped
    with the articles version read first (corpus/store.py), so a rebuild racing another indexer never records
    itself as newer than what it read."""
    db = store.db
    version = store.articles_version()
    rows = list(db.query("SELECT article_id, sentence_id, text, label, person_key, role FROM spans"))
    persons, _ = _person_groups(rows)
    tokens = {t.lower() for g in persons.values() for n in g["names"] for t in n.split()}
    others = _other_groups(rows, tokens)
    others = {k: g for k, g in others.items() if not _common_word(reader, g["names"])}
    for g in others.values():
        g["sentences"] = _alias_sentences(reader, sorted(set(g["names"]) | variants(g["names"])))
    # single-word person mentions ("Okafor's") join the one full name that contains them
    for key in [k for k in persons if " " not in k and "#" not in k]:
        full = [k for k in persons if " " in k and key in k.split()]
        if len(full) == 1:
            persons[full[0]]["names"].update(persons[key]["names"])
            persons[full[0]]["sentences"] |= persons.pop(key)["sentences"]
    others = merge_variants({k: g for k, g in others.items() if g["sentences"]})
    _link_surnames(reader, persons)
    entities = {**others, **persons}
    _link_followers(db, others)
    _link_followers(db, persons, PRONOUN_OPENER)
    by_sentence: dict[int, set[str]] = defaultdict(set)
    for k, g in entities.items():
        for sid, _, _ in g["sentences"]:
            by_sentence[sid].add(k)
    with store.transaction() as conn:
        if not stamp_derived(conn, version):
            return  # another process rebuilt from more articles while this one read them
        conn.execute("DELETE FROM entity_sentences")
        conn.execute("DELETE FROM entity_names")
        conn.execute("DELETE FROM entities")
        for k, g in entities.items():
            _insert(conn, k, g, entities, by_sentence)
        store.bump()
        fill(conn)


def _insert(conn, key: str, g: dict, entities: dict, by_sentence: dict) -> None:
    names = g["names"]
    name = max(sorted(names), key=lambda n: (names[n], len(n.split()), sum(c.isupper() for c in n)))
    kind = kind_of(name, g["labels"]) if "#" not in key else "person"
    related = Counter(o for sid, _, _ in g["sentences"] for o in by_sentence[sid] if o != key)
    top = sorted(related.items(), key=lambda kv: (-kv[1], kv[0]))[:8]  # ties by key: stable across runs
    rel_names = [max(sorted(entities[o]["names"]), key=entities[o]["names"].get) for o, _ in top]
    articles = {aid for _, aid, _ in g["sentences"]}
    cur = conn.execute("INSERT INTO entities(key, name, kind, aliases, roles, related, article_count, "
                       "mention_count)"
                       " VALUES (?,?,?,?,?,?,?,?) RETURNING id",
                       [key, name, kind, json.dumps(sorted(names)), json.dumps(g["roles"]),
                        json.dumps(rel_names),
                        len(articles), len(g["sentences"])])
    eid = cur.fetchone()[0]
    norms = {name_key(n, person=(kind == "person")) for n in names} | {name_key(n) for n in names}
    if kind == "person":
        norms |= {name_key(n) for n in names for n in [" ".join(n.split()[::-1])]}
    conn.executemany("INSERT INTO entity_names(norm, entity_id) VALUES (?,?) ON CONFLICT DO NOTHING",
                     [(n, eid) for n in norms])
    conn.executemany("INSERT INTO entity_sentences(entity_id, sentence_id, article_id, direct) "
                     "VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                     [(eid, sid, aid, int(d)) for sid, aid, d in g["sentences"]])
