"""The corpus's read API (corpus/reader.py, corpus/queries.py, the Corpus facade): what /who, /ask and /gap
ask it, answered with dataclasses, on one article written for this test and indexed with the hash embedder."""
from __future__ import annotations

import inspect

import pytest

from corpus.models import Entity, Fact, GapOverview
from corpus.pg_reader import PgReader
from corpus.reader import CorpusReader
from corpus.sqlite_reader import SqliteReader

ARTICLE = """Factory Robots Split Analysts on How Far China Trails

By Oren Vasquez
February 10, 2026

Analyst Talia Brennholt of Corvane Analytics believes Chinese makers of factory robots remain well placed \
for the decade ahead.

"China is about two years behind the US in AI chips for robots," Brennholt said in an interview on Tuesday.

Quillstone Robotics, a startup based in Shenzhen, sells welding arms to carmakers in twelve countries and \
employs 800 engineers.

The company said its newest arm, the Q9 Welder, ships in April and costs less than rival machines from \
American suppliers.

Brennholt added that the gap in industrial software is smaller, perhaps six months, because Chinese firms \
copy quickly.

Investors have poured money into the sector, and Quillstone Robotics raised 40 million dollars last year \
from regional funds.
"""


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def robots(request, tmp_path_factory):
    """The article above, alone in a corpus, on each storage engine."""
    from corpus.api import Corpus
    from corpus.embed import HashEmbedder

    folder = tmp_path_factory.mktemp("queries")
    (folder / "robots.txt").write_text(ARTICLE, encoding="utf-8")
    where = str(folder / "q.db")
    if request.param == "postgres":
        where = request.getfixturevalue("new_pg_database")()
    corpus = Corpus.open(where, seed=False, embedder=HashEmbedder())
    [r] = corpus.index([str(folder / "robots.txt")])
    assert r.status == "added", r.reason
    return corpus


@pytest.mark.parametrize("reader", [SqliteReader, PgReader])
def test_each_reader_implements_every_method_of_the_protocol(reader):
    wanted = {n: f for n, f in vars(CorpusReader).items() if inspect.isfunction(f) and not n.startswith("_")}
    assert wanted
    for name, method in wanted.items():
        assert inspect.signature(getattr(reader, name)) == inspect.signature(method), name


def test_an_entity_is_found_by_name_in_any_case_with_its_lists_decoded(robots):
    e = robots.entity("quillstone robotics")
    assert isinstance(e, Entity) and e.name == "Quillstone Robotics" and e.kind == "company"
    assert isinstance(e.aliases, list) and "Q9 Welder" in e.related
    assert e.article_count == 1 and e.mentions is None
    assert robots.entity("Nobody Anywhere") is None


def test_a_person_is_found_by_one_of_their_names(robots):
    assert robots.entities("brennholt") == []
    [person] = robots.people_called("brennholt")
    assert person.name == "Talia Brennholt" and person.roles == ["Analyst"]
    assert robots.people_called("two words") == []  # only a single word is a name part


def test_a_name_extraction_did_not_list_is_found_in_its_sentences(robots):
    e = robots.unlisted_entity("welding arms")
    assert e is not None and e.id is None and e.kind == "other" and e.article_count == 1
    assert [f.text for f in e.mentions or []] == [s for s in _sentences(robots) if "welding arms" in s]
    assert robots.unlisted_entity("arms welding") is None  # a phrase, not a bag of words


def test_a_profile_lists_facts_and_the_claims_a_person_made(robots):
    person = robots.entity("Talia Brennholt")
    assert person is not None
    profile = robots.profile(person)
    assert all(isinstance(f, Fact) for f in profile.facts)
    assert {c.phrase for c in profile.claims} == {"about two years", "perhaps six months"}
    unlisted = robots.unlisted_entity("welding arms")
    assert unlisted is not None and [f.text for f in robots.profile(unlisted).facts] == \
        [f.text for f in unlisted.mentions or []]


def test_close_names_are_suggested_for_a_misspelt_one(robots):
    assert robots.similar_names("Quilstone Robotcs") == ["Quillstone Robotics"]


def test_the_gap_overview_and_a_topic(robots):
    whole = robots.gap(sized=10, unsized=10)
    assert isinstance(whole, GapOverview) and whole.sized_count == 2 and whole.articles == 1
    assert whole.range_years == [0.5, 2.0] and whole.median_years == 1.25
    assert whole.claims_json() == [c.to_json() for c in whole.sized + whole.unsized]
    chips = robots.gap("chips", sized=10, unsized=10)
    assert [c.phrase for c in chips.sized] == ["about two years"] and chips.articles is None
    assert robots.gap("submarines", sized=10, unsized=10).sized == []


def test_a_capped_gap_list_keeps_statistics_over_every_claim(robots):
    capped = robots.gap("", sized=1, unsized=10)  # more than the list holds: counted and measured over all
    assert len(capped.sized) == 1 and capped.sized_count == 2 and capped.range_years == [0.5, 2.0]


def test_surroundings_add_the_paragraph_before_and_the_title(robots):
    [hit] = [h for h in robots.search("how many engineers does Quillstone employ", limit=5)
             if "800 engineers" in h.text]
    near = robots.surroundings(hit)
    assert near.startswith(hit.text) and "two years behind" in near and "Factory Robots Split" in near


def test_word_weights_favour_rare_words(robots):
    weights = robots.word_weights(["engineers", "brennholt", "-"])
    assert set(weights) == {"engineers", "brennholt"}  # a word without letters or digits is not weighed
    assert weights["engineers"] > weights["brennholt"]  # one sentence against three
    assert robots.names_word("Corvane") and not robots.names_word("Zyzzogeton")


def test_article_text_is_title_and_body(robots):
    [article] = robots.articles()
    assert robots.article_text(article.id).startswith(article.title + " ")
    assert robots.article_text("no-such-id") == ""


def _sentences(corpus) -> list[str]:
    return [f.text for f in corpus.reader.sentences_with_words(["welding"], limit=10)]
