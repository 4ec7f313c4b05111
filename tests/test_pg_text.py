"""Full-text rows for Postgres (corpus/pg_text.py): FTS5's tokens, handed to Postgres as ready tsvectors, so
a phrase matches as in SQLite, never across a sentence's text and its context."""
from __future__ import annotations

import psycopg

from corpus import pg_text


def test_tokens_are_fts5s_lower_case_stemmed_and_without_accents() -> None:
    assert pg_text.words("The U.S. Ministries' GPT-4 in Zürich") == ["the", "u", "s", "ministri", "gpt", "4",
                                                                     "in", "zurich"]


def test_the_searchers_fts5_expression_is_read_back_as_phrases() -> None:
    assert pg_text.fts5_phrases('"chips" OR "say ""hi""" OR "u s"') == ["chips", 'say "hi"', "u s"]


def test_a_phrase_matches_within_the_text_or_the_context_but_not_across_them(pg_url: str) -> None:
    text, context = pg_text.tokenize([("Harbour cranes arrive", "Port authority")])[0]
    row = pg_text.tsvector(text, context)
    queries = {"cranes arrive": True, "port authority": True, "arrive port": False, "cranes port": False}
    with psycopg.connect(pg_url) as conn:
        for words, expected in queries.items():
            q = pg_text.phrase(pg_text.words(words))
            found = conn.execute("SELECT %s::tsvector @@ %s::tsquery", [row, q]).fetchone()
            assert found == (expected,), words
        in_text = pg_text.phrase(pg_text.words("authority"), weight="A")
        assert conn.execute("SELECT %s::tsvector @@ %s::tsquery", [row, in_text]).fetchone() == (False,)


def test_quotes_and_backslashes_survive_the_literals(pg_url: str) -> None:
    row = pg_text.tsvector(["o'neil", "a\\b"], [])
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT %s::tsvector @@ %s::tsquery",
                            [row, pg_text.phrase(["o'neil", "a\\b"])]).fetchone() == (True,)
