"""Thread follow-ups in the core: the rules of bot/followup.py as tables (with what they must leave alone),
and transcripts through the door, where a follow-up in a thread carries the last answer's subject."""
from __future__ import annotations

from pathlib import Path

import pytest

import bot.core  # noqa: F401  (registers the commands the rules know)
from bot import followup
from bot.core import handle
from bot.followup import FollowUp, read
from bot.reply import Request

SCRAPES = Path(__file__).parent / "fixtures" / "scrapes"  # invented articles, written for the tests


@pytest.mark.parametrize("text", ["why?", "Why", "why is that?", "why so?", "and why?", "source?", "Evidence",
                                  "any sources?", "your source?", "source please", "what's the source?",
                                  "context?", "says who?", "according to whom?",
                                  "how do you know that?", "where does that come from?"])
def test_a_bare_why_asks_for_the_evidence(text: str) -> None:
    assert read(text) == FollowUp("why")


@pytest.mark.parametrize("text, subject", [
    ("what about video?", "video"), ("And what about video generation?", "video generation"),
    ("how about talent", "talent"), ("what of chips?", "chips"), ("same for chips?", "chips"),
    ("and talent?", "talent"), ("also for video?", "video"), ("chips?", "chips"),
    ("video generation?", "video generation"), ("what about the talent gap?", "talent gap")])
def test_a_short_follow_up_names_a_new_subject(text: str, subject: str) -> None:
    assert read(text) == FollowUp("more", subject)


@pytest.mark.parametrize("text", [
    "why did the gap in chips widen after the export rules?",  # a why with a subject is a question
    "what about the talent gap and how long it will last in the view of the analysts?",  # too long a subject
    "really?", "thanks?", "and?", "now?", "is it?",  # reactions, not subjects
    "and who said that?", "what is the gap?",  # a question word starts a question of its own
    "/gap chips", "!who Priya Anand", "sources",  # commands stand as typed, a command's word too
    "how far behind is China in chips?", "thanks!", ""])
def test_full_questions_commands_and_reactions_stand_as_typed(text: str) -> None:
    assert read(text) is None


@pytest.mark.parametrize("text", ["what did she say about video?", "who is he?", "what do they think?",
                                  "ask her about chips", "what is his view on talent?"])
def test_a_pronoun_for_a_person_is_a_follow_up(text: str) -> None:
    assert read(text) == FollowUp("pronoun")


@pytest.mark.parametrize("text", ["is it closing?", "what is the gap in chips?", "the theory of chips"])
def test_it_and_words_containing_pronouns_are_not(text: str) -> None:
    assert read(text) is None


@pytest.mark.parametrize("text, meant", [
    ("what did she say about video?", "what did Ada Okafor say about video?"),
    ("ask her about chips", "ask Ada Okafor about chips"),
    ("what is her view?", "what is Ada Okafor’s view?"),
    ("what did he tell them about his lab?", "what did Ada Okafor tell Ada Okafor about Ada Okafor’s lab?"),
    ("Shepherd hired her", "Shepherd hired Ada Okafor")])
def test_pronouns_are_replaced_by_the_person_in_the_right_form(text: str, meant: str) -> None:
    assert followup.resolve_pronouns(text, "Ada Okafor") == meant


@pytest.mark.parametrize("command, args, subject, meant", [
    ("gap", "chips", "video", "/gap video"), ("gap", "", "talent", "/gap talent"),
    ("who", "Priya Anand", "Odile Fenwick", "/who Odile Fenwick"),
    ("ask", "how far behind are labs in chips?", "video", "/ask how far behind are labs in video?"),
    ("ask", "what did Fenwick say about chips in 2025?", "talent", "/ask what did Fenwick say about talent?"),
    ("ask", "how many engineers does the lab employ?", "Kestrel",
     "/ask how many engineers does the lab employ about Kestrel?"),
    ("sources", "", "video", None), ("help", "", "video", None), ("why", "", "video", None)])
def test_the_previous_command_is_asked_again_of_the_new_subject(command: str, args: str, subject: str,
                                                                 meant: str | None) -> None:
    assert followup.carried(command, args, subject) == meant


def test_every_rule_gives_its_reason() -> None:
    for table in (followup.WHY, followup.MORE):
        assert all(len(reason) > 20 for _, reason in table)
    assert all(len(reason) > 20 for _, _, reason in followup.PRONOUNS)


# --- through the door --------------------------------------------------------------------------------------

@pytest.fixture()
def corpus(fake_corpus):
    results = fake_corpus.index([str(SCRAPES / "lab_rivalry.txt"), str(SCRAPES / "drone_rivals.txt")])
    assert all(r.status == "added" for r in results), results
    return fake_corpus


class Thread:
    """A Slack thread with gapbot in it: say() asks in the thread and returns the reply."""

    def __init__(self, corpus, thread: str = "1700000000.000100"):
        self.corpus, self.thread = corpus, thread

    def say(self, text: str, **where):
        fields = {"platform": "slack", "channel": "C1", "user": "U1", "thread": self.thread, **where}
        return handle(Request(text, **fields), self.corpus)


def test_what_about_after_gap_is_gap_of_the_new_topic(corpus) -> None:
    thread = Thread(corpus)
    assert "chips" in thread.say("/gap chips").title
    reply = thread.say("what about video?")
    assert reply.title.startswith("China–US AI gap on “video”") and reply.answered
    assert reply.sections[0].text == "(following up on /gap: /gap video)"
    assert reply.sections[1].heading == "Video generation"
    kept = corpus.answer_log.get(reply.answer_id)
    assert (kept.command, kept.args) == ("gap", "video")  # the next follow-up carries from /gap video


def test_a_pronoun_is_the_last_person_the_previous_answer_named(corpus) -> None:
    thread = Thread(corpus)
    assert "Priya Anand" in thread.say("/gap talent").text
    reply = thread.say("what did she say about universities?")
    assert reply.title == "What the articles say: what did Priya Anand say about universities?"
    assert "Anand said universities in Hangzhou" in reply.text
    assert reply.sections[0].text == "(following up on /gap: “what did Priya Anand say about universities?”)"


def test_the_person_a_question_named_comes_before_those_its_answer_named(corpus) -> None:
    thread = Thread(corpus)
    asked = thread.say("/ask what did Priya Anand say about labs?")
    said = asked.text.split("Sources:")[0]
    assert said.rfind("Odile Fenwick") > said.rfind("Anand")  # the answer names Fenwick last
    reply = thread.say("what did she say about universities?")
    assert reply.title == "What the articles say: what did Priya Anand say about universities?"


def test_why_quotes_the_context_of_the_last_sentence_cited(corpus) -> None:
    thread = Thread(corpus)
    gap = thread.say("/gap video")
    last = gap.citations[-1].quote
    reply = thread.say("why?")
    assert reply.command == "why" and reply.answered and not reply.private
    assert f"“{last}” [1]" in reply.sections[1].text
    assert "Odile Fenwick, an analyst at Kestrel Research, said" in reply.sections[1].text  # the one before
    assert reply.sections[1].heading == "Analysts Split Over Where Chinese Labs Stand"
    assert [c.quote for c in reply.citations] == [last]
    assert corpus.answer_log.get(reply.answer_id).command == "why"


def test_why_after_an_answer_that_quoted_nothing_says_so(corpus) -> None:
    thread = Thread(corpus)
    thread.say("/sources")
    why = thread.say("why?")
    assert why.title == "My last answer here quoted no sentence, so there is no source to show."


def test_a_follow_up_carries_past_a_why_to_the_last_command(corpus) -> None:
    thread = Thread(corpus)
    thread.say("/gap chips")
    thread.say("why?")
    assert thread.say("and talent?").sections[0].text == "(following up on /gap: /gap talent)"


def test_the_answer_a_message_follows_is_found_by_its_posted_id(corpus) -> None:
    first = Thread(corpus, thread="T-other").say("/gap chips")
    corpus.answer_log.posted(first.answer_id, "1700000005.000100")
    reply = handle(Request("what about talent?", platform="slack", channel="C1", thread="T-new",
                           follows=("1700000005.000100",)), corpus)
    assert reply.sections[0].text == "(following up on /gap: /gap talent)"
    elsewhere = handle(Request("what about talent?", platform="slack", channel="C2", thread="T-new",
                               follows=(first.answer_id,)), corpus)
    assert elsewhere.command == "ask"  # an answer given in another channel is not followed


def test_outside_a_thread_or_without_an_earlier_answer_the_text_stands(corpus) -> None:
    assert handle(Request("what about video?", platform="slack", channel="C1"), corpus).command == "ask"
    fresh = Thread(corpus, thread="1700000999.000100").say("what about video?")
    assert fresh.command == "ask" and not fresh.sections[0].text.startswith("(following up")


def test_slack_names_the_carried_command_as_it_is_typed_there(corpus) -> None:
    thread = Thread(corpus)
    thread.say("/gap who Priya Anand")
    assert thread.say("what about Odile Fenwick?").sections[0].text == \
        "(following up on /gap who: /gap who Odile Fenwick)"


# --- what the corpus tells the door ------------------------------------------------------------------------

def test_the_people_a_text_names_come_in_order_of_their_last_mention(corpus) -> None:
    text = "Odile Fenwick spoke first. Then Priya Anand. Later Fenwick said more; Kestrel Research agreed."
    assert [p.name for p in corpus.people_in(text)] == ["Priya Anand", "Odile Fenwick"]
    assert [p.name for p in corpus.people_in("Anand said so.")] == ["Priya Anand"]  # a surname alone
    assert corpus.people_in("Kestrel Research and the Tallis Institute said so.") == []  # not people
    assert corpus.people_in("no names here, only lower case words") == []


def test_a_sentence_comes_with_its_neighbours_in_its_article(corpus) -> None:
    [hit] = [h for h in corpus.search("video generation roughly six months", limit=10)
             if h.text.startswith("Fenwick added")]
    near = corpus.sentences_near(hit.sentence_id, before=1, after=1)
    assert [f.text[:13] for f in near] == ["Odile Fenwick", "Fenwick added", "She said the "]
    assert corpus.sentences_near(10**9) == []
