"""Reading stored gap claims."""
from __future__ import annotations

from corpus.models import Claim

COLUMNS = ("low_years, high_years, phrase, direction, dimension, speaker, affiliation, quote, article_id, date, "
           "sentence_id")


def load_claims(db, *, article_id: str | None = None) -> list[Claim]:
    """Claims, newest article first, in sentence order within an article."""
    sql = f"SELECT {COLUMNS} FROM claims"
    params: list = []
    if article_id:
        sql += " WHERE article_id = ?"
        params.append(article_id)
    sql += " ORDER BY date IS NULL, date DESC, article_id, sentence_id, id"
    return [Claim(**r) for r in db.query(sql, params)]
