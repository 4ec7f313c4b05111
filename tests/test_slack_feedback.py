"""👍/👎 and "Share with channel" on Slack, end to end: a real answer through the Bolt app, then signed
block_actions payloads for clicks on its buttons; the votes land in the answer log and `gapbot report` lists
the voted-down question."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_fake import FakeSlack
from slack_harness import Scripted, Slack, payload, serve
from test_cli import gapbot

from adapters.slack.render import SHARE, VOTE_DOWN, VOTE_UP, answer_id_in
from bot.guard import Guard, Policy
from bot.reply import Citation, Reply, Section
from corpus.api import Corpus
from corpus.embed import HashEmbedder

ARTICLE = Path(__file__).parent / "fixtures" / "scrapes" / "robotics_fair.txt"  # written for the tests
QUESTION = "how far behind are robot makers in motion control?"


@pytest.fixture(scope="module")
def robots(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A corpus of one invented article, in a file the CLI can open too."""
    path = tmp_path_factory.mktemp("feedback") / "robots.db"
    corpus = Corpus.open(path, seed=False, embedder=HashEmbedder())
    [result] = corpus.index([str(ARTICLE)])
    assert result.status == "added", result.reason
    return corpus


@pytest.fixture
def app(fake: FakeSlack, robots: Corpus) -> Iterator[Slack]:
    """The app over the real core and the robots corpus."""
    yield from serve(fake, robots, None)


def answered(slack: Slack, text: str) -> dict:
    """Ask with /gap and return the message posted through the response_url."""
    before = len(slack.fake.called("response"))
    slack.command("/gap", text)
    return payload(slack.fake.wait_for("response", before + 1)[before])


def buttons(message: dict) -> list[dict]:
    """The elements of the message's actions block."""
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    return actions["elements"]


def test_an_answer_ends_with_vote_buttons_naming_it(app: Slack, robots: Corpus) -> None:
    message = answered(app, f"ask {QUESTION}")
    answer_id = answer_id_in(message)
    assert answer_id is not None and robots.answer_log.get(answer_id) is not None
    assert message["blocks"][-1]["type"] == "actions"
    assert [(b["action_id"], b["text"]["text"], b["value"]) for b in buttons(message)] == [
        (VOTE_UP, "👍", answer_id), (VOTE_DOWN, "👎", answer_id)]  # public already: nothing to share


def test_help_and_refusals_get_no_buttons(app: Slack) -> None:
    for text in ("help", "ask what did the lunar rover team eat for breakfast?"):
        message = answered(app, text)
        assert [b for b in message["blocks"] if b["type"] == "actions"] == [], text


def test_a_click_keeps_the_vote_a_second_click_changes_it_and_the_report_lists_it(app: Slack,
                                                                                   robots: Corpus) -> None:
    answer_id = answer_id_in(answered(app, f"ask {QUESTION}"))
    assert answer_id is not None
    result = app.click(VOTE_UP, answer_id)
    assert result.status == 200 and result.body == ""  # acked at once: no more 404 "unhandled request"
    note = payload(app.fake.wait_for("response", 2)[1])
    assert note == {"response_type": "ephemeral", "replace_original": False, "text": "Thanks — noted 👍."}
    assert robots.answer_log.tally(answer_id) == (1, 0)
    app.click(VOTE_DOWN, answer_id)
    assert payload(app.fake.wait_for("response", 3)[2])["text"].startswith("Thanks — noted 👎.")
    assert robots.answer_log.tally(answer_id) == (0, 1)  # the same user: changed, not added

    db = Path(robots.store.path)
    done = gapbot("--db", str(db), "--no-seed", "report", "--json", cwd=db.parent)
    assert done.returncode == 0, done.stderr
    groups = [json.loads(line) for line in done.stdout.splitlines()]
    [group] = [g for g in groups if answer_id in g["answer_ids"]]
    assert group["question"] == f"/ask {QUESTION}" and group["down_votes"] == 1
    assert group["platforms"] == ["slack"] and group["channels"] == ["slack:C0CHAN1"]


def test_a_vote_on_an_unknown_answer_is_told_so(app: Slack, robots: Corpus) -> None:
    app.click(VOTE_DOWN, "0123456789ab")
    note = payload(app.fake.wait_for("response")[0])
    assert note["text"].startswith("I no longer have that answer on record")
    assert robots.answer_log.tally("0123456789ab") == (0, 0)


PRIVATE = Reply(command="ask", title="What the articles say: motion control", ephemeral=True,
                sections=[Section("• “Robot makers trail by about eighteen months.” [1]")],
                citations=[Citation(1, "a1", "Robotics fair", "q", "Wire", "2025-06-12", "https://example.com/r")])


def test_a_private_answer_can_be_shared_with_the_channel_once(fake: FakeSlack, robots: Corpus) -> None:
    scripted = Scripted()
    scripted.reply = PRIVATE
    for slack in serve(fake, robots, scripted):
        message = answered(slack, "ask motion control")
        assert message["response_type"] == "ephemeral"
        answer_id = answer_id_in(message)
        assert answer_id is not None
        assert [b["action_id"] for b in buttons(message)] == [VOTE_UP, VOTE_DOWN, SHARE]
        slack.click(SHARE, answer_id, ephemeral=True)
        slack.click(SHARE, answer_id, ephemeral=True)  # a second click before the first is done
        shared, delete = [payload(c) for c in fake.wait_for("response", 3)[1:]]
        assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
        assert shared["blocks"][0]["text"]["text"] == PRIVATE.title
        assert shared["blocks"][1] == {"type": "context", "elements": [
            {"type": "mrkdwn", "text": "Shared by <@U0USER2>"}]}
        public_id = answer_id_in(shared)  # the public copy is an answer of its own, to vote on
        assert public_id not in (None, answer_id)
        assert [b["action_id"] for b in buttons(shared)] == [VOTE_UP, VOTE_DOWN]
        assert delete == {"delete_original": True}
        slack.click(VOTE_UP, "0123456789ab")  # a sentinel: once it is answered, the second share was ignored
        fake.wait_for("response", 4)
        assert len(fake.called("response")) == 4 and len(scripted.requests) == 2


def test_with_private_answers_an_answer_is_the_askers_until_shared(fake: FakeSlack, robots: Corpus) -> None:
    for slack in serve(fake, robots, None, guard=Guard(Policy(private_answers=True))):
        message = answered(slack, f"ask {QUESTION}")
        assert message["response_type"] == "ephemeral"
        answer_id = answer_id_in(message)
        assert answer_id is not None
        assert [b["action_id"] for b in buttons(message)] == [VOTE_UP, VOTE_DOWN, SHARE]
        slack.click(SHARE, answer_id, ephemeral=True)
        shared, delete = [payload(c) for c in fake.wait_for("response", 3)[1:]]
        assert shared["response_type"] == "in_channel" and delete == {"delete_original": True}
        assert shared["blocks"][0]["text"]["text"] == message["blocks"][0]["text"]["text"]
        help_reply = answered(slack, "help")  # not an answer from the articles: private, nothing to share
        assert help_reply["response_type"] == "ephemeral" and not [
            b for b in help_reply["blocks"] if b["type"] == "actions"]


@pytest.mark.parametrize(("value", "private"), [("1", True), ("yes", True), ("0", False), ("", False)])
def test_gapbot_private_answers_is_read_from_the_environment(value: str, private: bool) -> None:
    policy = Policy.from_env({"GAPBOT_PRIVATE_ANSWERS": value}, spaces="S", channels="C")
    assert policy.private_answers is private


def test_a_malformed_gapbot_private_answers_is_refused() -> None:
    with pytest.raises(ValueError, match="GAPBOT_PRIVATE_ANSWERS"):
        Policy.from_env({"GAPBOT_PRIVATE_ANSWERS": "sometimes"}, spaces="S", channels="C")
