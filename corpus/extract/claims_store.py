"""Reading stored gap claims: filtered and capped in SQL, so /gap stays fast on a large corpus. Portable
SQL: the same queries run on SQLite and on Postgres (through corpus.pg_schema.PgConnection)."""
from __future__ import annotations

import re

from corpus.models import Claim, GapOverview

COLUMNS = ("low_years, high_years, phrase, direction, dimension, speaker, affiliation, quote, article_id, "
           "date, sentence_id, as_of, sides, historical")
SIZED = "(low_years IS NOT NULL OR high_years IS NOT NULL)"


def _where(*, article_id: str | None, sized: bool | None, topic: str | None) -> tuple[str, list]:
    conds, params = [], []
    if article_id:
        conds.append("article_id = ?")
        params.append(article_id)
    if sized is not None:
        conds.append(SIZED if sized else f"NOT {SIZED}")
    for w in re.findall(r"\w+", (topic or "").lower()):
        if len(w) > 1:
            conds.append("lower(dimension || ' ' || quote) LIKE ?")
            params.append(f"%{w[:5] if len(w) > 5 else w}%")
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


def load_claims(db, *, article_id: str | None = None, sized: bool | None = None, topic: str | None = None,
                limit: int | None = None) -> list[Claim]:
    """Claims, newest article first, in sentence order within an article."""
    where, params = _where(article_id=article_id, sized=sized, topic=topic)
    sql = f"SELECT {COLUMNS} FROM claims{where} ORDER BY date IS NULL, date DESC, article_id, sentence_id, id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    cur = db.execute(sql, params)  # a sqlite3 connection or a sqlite_utils database
    cols = [d[0] for d in cur.description]
    return [Claim.from_row(dict(zip(cols, r))) for r in cur.fetchall()]


def count_claims(db, *, sized: bool | None = None, topic: str | None = None) -> int:
    """How many claims match."""
    where, params = _where(article_id=None, sized=sized, topic=topic)
    return db.execute(f"SELECT count(*) FROM claims{where}", params).fetchone()[0]


def sized_stats(db, *, topic: str | None = None) -> tuple[list[float] | None, float | None]:
    """[lowest low, highest high] of the sized claims, and the median of their midpoints, over all of them
    but the estimates of an earlier time (over those too when there is nothing else)."""
    where, params = _where(article_id=None, sized=True, topic=topic)
    if db.execute(f"SELECT 1 FROM claims{where} AND historical = 0 LIMIT 1", params).fetchone():
        where += " AND historical = 0"
    lo, hi, n = db.execute(f"SELECT min(COALESCE(low_years, 0)), max(COALESCE(high_years, low_years)), "
                           f"count(*) FROM claims{where}", params).fetchone()
    if not n:
        return None, None
    mid = "(COALESCE(low_years, 0) + COALESCE(high_years, low_years, 0)) / 2.0"
    rows = db.execute(f"SELECT {mid} AS m FROM claims{where} "
                      f"ORDER BY m LIMIT {2 - n % 2} OFFSET {(n - 1) // 2}", params).fetchall()
    return [float(lo), float(hi)], round(sum(r[0] for r in rows) / len(rows), 2)


def topic_claims(db, topic: str, *, sized_limit: int, unsized_limit: int) -> GapOverview:
    """What /gap TOPIC shows, from one pass over the claims that match the topic (rather than one per figure):
    the newest sized and unsized claims (as load_claims orders them), how many of each match (as
    count_claims), and the range and median over every matching sized claim (as sized_stats)."""
    where, params = _where(article_id=None, sized=None, topic=topic)
    rows = db.execute(f"SELECT id, low_years, high_years, date, article_id, sentence_id, historical "
                      f"FROM claims{where}", params).fetchall()
    sized = [r for r in rows if r[1] is not None or r[2] is not None]
    unsized = [r for r in rows if r[1] is None and r[2] is None]

    def newest(rs: list, limit: int) -> list[int]:
        # as ORDER BY date IS NULL, date DESC, article_id, sentence_id, id (stable sorts, least significant
        # first)
        rs = sorted(rs, key=lambda r: (r[4], r[5], r[0]))
        rs.sort(key=lambda r: r[3] or "", reverse=True)
        rs.sort(key=lambda r: r[3] is None)
        return [r[0] for r in rs[:limit]]

    rng = med = None
    current = [r for r in sized if not r[6]] or sized  # as sized_stats: earlier-time estimates left out
    if sized:
        mids = sorted(((r[1] or 0) + (r[2] if r[2] is not None else (r[1] or 0))) / 2.0 for r in current)
        n = len(mids)
        middle = mids[(n - 1) // 2:(n - 1) // 2 + 2 - n % 2]
        rng = [float(min(r[1] or 0 for r in current)),
               float(max(r[2] if r[2] is not None else r[1] for r in current))]
        med = round(sum(middle) / len(middle), 2)
    return GapOverview(claims_by_id(db, newest(sized, sized_limit)),
                       claims_by_id(db, newest(unsized, unsized_limit)), len(sized), len(unsized), rng, med)


def claims_by_id(db, ids: list[int]) -> list[Claim]:
    """Claims by id, in the order of ids."""
    rows = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        cur = db.execute(f"SELECT id, {COLUMNS} FROM claims WHERE id IN ({marks})", chunk)
        cols = [d[0] for d in cur.description]
        rows.update({r[0]: dict(zip(cols[1:], r[1:])) for r in cur.fetchall()})
    return [Claim.from_row(rows[i]) for i in ids if i in rows]
