"""/digest in chat, through handle(): admins subscribe a channel, unsubscribe it, preview the next digest."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import time_machine

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "digest"))
from digest_fakes import corpus_fixture, fake_fixture, gapbot, index  # noqa: E402,F401

from bot.core import handle  # noqa: E402
from bot.digest.service import DigestService  # noqa: E402
from bot.reply import Request  # noqa: E402


def say(corpus, text: str, *, admin: bool = True, platform: str = "slack", channel: str | None = "C0DIGEST"):
    return handle(Request(text, platform=platform, user="U1", channel=channel, is_admin=admin), corpus)


def test_only_admins_may_use_digest(corpus):
    reply = say(corpus, "/digest subscribe", admin=False)
    assert "admin" in reply.text and reply.ephemeral and DigestService(corpus).destinations() == []


def test_subscribe_uses_this_channel_at_0800_utc_by_default(corpus):
    with time_machine.travel(datetime(2025, 5, 12, 9, 30, tzinfo=timezone.utc), tick=False):
        reply = say(corpus, "/digest subscribe")
    assert reply.title == "This channel now gets the daily digest at 08:00 UTC."
    assert "Next digest: Tue 13 May 08:00 (UTC)" in reply.text
    assert "covers articles added since 11 May 09:30" in reply.text
    [dest] = DigestService(corpus).destinations()
    assert (dest.target, dest.at, dest.tz, dest.created_by) == ("slack:C0DIGEST", "08:00", "UTC", "U1")


def test_subscribe_with_time_and_zone_then_change_them(corpus):
    say(corpus, "/digest subscribe 07:30 Europe/Berlin", platform="discord", channel="1100000000000000001")
    reply = say(corpus, "/digest subscribe Asia/Shanghai 9:00", platform="discord",
                channel="1100000000000000001")
    assert reply.title == "The daily digest here now comes at 09:00 Asia/Shanghai."
    [dest] = DigestService(corpus).destinations()
    assert (dest.target, dest.schedule) == ("discord:1100000000000000001", "09:00 Asia/Shanghai")


def test_bad_times_zones_and_places_are_explained(corpus):
    assert "Unknown time zone" in say(corpus, "/digest subscribe 08:00 Mars/Olympus").text
    assert "Not a time of day" in say(corpus, "/digest subscribe 25:00").text
    console = say(corpus, "/digest subscribe", platform="console", channel=None)
    assert "Slack or Discord channel" in console.text
    assert "Usage: /gap digest" in say(corpus, "/digest").text  # as typed on Slack
    assert DigestService(corpus).destinations() == []


def test_unsubscribe(corpus):
    say(corpus, "/digest subscribe")
    assert say(corpus, "/digest unsubscribe").title == "This channel will no longer get the daily digest."
    assert DigestService(corpus).destinations() == []
    assert "not subscribed" in say(corpus, "/digest unsubscribe").text


def test_preview_says_why_each_article_is_in_or_out(corpus, fake):
    first = index(corpus, "01", "02")
    say(corpus, "/digest subscribe")
    assert gapbot(corpus, fake.env(), "digest")[0] == 0
    [new] = index(corpus, "03")
    reply = say(corpus, "/digest preview")
    assert reply.ephemeral and reply.title.startswith("The next digest here would report 1 article")
    verdicts = {a["id"]: a for a in reply.data["articles"]}
    assert verdicts[new]["included"] and verdicts[new]["reason"] == "in: new since the last digest"
    assert all(not verdicts[i]["included"] and "already posted" in verdicts[i]["reason"] for i in first)
    assert corpus.article(new).title in reply.text


def test_preview_before_subscribing_shows_the_first_digest(corpus):
    [aid] = index(corpus, "01")
    reply = say(corpus, "/digest preview")
    assert "not subscribed yet" in reply.title and reply.data["articles"][0]["id"] == aid


def test_digest_is_listed_in_help_only_in_detail(corpus):
    assert "/digest" not in say(corpus, "/help").text  # admin commands stay out of the overview
    assert "/gap digest subscribe 07:30 Europe/Berlin" in say(corpus, "/help digest").text


def test_a_time_zone_that_is_a_folder_or_too_long_is_refused_plainly():
    from bot.digest.parse import parse_tz
    from bot.reply import UserError

    for bad in ("Europe", "x" * 300):
        try:
            parse_tz(bad)
        except UserError as e:
            assert "Unknown time zone" in str(e)
        else:
            raise AssertionError(f"{bad[:10]!r} accepted")
