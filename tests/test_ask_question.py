"""What a question asks for, and /ask using it on an article it was not tuned on: the kind of answer
(a length of time, a date, an amount), the thing asked about ("how many customers"), question-frame words,
names written several ways, and sentences that point back to the one before."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.ask import _pair, coverage
from corpus.context import points_back
from corpus.question import answer_kind, fits, focus, fold, frame_words, spellings, wh_noun
from tests.conftest import ask, one_article_corpus

ARTICLE = Path(__file__).parent / "fixtures" / "scrapes" / "drone_rivals.txt"


@pytest.fixture(scope="module")
def drones(tmp_path_factory):
    """The drone-makers article alone, indexed with the real model."""
    return one_article_corpus(tmp_path_factory.mktemp("drones"), ARTICLE)


def first(corpus, question: str) -> str:
    """The first quoted sentence of an answer ("" when /ask refuses)."""
    r = ask(corpus, "/ask " + question)
    return r.data["passages"][0]["text"] if r.answered else ""


@pytest.mark.parametrize("question, kind", [
    ("How long will it take the rivals to catch up?", "span"),
    ("How soon could the startup ship its chip?", "span"),
    ("How many years behind is the industry?", "span"),
    ("How far behind are local chipmakers?", "gap"),
    ("When does the firm expect to match the leader?", "time"),
    ("By what date, and when, will the plant open?", "time"),
    ("In which year did the ban start?", "time"),
    ("How many engineers does the lab employ?", "amount"),
    ("How much did the round raise?", "amount"),
    ("What share of the market does it hold?", "amount"),
    ("Who leads the project?", None),
    ("What did the minister say when it comes to chips?", None),  # an idiom, not a question about time
    ("Which companies released chatbots?", None),
])
def test_the_kind_of_answer_a_question_asks_for(question, kind):
    assert answer_kind(question) == kind


@pytest.mark.parametrize("kind, text, ok", [
    ("span", "They trail by about eighteen months.", True),
    ("span", "The lag is 7-10 months on most tests.", True),
    ("span", "Parity could come within a year.", True),
    ("span", "The makers are comfortably ahead.", False),
    ("span", "It aims to get there by the end of 2027.", True),
    ("span", "GPT-4 and K2 were compared.", False),  # digits inside names are no length of time
    ("gap", "It is like a 10 times gap in compute.", True),
    ("gap", "Its chips run at 80% of the rival's speed.", True),
    ("gap", "They are two to three years behind.", True),
    ("gap", "Labs will train multi-billion dollar models.", False),  # an amount of money is no distance
    ("time", "The goal is parity by the first half of the year.", True),
    ("time", "The plant opens in March 2027.", True),
    ("time", "Its features will soon match the leaders.", False),  # "soon" names no point in time
    ("amount", "The company employs about 900 engineers.", True),
    ("amount", "It raised $50 million in seed capital.", True),
    ("amount", "It hired engineers from GPT-4 teams.", False),
    ("amount", "It aims to match them by the end of 2027.", False),  # a year is a date, not an amount
    (None, "Anything at all.", True),
])
def test_whether_a_sentence_carries_that_kind_of_answer(kind, text, ok):
    assert fits(kind, text) is ok


@pytest.mark.parametrize("question, asked", [
    ("How many customers does the startup have?", "customers"),
    ("How much seed money did the founder raise?", "seed money"),
    ("What was the firm's revenue in 2025?", "revenue"),
    ("What is the parameter count of the new model?", "parameter count"),
    ("What are the odds of a breakthrough?", "odds"),
    ("How much is the state expected to spend?", ""),  # an amount, of nothing named
    ("Which companies released chatbots?", ""),  # asks for instances, which the answer names instead
    ("What did the analyst say about chips?", ""),
])
def test_the_thing_a_question_asks_the_value_of(question, asked):
    assert focus(question) == asked


def test_frame_words_say_what_kind_of_answer_is_wanted():
    assert frame_words("What reasons did the analyst give for the lag?") == {"reasons", "give"}
    assert frame_words("What did the analyst give the lab?") == {"give"}
    assert frame_words("Why did chip prices fall?") == set()


def test_names_written_several_ways_meet():
    assert fold("The U.S. and the United States of America") == "The US and the US"
    assert fold("Latin America") == "Latin America"
    assert fold("Chinese makers and artificial intelligence") == "China makers and AI"
    assert coverage({"us": 1.0, "ai": 1.0}, "American labs lead in artificial intelligence") == 1.0
    assert coverage({"us": 1.0}, "Chinese labs lead") == 0.0
    assert spellings("chinese") == ["China", "Chinese"] and spellings("Acme") == ["Acme"]
    assert _pair("China-US") == ["China",
                                 "US"] and _pair("GPT-4") == ["GPT-4"] and _pair("Kai-Fu") == ["Kai", "Fu"]


def test_how_far_prefers_the_sentence_with_the_distance(drones):
    got = first(drones, "How far ahead of Chinese makers are American drone makers, according to Lindqvist?")
    assert "eighteen months" in got


def test_when_prefers_the_dated_sentence_that_points_back(drones):
    # "Its chief executive … by the end of 2027" names the company only through "Its"
    assert "2027" in first(drones, "When does Skyward Aero aim to match the leaders?")


def test_a_he_or_she_sentence_is_read_with_the_sentence_before(drones):
    from corpus.embed import encode_query

    q = "Why are Chinese drone makers behind, according to Lindqvist?"
    hit = next(h for h in drones.search(q) if h.text.startswith("She pointed"))
    alone = float(drones.searcher.index().vector(hit.sentence_id) @ encode_query(drones.embedder, q))
    # alone, "She pointed to scarce test airspace…" never mentions the drone makers the sentence before names
    assert hit.cosine > alone + 0.05
    other = next(h for h in drones.search(q, limit=20) if h.text.startswith("Regulators in"))
    own = float(drones.searcher.index().vector(other.sentence_id) @ encode_query(drones.embedder, q))
    assert other.cosine == pytest.approx(own, abs=1e-5)  # a sentence that names its subject is read alone


def test_an_amount_asked_of_a_thing_the_article_names_is_answered(drones):
    assert "900 engineers" in first(drones, "How many engineers does Skyward Aero employ?")


@pytest.mark.parametrize("question", ["How many customers does Skyward Aero have?",
                                      "What was Skyward Aero's revenue last year?",
                                      "What is Skyward Aero's valuation?", "What is Paulo Brandt's salary?"])
def test_an_amount_asked_of_a_thing_the_article_never_names_is_refused(drones, question):
    assert ask(drones, "/ask " + question).answered is False


def test_a_pair_of_country_names_is_no_missing_name(drones):
    # the article says "Chinese" and "U.S.", never "China" or "US"
    assert "eighteen months" in first(drones, "How big is the China-US gap in drone autonomy?")


def test_sentences_that_point_back_to_a_person_or_thing():
    assert points_back("She pointed to scarce airspace.") and points_back("His firm ships in May.")
    assert points_back("The company employs 900 engineers.") and points_back("Its chief said so.")
    assert not points_back("Shenzhen hosted a fair.") and not points_back("Heavy rain fell.")


def test_a_sentence_that_points_back_finds_its_names_further_up(drones):
    # "The company employs … three research centres" names Skyward Aero only two sentences before
    assert "three research centres" in first(drones, "How many research centres does Skyward Aero run?")


@pytest.mark.parametrize("question, kind", [
    ("How many research centres does Skyward Aero run?", "amount"),  # a count of a named thing needs a number
    ("How much does Skyward Aero matter to buyers?", None),  # a degree, answered in words
    ("How far behind are Chinese drone makers?", None),  # "well behind" answers it too
    ("How long will Skyward Aero take to match the leaders?", None),  # so does "it won't take long"
])
def test_only_a_count_of_a_named_thing_is_refused_for_want_of_a_number(drones, question, kind):
    from bot.commands.ask import Needs
    from bot.core import Context
    from bot.reply import Request

    assert Needs.of(Context(Request("/ask " + question), drones), question).kind == kind


def test_how_long_is_answered_by_a_date_too(drones):
    r = ask(drones, "/ask How long will Skyward Aero take to match the leaders?")
    assert r.answered and any("2027" in p["text"] for p in r.data["passages"][:3])


@pytest.mark.parametrize("question, noun", [
    ("What computing platform did the two firms build?", "computing platform"),
    ("Which chip does the startup use?", "chip"),
    ("In which areas has the rival pulled ahead?", "areas"),
    ("What has the lab not yet shown?", ""),  # "what" is the object here: no noun is asked for
    ("Which firms released chatbots?", ""),  # no auxiliary to end the noun: nothing is guessed
    ("How many chips did it buy?", ""),
])
def test_the_noun_a_what_or_which_question_asks_for(question, noun):
    assert wh_noun(question) == noun


def test_what_rules_prefers_the_sentence_naming_rules(drones):
    # the other sentence has the regulators, the tightening and the speaker, but no rules
    assert first(drones,
                 "What rules did U.S. regulators tighten, according to Brandt?").startswith("Regulators in")
