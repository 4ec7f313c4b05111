"""The answer log: every chat answer the door gives is kept with its question and cited sentences, so a thread
follow-up and a vote can refer to it; console answers are not kept."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Door, handle
from bot.reply import Reply, Request
from corpus.answer_log import DOWN, UP

ARTICLE = Path(__file__).parent / "fixtures" / "scrapes" / "robotics_fair.txt"  # written for the tests
QUESTION = "how far behind are robot makers in motion control?"


@pytest.fixture()
def corpus(engine_corpus):
    """The invented article, on SQLite and on Postgres: the answer log is engine-neutral."""
    [result] = engine_corpus.index([str(ARTICLE)])
    assert result.status == "added", result.reason
    return engine_corpus


def in_slack(text: str, *, thread: str | None = None) -> Request:
    return Request(text, platform="slack", user="U1", channel="C1", space="T1", thread=thread)


def test_a_chat_answer_is_kept_with_its_question_and_cited_sentences(corpus) -> None:
    reply = handle(in_slack("/ask how far behind are robot makers in motion control?"), corpus)
    assert reply.answered and reply.citations and reply.answer_id
    kept = corpus.answer_log.get(reply.answer_id)
    assert kept is not None
    assert (kept.platform, kept.channel, kept.user, kept.command) == ("slack", "C1", "U1", "ask")
    assert kept.args == "how far behind are robot makers in motion control?"
    assert kept.text == reply.text and kept.answered
    assert [c.quote for c in kept.cited] == [c.quote for c in reply.citations]
    assert all(c.sentence_id is not None for c in kept.cited)
    assert len({c.sentence_id for c in kept.cited}) == len({c.quote for c in kept.cited})


def test_a_refused_question_is_kept_as_not_answered(corpus) -> None:
    reply = handle(in_slack("/ask what did the lunar rover team eat for breakfast?"), corpus)
    kept = corpus.answer_log.get(reply.answer_id)
    assert kept is not None and not kept.answered and kept.cited == ()


def test_console_answers_are_not_kept(corpus) -> None:
    assert handle(Request("/sources"), corpus).answer_id is None


def test_answers_in_a_thread_come_newest_first_and_a_posted_one_is_found_by_its_message(corpus) -> None:
    first = handle(in_slack("/gap", thread="1700000000.000100"), corpus)
    second = handle(in_slack("/who Mara Quinlan", thread="1700000000.000100"), corpus)
    handle(in_slack("/sources", thread="1700000099.000100"), corpus)
    thread = corpus.answer_log.in_thread("slack", "C1", "1700000000.000100")
    assert [a.id for a in thread] == [second.answer_id, first.answer_id]
    corpus.answer_log.posted(first.answer_id, "1700000001.000200")
    found = corpus.answer_log.by_message("slack", "C1", "1700000001.000200")
    assert found is not None and found.id == first.answer_id
    assert corpus.answer_log.by_message("slack", "C2", "1700000001.000200") is None


def test_a_vote_counts_once_per_user_and_can_be_changed(corpus) -> None:
    answer = handle(in_slack("/gap"), corpus).answer_id
    votes = corpus.answer_log
    assert votes.vote(answer, "U1", UP, at="2026-01-01T00:00:00+00:00")
    assert votes.vote(answer, "U1", UP, at="2026-01-01T00:00:01+00:00")
    assert votes.vote(answer, "U2", DOWN, at="2026-01-01T00:00:02+00:00")
    assert votes.tally(answer) == (1, 1)
    assert votes.vote(answer, "U1", DOWN, at="2026-01-01T00:00:03+00:00")
    assert votes.tally(answer) == (0, 2)
    assert not votes.vote("no-such-answer", "U1", UP, at="2026-01-01T00:00:04+00:00")
    with pytest.raises(ValueError):
        votes.vote(answer, "U1", 5, at="2026-01-01T00:00:05+00:00")


def test_an_answer_that_cannot_be_kept_still_goes_out() -> None:
    class Unwritable:
        def record(self, answer):
            raise OSError("disk full")

    class CorpusWithoutRoom:
        answer_log = Unwritable()

        def count(self) -> int:
            return 1

    door = Door(CorpusWithoutRoom(), answer=lambda r: Reply("sources", "Two articles."))  # type: ignore[arg-type]
    reply = door.handle(in_slack("/sources"))
    assert reply.title == "Two articles." and reply.answer_id is None


def test_the_door_notes_where_an_answer_was_posted(corpus) -> None:
    door = Door(corpus)
    reply = door.handle(in_slack("/sources"))
    door.posted(reply.answer_id, "1700000002.000300")
    door.posted(None, "1700000003.000300")  # an answer that was not kept: nothing to note
    found = corpus.answer_log.by_message("slack", "C1", "1700000002.000300")
    assert found is not None and found.id == reply.answer_id


def test_a_question_with_a_lone_surrogate_is_kept_without_it(corpus) -> None:
    reply = handle(in_slack("/ask robots \ud800 motion?"), corpus)
    kept = corpus.answer_log.get(reply.answer_id)
    assert kept is not None and kept.question.startswith("/ask robots") and kept.question.endswith("motion?")
    assert not any("\ud800" <= ch <= "\udfff" for ch in kept.question + kept.args + kept.text)


def test_missed_lists_refused_and_voted_down_questions_newest_first(corpus) -> None:
    refused = handle(in_slack("/ask what did the lunar rover team eat for breakfast?"), corpus).answer_id
    liked = handle(in_slack("/gap"), corpus).answer_id
    disliked = handle(in_slack(f"/ask {QUESTION}"), corpus).answer_id
    handle(in_slack("/who"), corpus)  # a usage error: nothing the articles are missing
    corpus.answer_log.vote(liked, "U1", UP, at="2026-01-01T00:00:00+00:00")
    corpus.answer_log.vote(disliked, "U2", DOWN, at="2026-01-01T00:00:00+00:00")
    missed = corpus.answer_log.missed(commands=("ask", "gap", "who"), since="2000-01-01", limit=10)
    assert [(m.answer.id, m.up, m.down) for m in missed] == [(disliked, 0, 1), (refused, 0, 0)]
