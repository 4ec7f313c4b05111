"""Table tests for attribution and gap claims, on phrasings written for these tests (no article's sentences).

Each row is one way English news prose attributes or states a comparison; the negative rows are time phrases
and comparisons that are not a China-US gap.
"""
from __future__ import annotations

import pytest

from corpus.clean import CleanArticle
from corpus.extract.attribution import attribution
from corpus.extract.claims import extract_claims
from corpus.extract.entities import nlp
from corpus.extract.lexicon import speech_lemma
from corpus.ingest import prepare


def article(*paragraphs: str, title: str = "Chinese labs and the AI race", date: str = "2026-03-10"):
    """A prepared article made of the given paragraphs."""
    return prepare(CleanArticle(title=title, paragraphs=list(paragraphs), date=date), source="test", url=None)


def claims(*paragraphs: str, **kw):
    """The sized claims of an article, as (low, high, direction, speaker) tuples plus the claim objects."""
    return [c for c in extract_claims(article(*paragraphs, **kw)) if c.sized]


@pytest.mark.parametrize("word, lemma", [
    ("said", "say"), ("says", "say"), ("told", "tell"), ("estimated", "estimate"), ("estimates", "estimate"),
    ("believes", "believe"), ("warned", "warn"), ("argues", "argue"), ("noted", "note"), ("wrote", "write"),
    ("predicting", "predict"), ("carried", None), ("behind", None), ("leads", None),
])
def test_speech_verbs_in_any_inflection(word, lemma):
    assert speech_lemma(word) == lemma


@pytest.mark.parametrize("sentence, name, kind, role", [
    ("Analyst Mira Okonkwo said the lag was roughly three years.", "Mira Okonkwo", "person", "Analyst"),
    ("Tomas Reyes, the survey's lead author, said the country trails by two years.", "Tomas Reyes", "person",
     "survey's lead author"),
    ("The gap is about a year, according to Dana Whitfield, a partner at Larchmont Capital.",
     "Dana Whitfield", "person", "partner at Larchmont Capital"),
    ("The gap is three to five years, the former chief executive of Harbor Robotics Tom Alvarez said.",
     "Tom Alvarez", "person", "former chief executive of Harbor Robotics"),
    ("“We are about 18 months behind,” she said.", "she", "pronoun", None),
    ("Chinese models are about six months behind, Northwind AI estimates.", "Northwind AI", "org", None),
    ("Analysts said Chinese labs were about a year behind.", "Analysts", "nobody", None),
])
def test_attribution_from_the_parse(sentence, name, kind, role):
    said = attribution(nlp()(sentence))
    assert (said.name, said.kind, said.role) == (name, kind, role)


@pytest.mark.parametrize("sentence", [
    "Chinese labs are about a year behind their American rivals.",
    "“It is a question of money,” one of them concluded.",
])
def test_no_attribution_where_nobody_is_named(sentence):
    said = attribution(nlp()(sentence))
    assert said is None or said.kind == "nobody"


def test_a_surname_met_before_is_recognised_as_the_subject():
    sentence = nlp()("Okafor of the research group Delta told the forum that the gap was three years.")
    said = attribution(sentence, {"Okafor"})
    assert (said.name, said.kind) == ("Okafor", "person")


def test_a_lead_held_by_china_is_china_ahead_with_its_dimension_and_speaker():
    [c] = claims("Wen Jiali, a professor of engineering at a Nanjing university, said China leads the United "
                 "States by about two years in robot hardware manufacturing.")
    assert (c.low_years, c.high_years, c.direction, c.speaker) == (2.0, 2.0, "china_ahead", "Wen Jiali")
    assert c.dimension == "robotics" and c.sides == ["China", "United States"]


@pytest.mark.parametrize("sentence, direction", [
    ("China is about three years behind the United States in chips.", "china_behind"),
    ("The US is well ahead of China, by two or three years.", "china_behind"),
    ("American labs lead Chinese rivals by roughly a year.", "china_behind"),
    ("Chinese labs have pulled ahead of US rivals by six months in drones.", "china_ahead"),
    ("The odds of a Chinese lab overtaking US leaders in the next five years are low.", "china_behind"),
])
def test_direction_follows_which_side_comes_first(sentence, direction):
    [c] = claims(sentence)
    assert c.direction == direction


@pytest.mark.parametrize("sentence, low, high", [
    ("China's chip industry is as much as a decade behind the US.", 10.0, 10.0),
    ("Chinese labs are a year or two behind American ones.", 1.0, 2.0),
    ("US labs are ahead of Chinese rivals by a year or more.", 1.0, None),
])
def test_more_ways_to_write_a_size(sentence, low, high):
    [c] = claims(sentence)
    assert (c.low_years, c.high_years) == (low, high)


def test_an_estimate_after_ago_is_of_an_earlier_time_and_the_ago_phrase_is_no_size():
    [c] = claims("A year or two ago, US labs were clearly ahead of Chinese ones by a year or more.")
    assert (c.low_years, c.high_years, c.historical) == (1.0, None, True)


def test_the_dimension_is_not_read_from_who_said_it():
    [c] = claims("Chinese labs trail the US by about a year, according to a survey of researchers.")
    assert c.dimension == "overall AI"


def test_a_stated_parity_between_the_two_sides_is_an_unsized_claim():
    [c] = extract_claims(article("Chinese firms have essentially caught up with US labs on open-weight "
                                 "models, Oliver Grant, a fellow at a research centre, warned."))
    assert (c.sized, c.direction, c.speaker) == (False, "parity", "Oliver Grant")


def test_a_goal_of_parity_is_not_a_claim_of_parity():
    assert extract_claims(article("Chinese officials have set a goal of reaching parity with the United "
                                  "States by 2030.")) == []


def test_the_distance_to_the_frontier_sizes_a_gap():
    [c] = claims("“The distance to the American frontier is now about three to six months,” Mr Liang said.")
    assert (c.low_years, c.high_years, c.direction) == (0.25, 0.5, "china_behind")


def test_the_lead_as_a_noun_sizes_a_gap():
    [c] = claims("Farah Nasser, an economist, believes the US lead over China is closer to three years.")
    assert (c.low_years, c.direction, c.speaker) == (3.0, "china_behind", "Farah Nasser")


def test_the_report_points_back_to_the_organisation_quoted_before():
    found = claims("Chinese labs are about six months behind US rivals, according to a report from the "
                   "Calder Institute.", "The report found that the gap had been about 18 months in 2024.")
    assert [(c.low_years, c.speaker, c.historical) for c in found] == [
        (0.5, "Calder Institute", False), (1.5, "Calder Institute", True)]


def test_an_estimate_about_the_past_carries_its_year():
    found = claims("Chinese models now trail US models by about three months, down from more than a year in "
                   "2023, said Ines Calloway, an analyst at Brightfield.")
    assert [(c.low_years, c.historical, c.as_of) for c in found] == [(0.25, False, "2026-03-10"),
                                                                   (1.0, True, "2023")]


def test_previously_then_now_in_one_quote_by_a_speaker_named_after_it():
    found = claims("“Previously the gap was a year or more. Now it is maybe six months behind,” Lee said.",
                   "Grace Lee, a former lab director, has followed Chinese AI for a decade.")
    assert [(c.low_years, c.historical) for c in found] == [(1.0, True), (0.5, False)]
    assert {c.speaker for c in found} == {"Lee"} or {c.speaker for c in found} == {"Grace Lee"}


def test_a_place_named_for_where_something_was_said_is_not_a_side():
    [c] = claims("Petra Lindqvist, a researcher in Stockholm, has studied the field for a decade.",
                 "“We are ahead, by two years probably, of China,” Lindqvist said in an interview with "
                 "Reuters in Geneva on Tuesday.")
    assert (c.low_years, c.direction, c.speaker) == (2.0, "china_behind", "Petra Lindqvist")


def test_speaker_named_only_by_a_surname_after_the_full_name():
    found = claims("Petra Lindqvist, head of research at Northwind, studies Chinese chipmakers.",
                   "China is at least two years behind the US in lithography, Lindqvist told Bloomberg.")
    assert [(c.low_years, c.high_years, c.speaker) for c in found] == [(2.0, None, "Petra Lindqvist")]


def test_two_views_in_one_sentence_are_each_held_by_their_own_speaker():
    found = claims("Investors disagree: Arun Patel sees a lag of about six months, while Chloe Brandt "
                   "believes Chinese labs are two years behind the US.")
    assert {(c.low_years, c.speaker) for c in found} == {(0.5, "Arun Patel"), (2.0, "Chloe Brandt")}


@pytest.mark.parametrize("paragraphs", [
    ("India is about five years behind the United States in AI research, the minister said.",),
    ("AMD is roughly two years behind Nvidia in data-centre software, analysts said.",),
    ("Artificial general intelligence could arrive within five years, the founder told the audience.",),
    ("The company was founded two years ago and now matches rivals on some tests.",),
    ("It may take five to eight years to bring such robots to every home, Chinese executives said.",),
    ("Chinese labs are closer to US rivals than they were two years ago.",),
    ("Chinese labs say the gap to artificial general intelligence could close within five years.",),
    ("Four paragraphs on Chinese labs follow.",
     "In Europe, researchers say the continent lags the US by at least " "two years.",
     "Chinese labs were not part of that survey.", "Chinese officials did not comment."),
    ("Two years after the ban, Chinese chipmakers are still behind US rivals.",),
    ("China has trailed the US for three years, the report said.",),
])
def test_not_a_china_us_gap_estimate(paragraphs):
    assert claims(*paragraphs, title="Technology news") == []


def test_a_restated_estimate_is_listed_once():
    found = claims("China's chatbots are only a matter of months behind US rivals, Ruth Adeyemi, an "
                   "investor, said.",
                   "She spoke at a conference in Singapore.",
                   "“They are maybe a matter of months behind,” Adeyemi told the audience.")
    assert len(found) == 1 and found[0].quote.startswith("China's chatbots")
