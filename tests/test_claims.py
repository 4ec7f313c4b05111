"""Duration phrases parsed into year ranges, and time phrases that are not gap estimates."""
from __future__ import annotations

import pytest

from corpus.extract.claims import GAP_WORDS, dimension, direction, durations


@pytest.mark.parametrize("sentence, expected", [
    ("She estimated that China trails the United States by two to three years.", [(2.0, 3.0)]),
    ("The gap could be bridged within 1-2 years.", [(1.0, 2.0)]),
    ("Chinese labs could match it within six months.", [(0.0, 0.5)]),
    ("China trails the U.S. in generative AI by at least a year.", [(1.0, None)]),
    ("They can catch up with its current level in about a year.", [(1.0, 1.0)]),
    ("China is three years behind the US but may not need three years to catch up.",
     [(3.0, 3.0), (0.0, 3.0)]),
    ("China could close the gap in a matter of months.", [(0.0, 1.0)]),
    ("Chinese labs are 18 months behind their American rivals.", [(1.5, 1.5)]),
    ("China is about a year and a half behind the US.", [(1.5, 1.5)]),
    ("It acknowledges a potential year-long lag behind the rival model.", [(1.0, 1.0)]),
    ("Most trail the leading U.S. systems by six to twelve months.", [(0.5, 1.0)]),
    # "no more than" / "not more than" bound from above; "more than" alone bounds from below
    ("The lag in robotics is no more than six months, the engineers say.", [(0.0, 0.5)]),
    ("Their chips trail by not more than two years.", [(0.0, 2.0)]),
    ("The gap in drones is more than two years.", [(2.0, None)]),
    ("Rivals are no longer than a year behind in sensors.", [(0.0, 1.0)]),
])
def test_gap_durations(sentence, expected):
    assert GAP_WORDS.search(sentence)
    assert [(f.low, f.high) for f in durations(sentence)] == expected


@pytest.mark.parametrize("sentence", [
    "The company, founded two years ago, says it can catch up with OpenAI.",
    "It took three years to build the model, which now matches GPT-4 on some tests.",
    "A 34-year-old engineer said China lags behind.",
    "The gap has widened over the past two years.",
    "The startup, just eight months old, is catching up fast.",
    "In 2017, China charted its course to close the gap.",
])
def test_time_phrases_that_are_not_gap_estimates(sentence):
    assert durations(sentence) == []


def test_direction_and_dimension():
    assert direction("The lack of advanced AI chips could widen the performance gap.", None) == "widening"
    assert dimension("China still has an obvious gap in computing power and AI chips.") \
        == "chips and computing power"
    assert dimension("Chinese firms could catch up in text-to-video tools.") == "video generation"
    assert dimension("China trails the US in AI.") == "overall AI"
