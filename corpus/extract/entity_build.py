"""Rebuild the entity tables from every article's mentions (cheap: runs after each indexing batch)."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from corpus.extract.entities import STOP_NAMES, kind_of, name_key
from corpus.extract.people import plausible_name

if TYPE_CHECKING:
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
        key = name_key(text)
        if len(key) < 2 or key in STOP_NAMES or key.isdigit() or re.fullmatch(r"[\d.,%$]+", key):
            continue
        if r["label"] != "COINED" and key in person_tokens:
            continue
        g = groups[key]
        g["names"][text] += 1
        g["labels"][r["label"]] += 1
    return groups


def _alias_sentences(db, names: list[str]) -> set[tuple[int, str, bool]]:
    """Sentences naming any of the aliases (FTS phrase lookup, then an exact word-boundary check)."""
    out = set()
    for name in names:
        words = re.findall(r"[^\W_]+", name)
        if not words:
            continue
        phrase = '"' + " ".join(words).replace('"', "") + '"'
        pat = re.compile(r"(?<![\w])" + re.escape(name) + r"(?![\w])", re.I)
        for sid, aid, text in db.execute("SELECT s.id, s.article_id, s.text FROM sentences_fts f JOIN sentences s "
                                         "ON s.id = f.rowid WHERE sentences_fts MATCH ?", [phrase]):
            if pat.search(text):
                out.add((sid, aid, True))
    return out


def build(store: "Store") -> None:
    """Recompute entities, entity_names and entity_sentences in one transaction."""
    db = store.db
    rows = list(db.query("SELECT article_id, sentence_id, text, label, person_key, role FROM spans"))
    persons, _ = _person_groups(rows)
    tokens = {t.lower() for g in persons.values() for n in g["names"] for t in n.split()}
    others = _other_groups(rows, tokens)
    for g in others.values():
        g["sentences"] = _alias_sentences(db, list(g["names"]))
    # single-word person mentions ("Xi's") join the one full name that contains them
    for key in [k for k in persons if " " not in k and "#" not in k]:
        full = [k for k in persons if " " in k and key in k.split()]
        if len(full) == 1:
            persons[full[0]]["names"].update(persons[key]["names"])
            persons[full[0]]["sentences"] |= persons.pop(key)["sentences"]
    entities = {**{k: g for k, g in others.items() if g["sentences"]}, **persons}
    by_sentence: dict[int, set[str]] = defaultdict(set)
    for k, g in entities.items():
        for sid, _, _ in g["sentences"]:
            by_sentence[sid].add(k)
    with store.transaction() as conn:
        conn.execute("DELETE FROM entity_sentences")
        conn.execute("DELETE FROM entity_names")
        conn.execute("DELETE FROM entities")
        for k, g in entities.items():
            _insert(conn, k, g, entities, by_sentence)


def _insert(conn, key: str, g: dict, entities: dict, by_sentence: dict) -> None:
    names = g["names"]
    name = max(names, key=lambda n: (names[n], len(n.split()), sum(c.isupper() for c in n)))
    kind = kind_of(name, g["labels"]) if "#" not in key else "person"
    related = Counter(o for sid, _, _ in g["sentences"] for o in by_sentence[sid] if o != key)
    rel_names = [max(entities[o]["names"], key=entities[o]["names"].get) for o, _ in related.most_common(8)]
    articles = {aid for _, aid, _ in g["sentences"]}
    cur = conn.execute("INSERT INTO entities(key, name, kind, aliases, roles, related, article_count, mention_count)"
                       " VALUES (?,?,?,?,?,?,?,?)",
                       [key, name, kind, json.dumps(sorted(names)), json.dumps(g["roles"]), json.dumps(rel_names),
                        len(articles), len(g["sentences"])])
    eid = cur.lastrowid
    norms = {name_key(n, person=(kind == "person")) for n in names} | {name_key(n) for n in names}
    if kind == "person":
        norms |= {name_key(n) for n in names for n in [" ".join(n.split()[::-1])]}
    conn.executemany("INSERT OR IGNORE INTO entity_names(norm, entity_id) VALUES (?,?)", [(n, eid) for n in norms])
    conn.executemany("INSERT OR IGNORE INTO entity_sentences(entity_id, sentence_id, article_id, direct) "
                     "VALUES (?,?,?,?)", [(eid, sid, aid, int(d)) for sid, aid, d in g["sentences"]])
