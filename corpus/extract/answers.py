"""Answer tables filled at index time, so /who and /gap read a few rows instead of ranking the whole corpus.

- entity_facts: per entity, its most informative linked sentences and the sized gap claims about it, ranked.
- gap_overview: the /gap summary over every claim (counts, range, median) and the newest claims it lists.

Both are rebuilt in the transaction that rebuilds the entity tables after an indexing batch, and stamped with
the corpus generation they were built for (meta 'answers_generation'). A database whose stamp does not match
(an old database after migration 0005, or one written by another tool) is refilled on first use; the on-demand
functions below are the same ones that fill the tables, so both paths give the same answer.
"""
from __future__ import annotations

import json
import re
import sqlite3
import statistics

from corpus.extract.claims_store import count_claims, load_claims, sized_stats
from corpus.models import Claim, Entity, Fact, GapOverview, Profile

CANDIDATES = 300  # linked sentences read per entity before picking the most informative
MAX_FACTS = 10  # facts kept per entity
MAX_CLAIMS = 20  # gap claims kept per entity
GAP_SIZED = 500  # newest sized claims kept for /gap
GAP_UNSIZED = 50  # newest unsized claims kept for /gap
STAMP = "answers_generation"
# an entity's claims, newest first (ties by position)
NEWEST = "c.date DESC, c.article_id, c.sentence_id, c.id"
CLAIM_COLS = ("low_years", "high_years", "phrase", "direction", "dimension", "speaker", "affiliation",
              "quote",               "article_id", "date", "sentence_id", "as_of", "sides", "historical")


def _rows(db, sql: str, params=()) -> list[dict]:
    """Rows as dicts from a sqlite3 connection or a sqlite_utils database."""
    cur = db.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


# --- ranking (the on-demand path; fill() stores what these return) ------------------------------------------
def informative(text: str) -> float:
    """How much a sentence says: length, figures and names; questions and fragments score low."""
    words = text.split()
    score = min(len(words), 40) / 40
    score += 0.3 * bool(re.search(r"\d", text)) + 0.2 * len(re.findall(r"\b[A-Z][a-z]+\b", text)) / 10
    return score - (0.8 if text.rstrip().endswith("?") or len(words) < 6 else 0)


def entity_sentences(db, entity: Entity) -> list[Fact]:
    """The sentences linked to an entity (for an unlisted name: that name it), most informative first."""
    if entity.mentions is not None:
        facts = entity.mentions
    else:  # the longest direct mentions first: a well-known name may be linked to thousands of sentences
        facts = [Fact.from_row(r) for r in _rows(
            db, "SELECT s.id, s.article_id, s.text FROM entity_sentences es "
                "JOIN sentences s ON s.id = es.sentence_id WHERE es.entity_id = ? "
                "ORDER BY es.direct DESC, length(s.text) DESC, s.id LIMIT ?", [entity.id, CANDIDATES])]
    return sorted(facts, key=lambda f: -informative(f.text))


def claim_rows_about(db, e: Entity, limit: int = MAX_CLAIMS) -> list[dict]:
    """Sized gap claims made by a person, or made in sentences that name the entity (rows with their id)."""
    cols = "c.id, " + ", ".join("c." + c for c in CLAIM_COLS)
    sized = "(c.low_years IS NOT NULL OR c.high_years IS NOT NULL)"
    if e.kind == "person":
        rows = _rows(db, f"SELECT {cols} FROM claims c WHERE {sized} AND c.speaker = ? "
                         f"ORDER BY {NEWEST} LIMIT ?", [e.name, limit * 5])
        return [r for r in rows if not e.roles or r["affiliation"] in e.roles][:limit]
    if e.id is None:
        ids = [f.sentence_id for f in e.mentions or []]
        return _rows(db, f"SELECT {cols} FROM claims c WHERE {sized} AND c.sentence_id IN "
                         f"({','.join('?' * len(ids))}) LIMIT ?", [*ids, limit]) if ids else []
    return _rows(db, f"SELECT {cols} FROM claims c "
                     f"JOIN entity_sentences es ON es.sentence_id = c.sentence_id "
                     f"WHERE es.entity_id = ? AND {sized} ORDER BY {NEWEST} LIMIT ?", [e.id, limit])


def _claim(r: dict) -> Claim:
    return Claim.from_row(r)


def overall(claims: list[Claim]) -> tuple[list[float] | None, float | None]:
    """The range spanned by the sized estimates, and the median of their midpoints (estimates of an earlier
    time left out, unless there is nothing else)."""
    sized = [c for c in claims if c.sized]
    if not sized:
        return None, None
    sized = [c for c in sized if not c.historical] or sized
    lows = [c.low_years or 0.0 for c in sized]
    highs = [c.high_years for c in sized if c.high_years is not None] or lows
    mids = [((c.low_years or 0.0) + (c.high_years if c.high_years is not None else c.low_years or 0.0)) / 2
            for c in sized]
    return [min(lows), max(highs)], round(statistics.median(mids), 2)


# --- the stored tables --------------------------------------------------------------------------------------
def generation(db) -> int:
    """The corpus generation (meta 'generation'; 0 when never bumped)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def fresh(db) -> bool:
    """Whether the answer tables were filled for the corpus as it is now."""
    rows = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('generation', ?)", [STAMP]).fetchall())
    return STAMP in rows and int(rows[STAMP]) == int(rows.get("generation", 0))


def fill(conn) -> dict:
    """Rebuild entity_facts and gap_overview from the current tables, inside the caller's write transaction.

    Set-based: one windowed query ranks every entity's candidate sentences and one its claims, in the same
    order the on-demand queries above use (ties broken by id), so the stored rows are what those would
    return."""
    entities = {e["id"]: e for e in _rows(conn, "SELECT id, name, kind, roles FROM entities")}
    candidates: dict[int, list[dict]] = {}
    for r in _rows(conn, f"""
            WITH ranked AS (
              SELECT es.entity_id AS eid, es.sentence_id AS sid, ROW_NUMBER() OVER (PARTITION BY es.entity_id
                ORDER BY es.direct DESC, length(s.text) DESC, s.id) AS rn
              FROM entity_sentences es JOIN sentences s ON s.id = es.sentence_id)
            SELECT r.eid, s.id, s.article_id, s.text FROM ranked r JOIN sentences s ON s.id = r.sid
            WHERE r.rn <= {CANDIDATES} ORDER BY r.eid, r.rn"""):
        candidates.setdefault(r["eid"], []).append(r)
    rows = []
    for eid, cands in candidates.items():
        if eid in entities:
            ranked = sorted(cands, key=lambda r: -informative(r["text"]))[:MAX_FACTS]
            rows += [(eid, "fact", rank, r["id"]) for rank, r in enumerate(ranked)]
    sized = "(c.low_years IS NOT NULL OR c.high_years IS NOT NULL)"
    for eid, cid, rn in conn.execute(f"""
            SELECT eid, cid, rn FROM (
              SELECT es.entity_id AS eid, c.id AS cid, ROW_NUMBER() OVER (PARTITION BY es.entity_id
                ORDER BY {NEWEST}) AS rn
              FROM claims c JOIN entity_sentences es ON es.sentence_id = c.sentence_id WHERE {sized})
            WHERE rn <= {MAX_CLAIMS} ORDER BY eid, rn"""):
        if eid in entities and entities[eid]["kind"] != "person":
            rows.append((eid, "claim", rn - 1, cid))
    by_speaker: dict[str, list[tuple[int, str | None]]] = {}
    for cid, speaker, affiliation in conn.execute(
            f"SELECT c.id, c.speaker, c.affiliation FROM claims c WHERE {sized} AND c.speaker IN "
            f"(SELECT name FROM entities WHERE kind = 'person') ORDER BY c.speaker, {NEWEST}"):
        by_speaker.setdefault(speaker, []).append((cid, affiliation))
    for eid, e in entities.items():
        if e["kind"] == "person" and e["name"] in by_speaker:
            roles = json.loads(e["roles"])
            made = [cid for cid, aff in by_speaker[e["name"]][:MAX_CLAIMS * 5] if not roles or aff in roles]
            rows += [(eid, "claim", rank, cid) for rank, cid in enumerate(made[:MAX_CLAIMS])]
    conn.execute("DELETE FROM entity_facts")
    conn.executemany("INSERT INTO entity_facts(entity_id, kind, rank, ref) VALUES (?,?,?,?)", rows)
    ov = _overview(conn)
    conn.execute("DELETE FROM gap_overview")
    conn.execute("INSERT INTO gap_overview(id, sized_count, unsized_count, range_low, range_high, median, "
                 "articles, sized_claims, unsized_claims) VALUES (1,?,?,?,?,?,?,?,?)",
                 [ov["sized_count"], ov["unsized_count"], *(ov["range"] or (None, None)), ov["median"],
                  ov["articles"], json.dumps([[c.to_json(), c.sentence_id] for c in ov["sized"]]),
                  json.dumps([[c.to_json(), c.sentence_id] for c in ov["unsized"]])])
    conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                 [STAMP, str(generation(conn))])
    return {"entities": len(entities), "entity_facts": len(rows)}


def _overview(db) -> dict:
    sized = load_claims(db, sized=True, limit=GAP_SIZED)
    unsized = load_claims(db, sized=False, limit=GAP_UNSIZED)
    n_sized = count_claims(db, sized=True) if len(sized) == GAP_SIZED else len(sized)
    n_unsized = count_claims(db, sized=False) if len(unsized) == GAP_UNSIZED else len(unsized)
    # as /gap computed it on demand: over every claim when the list is capped, else over the listed ones
    rng, med = sized_stats(db) if n_sized > len(sized) else overall(sized)
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {"sized_count": n_sized, "unsized_count": n_unsized, "range": rng, "median": med,
            "articles": articles, "sized": sized, "unsized": unsized}


def refresh(conn: sqlite3.Connection) -> dict | None:
    """Fill the answer tables of a bare SQLite connection in their own transaction unless they are already
    fresh; None when they were (bench/synth.py; a store refreshes through its own transaction, _ready)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        out = None if fresh(conn) else fill(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return out


def _ready(store) -> bool:
    """Fresh answer tables, refilled first when stale; False when they cannot be written (read-only, busy)."""
    if fresh(store.db):
        return True
    try:
        with store.transaction() as conn:
            if not fresh(conn):
                fill(conn)
    except store.unavailable:
        return False
    return True


def profile(store, e: Entity) -> Profile:
    """An entity's facts and claims: from entity_facts when fresh, else ranked on demand."""
    db = store.db
    if e.id is not None and _ready(store):
        facts = _rows(db, "SELECT s.id, s.article_id, s.text FROM entity_facts f "
                          "JOIN sentences s ON s.id = f.ref WHERE f.entity_id = ? AND f.kind = 'fact' "
                          "ORDER BY f.rank", [e.id])
        claims = _rows(db, f"SELECT {', '.join('c.' + c for c in CLAIM_COLS)} FROM entity_facts f "
                           f"JOIN claims c ON c.id = f.ref WHERE f.entity_id = ? AND f.kind = 'claim' "
                           f"ORDER BY f.rank", [e.id])
        return Profile([Fact.from_row(f) for f in facts], [_claim(c) for c in claims])
    return Profile(entity_sentences(db, e)[:MAX_FACTS], [_claim(r) for r in claim_rows_about(db, e)])


def gap_overview(store, *, sized: int = GAP_SIZED, unsized: int = GAP_UNSIZED) -> GapOverview | None:
    """The stored /gap summary (refilled when stale) with the newest `sized`/`unsized` claims; None when the
    table cannot serve it (more claims asked for than are kept, or the table cannot be written)."""
    if sized > GAP_SIZED or unsized > GAP_UNSIZED or not _ready(store):
        return None
    db = store.db
    row = _rows(db, "SELECT * FROM gap_overview WHERE id = 1")
    if not row:
        return None
    r = row[0]
    rng = None if r["range_low"] is None else [float(r["range_low"]), float(r["range_high"])]
    sized_rows = json.loads(r["sized_claims"])[:sized]
    unsized_rows = json.loads(r["unsized_claims"])[:unsized]
    return GapOverview([Claim(**d, sentence_id=sid) for d, sid in sized_rows],
                       [Claim(**d, sentence_id=sid) for d, sid in unsized_rows],
                       r["sized_count"], r["unsized_count"], rng, r["median"], articles=r["articles"],
                       sized_json=[d for d, _ in sized_rows], unsized_json=[d for d, _ in unsized_rows])
