"""/ask on an article it was not tuned on: sentences found by their speaker or antecedent, question frames,
stemmed coverage, self-describing sentences, and the migration that gives old databases the same context."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.ask import coverage
from corpus.context import anaphoric, search_contexts
from corpus.search import _about_itself, terms
from tests.conftest import ask, one_article_corpus

ARTICLE = Path(__file__).parent / "fixtures" / "scrapes" / "robotics_fair.txt"


@pytest.fixture(scope="module")
def robotics(tmp_path_factory):
    """The robotics-fair article alone, indexed with the real model."""
    return one_article_corpus(tmp_path_factory.mktemp("robotics"), ARTICLE)


def contexts(corpus) -> dict[str, str]:
    return {t: ctx for t, ctx in corpus.store.db.execute("SELECT text, context FROM sentences")}


def test_a_pronoun_sentence_is_found_by_its_speaker(robotics):
    ctx = next(c for t, c in contexts(robotics).items() if t.startswith("She estimated"))
    assert "Mara Quinlan" in ctx and "Northgate Ventures" in ctx
    r = ask(robotics, "/ask How far behind are local robot makers, according to Mara Quinlan?")
    assert r.answered and r.data["passages"][0]["text"].startswith("She estimated")


def test_a_quote_is_found_by_the_speaker_named_after_it(robotics):
    r = ask(robotics, "/ask How long will it take to close the software distance, according to Tomas Reyes?")
    assert r.answered and r.data["passages"][0]["text"].startswith("“Software is where")


def test_a_they_sentence_is_found_by_the_names_before_it(robotics):
    texts = [h.text for h in robotics.search("Helix Dynamics Orbit Semiconductor", mode="bm25")]
    assert any(t.startswith("Together, they built") for t in texts)
    # names carry only to a sentence that points back
    assert not any(t.startswith("Local governments") for t in texts)


def test_a_question_on_what_the_article_lacks_is_refused(robotics):
    r = ask(robotics, "/ask What did Mara Quinlan say about battery prices?")
    assert r.answered is False


def test_question_frames_are_not_search_terms():
    words = terms("How long will it take to bridge the gap, according to the Daily Planet article?")
    assert {"long", "take", "article"}.isdisjoint(words) and {"bridge", "gap",
                                                              "daily", "planet"} <= set(words)
    # the same words count where they carry meaning
    assert {"long", "take"} <= set(terms("Which firms take a long view on chips?"))


def test_coverage_matches_inflected_forms():
    weights = {"faces": 1.0, "challenges": 1.0, "developed": 1.0}
    assert coverage(weights, "The industry face one challenge as it develops") == 1.0
    assert coverage(weights, "The industry grew") == 0.0


def test_sentences_describing_the_article_itself_are_demoted():
    assert _about_itself("The article discusses the challenges faced by chipmakers.") < 1.0
    assert _about_itself("This report examines export controls.") < 1.0
    assert _about_itself("The article was shared widely after the ban.") == 1.0
    assert _about_itself("Chipmakers face two challenges.") == 1.0


def test_search_contexts_from_spans():
    from corpus.extract.entities import SpanOut

    texts = ["Acme and Beta met in Paris.", "Ana Ruiz spoke.", "She said it works.", "Together, they ship.",
             "Italy buys."]
    spans = [SpanOut(0, "Acme", "ORG", 0, 4), SpanOut(0, "Beta", "ORG", 9, 13), SpanOut(0,
                                                                                        "Paris", "GPE", 21,
                                                                                        26),
             SpanOut(1, "Ana Ruiz", "PERSON_REF", 0, 0, "Ana Ruiz"), SpanOut(2, "Ana Ruiz", "SPEAKER", 0, 0,
             "Ana Ruiz"), SpanOut(0, "Ana Ruiz", "ROLE", 0, 0, "Ana Ruiz", "an analyst at Kestrel")]
    assert search_contexts("T", texts, spans) == ["T", "T",
                                                  "T Ana Ruiz an analyst at Kestrel", "T Ana Ruiz", "T"]
    assert anaphoric("It ships next year.") and not anaphoric("Italy ships chips.") and not anaphoric("Item "
                                                                                                      "one.")


def test_migration_gives_old_databases_speaker_and_antecedent_context(tmp_path):
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder

    path = tmp_path / "old.db"
    c = Corpus.open(path, seed=False, embedder=HashEmbedder())
    c.index([str(ARTICLE)])
    fresh = contexts(c)
    db = c.store.db
    # what a database indexed before migration 0004 holds: the title alone, and no record of 0004
    db.execute("UPDATE sentences SET context = (SELECT title FROM articles WHERE id = sentences.article_id)")
    db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild')")
    db.execute("DELETE FROM _migrations WHERE name = '0004_search_context.sql'")
    c.store.close()
    migrated = contexts(Corpus.open(path, seed=False, embedder=HashEmbedder()))
    assert migrated == fresh
    assert any("Mara Quinlan" in ctx for ctx in migrated.values())
