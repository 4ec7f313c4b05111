"""One corpus, two engines: the bundled seeds indexed into a new SQLite file and into a new Postgres database
(issue 16) give the same articles, the same gap claims, the same /gap and /who replies, and the same search
ranking. Both use the hash embedder: the engines, not the model, are under test."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, ask

from corpus.api import Corpus
from corpus.embed import HashEmbedder


@pytest.fixture(scope="module")
def engines(new_pg_database, tmp_path_factory) -> tuple[Corpus, Corpus]:
    """(SQLite, Postgres) corpora of the bundled seeds, each new and seeded on open."""
    sqlite = Corpus.open(tmp_path_factory.mktemp("parity") / "seeds.db", embedder=HashEmbedder())
    pg = Corpus.open(new_pg_database(), embedder=HashEmbedder())
    return sqlite, pg


def _same(engines, text: str) -> None:
    sqlite, pg = (ask(c, text) for c in engines)
    assert (pg.text, pg.data) == (sqlite.text, sqlite.data), text


def test_a_new_postgres_database_is_seeded_as_a_new_sqlite_file_is(engines) -> None:
    sqlite, pg = engines
    assert sqlite.count() > 0 and pg.store.created
    drop_added = [{k: v for k, v in a.items() if k != "added_at"} for a in sqlite.article_list()]
    assert [{k: v for k, v in a.items() if k != "added_at"} for a in pg.article_list()] == drop_added
    assert [a.summary for a in pg.articles()] == [a.summary for a in sqlite.articles()]


def test_every_gap_claim_is_the_same(engines) -> None:
    sqlite, pg = engines
    assert sqlite.claims() and pg.claims() == sqlite.claims()


def test_gap_replies_are_the_same_overall_and_for_each_dimension(engines) -> None:
    topics = sorted({c.dimension for c in engines[0].claims()})
    assert topics
    for topic in ["", *topics]:
        _same(engines, f"/gap {topic}".strip())


def test_the_entity_tables_are_the_same(engines) -> None:
    sqlite, pg = engines
    names = sqlite.reader.names_and_aliases()
    assert names and pg.reader.names_and_aliases() == names


def test_who_replies_are_the_same_for_every_entity(engines) -> None:
    names = engines[0].reader.names_by_mentions(limit=10_000)
    assert names == engines[1].reader.names_by_mentions(limit=10_000)
    for name in names:
        _same(engines, f"/who {name}")


def test_who_replies_are_the_same_for_surnames_and_misspellings(engines) -> None:
    people = [e for name in engines[0].reader.names_by_mentions(limit=200)
              for e in engines[0].entities(name) if e.kind == "person" and " " in e.name]
    assert people
    for e in people[:20]:
        surname = e.name.split()[-1]
        _same(engines, f"/who {surname}")
        _same(engines, f"/who {surname[:-1]}x")  # not a name: suggestions or the sentences that say it


def test_search_ranks_alike_on_both_engines(engines) -> None:
    """Lexical scores are FTS5's bm25() on both (tokens from FTS5's own tokenizer); dense scores are the same
    inner products, HNSW in Postgres against NumPy in SQLite."""
    sqlite, pg = engines
    queries = sorted({" ".join(re.findall(r"[a-z]+", c.quote.lower())[:6]) for c in sqlite.claims()})[:15]
    assert queries
    for q in queries:
        for mode in ("bm25", "dense", "hybrid"):
            a, b = sqlite.search(q, mode=mode), pg.search(q, mode=mode)
            assert [h.sentence_id for h in b] == [h.sentence_id for h in a], (q, mode)
            assert [round(h.score, 5) for h in b] == [round(h.score, 5) for h in a], (q, mode)


def test_word_weights_are_the_same(engines) -> None:
    words = sorted({w for c in engines[0].claims() for w in re.findall(r"[a-z]{4,}", c.quote.lower())})[:40]
    sqlite, pg = (c.word_weights(words) for c in engines)
    assert sqlite and pg == sqlite


def test_the_command_line_uses_gapbot_database_url_when_no_db_is_given(engines, tmp_path) -> None:
    pg = engines[1]
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "GAPBOT_EMBEDDER": "hash",
           "GAPBOT_DATABASE_URL": pg.store.url, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "bot", "ask", "/gap", "--json"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert not list(tmp_path.iterdir())  # no SQLite file was made
    assert str(pg.gap(sized=3, unsized=0).sized_count) in run.stdout
