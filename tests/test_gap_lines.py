"""How /gap writes one estimate: its size in one unit, and what the size alone does not say."""
from __future__ import annotations

import pytest

from bot.commands.gap import _how, fmt_range
from corpus.models import Claim


@pytest.mark.parametrize("lo, hi, text", [
    (0.25, 0.5, "3–6 months"), (0.58, 0.83, "7–10 months"), (2.0, 3.0, "2–3 years"), (1.0, 1.0, "1 year"),
    (0.5, None, "at least 6 months"), (0.0, 1.0, "up to 1 year"), (0.5, 1.5, "0.5–1.5 years"),
])
def test_a_range_is_written_in_one_unit(lo, hi, text):
    assert fmt_range(lo, hi) == text


def claim(**kw) -> Claim:
    base = dict(low_years=1.0, high_years=1.0, phrase="a year",
                direction="china_behind", dimension="overall AI", speaker=None, affiliation=None, quote="q",
                article_id="a", date="2026-01-01")
    return Claim(**{**base, **kw})


def test_a_lead_and_an_earlier_estimate_are_said_in_the_line():
    assert _how(claim()) == ""
    assert _how(claim(direction="china_ahead")) == ", China ahead"
    assert _how(claim(historical=True, as_of="2023")) == " (as it stood in 2023)"
    assert _how(claim(historical=True)) == " (an earlier estimate)"


def test_the_range_and_median_leave_out_estimates_of_an_earlier_time(fake_corpus, tmp_path):
    from conftest import ask

    page = tmp_path / "lag.txt"
    page.write_text("Chinese labs narrow the lag\n\nChinese labs now trail US labs by about three months, "
                    "down from more than two years in 2023, said Ines Calloway, an analyst at "
                    "Brightfield.\n\nThe gap in chips is about a year, Calloway added, because export rules "
                    "still limit what the labs can buy and how quickly they can train.\n\nShe spoke at a "
                    "conference for investors in Singapore, where several fund managers said they were "
                    "watching the sector closely this year.\n\nBrightfield publishes a quarterly survey of "
                    "model releases and benchmark results from both countries, which it shares with its "
                    "clients before the general public.\n", encoding="utf-8")
    fake_corpus.index([str(page)])
    reply = ask(fake_corpus, "/gap")
    assert len(reply.data["claims"]) == 3
    assert reply.data["range_years"] == [0.25, 1.0]
    assert "(as it stood in 2023)" in reply.text
    assert ask(fake_corpus, "/gap months").data["range_years"] == [0.25, 0.25]
