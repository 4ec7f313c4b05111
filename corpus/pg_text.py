"""Full-text rows and queries for Postgres, tokenized exactly as the SQLite engine's FTS5 table tokenizes.

Postgres's own text parser splits "U.S." and "GPT-4" differently from FTS5 and stems with another stemmer, so
lexical search would rank differently on the two engines. Instead the tokens come from FTS5 itself (an
in-memory SQLite table with the same tokenizer as migration 0008, read through fts5vocab), and are handed to
Postgres as a ready tsvector: text tokens weighted A, context tokens D after a gap (a phrase never spans the
two, as in FTS5's separate columns). Queries are built the same way, as tsquery literals."""
from __future__ import annotations

import re
import sqlite3
import threading

TOKENIZER = "porter unicode61 remove_diacritics 2"  # as sentences_fts (SQLite migration 0008)
MAX_POSITION = 16383  # Postgres's largest tsvector position
TEXT_WEIGHT, CONTEXT_WEIGHT = 1.0, 0.25  # as the SQLite store's bm25(sentences_fts, 1.0, 0.25)
_local = threading.local()


def _tokenizer() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(":memory:")
        conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(text, context, tokenize='{TOKENIZER}')")
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    return conn


def tokenize(rows: list[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """Each (text, context) as FTS5 tokenizes it: (text tokens, context tokens), in order."""
    conn = _tokenizer()
    out: list[tuple[list[str], list[str]]] = [([], []) for _ in rows]
    conn.executemany("INSERT INTO t(rowid, text, context) VALUES (?,?,?)",
                     [(i + 1, text, ctx) for i, (text, ctx) in enumerate(rows)])
    try:
        for doc, col, term in conn.execute("SELECT doc, col, term FROM v ORDER BY doc, col, offset"):
            out[doc - 1][0 if col == "text" else 1].append(term)
    finally:
        conn.execute("DELETE FROM t")
    return out


def words(text: str) -> list[str]:
    """The tokens of one piece of text."""
    return tokenize([(text, "")])[0][0]


def lexeme(term: str) -> str:
    """A token quoted for a tsvector or tsquery literal."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(text_tokens: list[str], context_tokens: list[str]) -> str:
    """The tsvector literal of one sentence: text tokens weighted A, context tokens (after a gap) D."""
    where: dict[str, list[str]] = {}
    for i, t in enumerate(text_tokens):
        where.setdefault(t, []).append(f"{min(i + 1, MAX_POSITION)}A")
    start = len(text_tokens) + 2
    for i, t in enumerate(context_tokens):
        where.setdefault(t, []).append(str(min(start + i, MAX_POSITION)))
    return " ".join(f"{lexeme(t)}:{','.join(pos)}" for t, pos in where.items())


def frequencies(text_tokens: list[str], context_tokens: list[str]) -> dict[str, float]:
    """Each token's frequency as bm25(sentences_fts, 1.0, 0.25) weighs it: 1 in the text, 0.25 in context."""
    out: dict[str, float] = {}
    for weight, tokens in ((TEXT_WEIGHT, text_tokens), (CONTEXT_WEIGHT, context_tokens)):
        for t in tokens:
            out[t] = out.get(t, 0.0) + weight
    return out


def phrase(terms: list[str], *, weight: str = "") -> str:
    """A tsquery literal matching the tokens as adjacent words ('' when there are none)."""
    return " <-> ".join(lexeme(t) + (f":{weight}" if weight else "") for t in terms)


def fts5_phrases(expr: str) -> list[str]:
    """The quoted phrases of an FTS5 expression as the searcher writes them ('"a" OR "b"', '"a b"')."""
    return [m.replace('""', '"') for m in re.findall(r'"((?:[^"]|"")*)"', expr)]
