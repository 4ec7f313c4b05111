"""Reading stored gap claims: filtered and capped in SQL, so /gap stays fast on a large corpus."""
from __future__ import annotations

import re

from corpus.models import Claim

COLUMNS = ("low_years, high_years, phrase, direction, dimension, speaker, affiliation, quote, article_id, date, "
           "sentence_id")
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
    return [Claim(**r) for r in db.query(sql, params)]


def count_claims(db, *, sized: bool | None = None, topic: str | None = None) -> int:
    """How many claims match."""
    where, params = _where(article_id=None, sized=sized, topic=topic)
    return db.execute(f"SELECT count(*) FROM claims{where}", params).fetchone()[0]


def sized_stats(db, *, topic: str | None = None) -> tuple[list[float] | None, float | None]:
    """[lowest low, highest high] of the sized claims, and the median of their midpoints, over all of them."""
    where, params = _where(article_id=None, sized=True, topic=topic)
    lo, hi, n = db.execute(f"SELECT min(COALESCE(low_years, 0)), max(COALESCE(high_years, low_years)), count(*) "
                           f"FROM claims{where}", params).fetchone()
    if not n:
        return None, None
    mid = "(COALESCE(low_years, 0) + COALESCE(high_years, low_years, 0)) / 2.0"
    rows = db.execute(f"SELECT {mid} AS m FROM claims{where} ORDER BY m LIMIT {2 - n % 2} OFFSET {(n - 1) // 2}",
                      params).fetchall()
    return [float(lo), float(hi)], round(sum(r[0] for r in rows) / len(rows), 2)
