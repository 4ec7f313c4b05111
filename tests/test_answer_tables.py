"""The /who and /gap answer tables (migration 0005, corpus/extract/answers.py):
filled at index time, the same as the on-demand ranking, refreshed after each batch,
and filled for an old database on first use."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import ask


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory) -> Path:
    """The seeds indexed once with the hash embedder; tests work on copies."""
    from corpus.api import Corpus
    from corpus.bundled import seed_paths
    from corpus.embed import HashEmbedder

    path = tmp_path_factory.mktemp("answers") / "seeds.db"
    corpus = Corpus.open(path, seed=False, embedder=HashEmbedder())
    corpus.index([str(p) for p in seed_paths()])
    corpus.store.close()
    return path


def _copy(src: Path, dst: Path):
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder

    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    a.backup(b)
    a.close()
    b.close()
    return Corpus.open(dst, seed=False, embedder=HashEmbedder())


def _commands(corpus) -> list[str]:
    names = [r[0] for r in corpus.store.db.execute("SELECT name FROM entities ORDER BY id")]
    return ["/gap", "/gap chips", *(f"/who {n}" for n in names), "/who iflytek", "/who Lee Kai-Fu"]


def _replies(corpus, commands) -> dict:
    out = {}
    for cmd in commands:
        r = ask(corpus, cmd)
        out[cmd] = (r.title, r.text, json.dumps(r.data, sort_keys=True),
                    [(c.article_id, c.quote) for c in r.citations])
    return out


def _on_demand(monkeypatch) -> None:
    """Make the answer tables unusable, so /who and /gap rank on demand."""
    from corpus.extract import answers

    monkeypatch.setattr(answers, "_ready", lambda store: False)


def test_indexing_fills_the_tables_for_the_current_generation(seeds_db, tmp_path):
    from corpus.extract import answers

    corpus = _copy(seeds_db, tmp_path / "c.db")
    db = corpus.store.db
    assert answers.fresh(db)
    assert db.execute("SELECT value FROM meta WHERE key = 'answers_generation'").fetchone()[0] == \
        str(corpus.store.version())
    n_facts = db.execute("SELECT count(*) FROM entity_facts WHERE kind = 'fact'").fetchone()[0]
    linked = db.execute("SELECT count(DISTINCT entity_id) FROM entity_sentences").fetchone()[0]
    assert n_facts >= linked > 0
    assert db.execute("SELECT count(*) FROM entity_facts WHERE kind = 'claim'").fetchone()[0] > 0
    ov = answers.gap_overview(corpus.store)
    assert ov.sized_count == db.execute("SELECT count(*) FROM claims WHERE low_years IS NOT NULL "
                                        "OR high_years IS NOT NULL").fetchone()[0] == len(ov.sized)
    assert ov.articles == corpus.count()


def test_stored_rows_are_what_the_on_demand_ranking_gives(seeds_db, tmp_path):
    from corpus.extract import answers
    from corpus.extract.claims_store import load_claims
    from corpus.models import Entity

    corpus = _copy(seeds_db, tmp_path / "c.db")
    db = corpus.store.db
    for e in map(Entity.from_row, db.query("SELECT * FROM entities")):
        stored = answers.profile(corpus.store, e)
        facts = answers.entity_sentences(db, e)[:answers.MAX_FACTS]
        claims = [answers._claim(r) for r in answers.claim_rows_about(db, e)]
        assert [f.sentence_id for f in stored.facts] == [f.sentence_id for f in facts], e.name
        assert stored.claims == claims, e.name
    ov = answers.gap_overview(corpus.store)
    assert ov.sized == load_claims(db, sized=True, limit=answers.GAP_SIZED)
    assert ov.unsized == load_claims(db, sized=False, limit=answers.GAP_UNSIZED)
    assert (ov.range_years, ov.median_years) == answers.overall(ov.sized)
    assert ov.sized_json == [c.to_json() for c in ov.sized]


def test_replies_from_the_tables_equal_the_on_demand_replies(seeds_db, tmp_path, monkeypatch):
    corpus = _copy(seeds_db, tmp_path / "c.db")
    commands = _commands(corpus)
    stored = _replies(corpus, commands)
    _on_demand(monkeypatch)
    assert _replies(corpus, commands) == stored


def test_tables_are_refreshed_after_a_new_article_is_indexed(tmp_path, monkeypatch):
    from corpus.api import Corpus
    from corpus.bundled import seed_paths
    from corpus.embed import HashEmbedder
    from corpus.extract import answers

    *first, last = seed_paths()
    corpus = Corpus.open(tmp_path / "c.db", seed=False, embedder=HashEmbedder())
    corpus.index([str(p) for p in first])
    before = answers.gap_overview(corpus.store)
    generation = corpus.store.version()
    [added] = [r for r in corpus.index([str(last)]) if r.status == "added"]
    db = corpus.store.db
    assert corpus.store.version() == generation + 1 and answers.fresh(db)
    after = answers.gap_overview(corpus.store)
    assert after.articles == before.articles + 1
    # an entity named in the new article lists its sentences
    new = {r[0] for r in db.execute("SELECT f.ref FROM entity_facts f JOIN sentences s ON s.id = f.ref "
                                    "WHERE f.kind = 'fact' AND s.article_id = ?", [added.article_id])}
    assert new
    commands = _commands(corpus)
    stored = _replies(corpus, commands)
    _on_demand(monkeypatch)
    assert _replies(corpus, commands) == stored


def test_an_old_database_gets_the_tables_on_first_use(seeds_db, tmp_path, monkeypatch):
    """A database from before migration 0005: migrated on open, filled by the first /who or /gap."""
    from corpus.extract import answers

    path = tmp_path / "old.db"
    corpus = _copy(seeds_db, path)
    commands = _commands(corpus)
    want = _replies(corpus, commands)
    corpus.store.close()
    con = sqlite3.connect(path)  # undo 0005, as a database made by the previous release
    con.executescript("DROP TABLE entity_facts; DROP TABLE gap_overview; "
                      "DELETE FROM _migrations WHERE name LIKE '0005%'; "
                      "DELETE FROM meta WHERE key = 'answers_generation';")
    con.close()
    corpus = _copy(path, tmp_path / "reopened.db")
    db = corpus.store.db
    assert db.execute("SELECT count(*) FROM entity_facts").fetchone()[0] == 0
    assert not answers.fresh(db)
    assert _replies(corpus, commands) == want
    assert answers.fresh(db)
    assert db.execute("SELECT count(*) FROM entity_facts").fetchone()[0] > 0


def test_stale_tables_that_cannot_be_written_fall_back_to_on_demand(seeds_db, tmp_path, monkeypatch):
    from corpus.extract import answers

    corpus = _copy(seeds_db, tmp_path / "c.db")
    commands = _commands(corpus)
    want = _replies(corpus, commands)
    corpus.store.bump()  # something changed the corpus without refilling the tables

    def busy(conn):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(answers, "fill", busy)
    assert not answers.fresh(corpus.store.db)
    assert _replies(corpus, commands) == want


def test_synthetic_corpora_fill_the_tables_as_indexing_does(seeds_db, tmp_path, monkeypatch):
    from bench import synth
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder
    from corpus.extract import answers

    out = tmp_path / "synth.db"
    counts = synth.build(seeds_db, out, 3000, model=HashEmbedder.name, log=lambda m: None)
    assert counts["sentences"] >= 3000 and counts["answers_s"] >= 0
    corpus = Corpus.open(out, seed=False, embedder=HashEmbedder())
    assert answers.fresh(corpus.store.db)
    commands = _commands(corpus)
    stored = _replies(corpus, commands)
    _on_demand(monkeypatch)
    assert _replies(corpus, commands) == stored
