"""Slack commands that install: one slash command, /gap, that reaches every other command as its first word,
a manifest free of Slack's built-in names, and help that shows commands as they are typed on Slack."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_fake import FakeSlack
from slack_harness import Slack, payload, serve

from adapters.slack.manifest import BUILT_IN_COMMANDS, manifest
from bot.core import handle, parse
from bot.registry import COMMANDS, command, typed
from bot.reply import Reply, Request
from corpus.api import Corpus

ROOT = Path(__file__).resolve().parent.parent


def declared(m: dict[str, Any]) -> list[str]:
    """The slash commands a manifest declares."""
    return [c["command"] for c in m["features"]["slash_commands"]]


# --- the manifest -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [None, "https://gapbot.example"])
def test_the_generated_manifest_declares_no_slack_built_in(url: str | None) -> None:
    names = declared(manifest(url=url))
    assert names == ["/gap"]
    assert not set(names) & BUILT_IN_COMMANDS


def test_the_saved_manifest_declares_no_slack_built_in() -> None:
    saved = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert not set(declared(saved)) & BUILT_IN_COMMANDS
    assert saved == manifest(), "regenerate: gapbot slack --manifest > manifest.yml"


def test_the_built_in_list_holds_the_names_apps_were_refused_for() -> None:
    assert {"/who", "/status", "/me", "/remind", "/topic"} <= BUILT_IN_COMMANDS
    assert all(name.startswith("/") and name == name.lower() for name in BUILT_IN_COMMANDS)


def test_the_usage_hint_lists_every_user_command_as_a_subcommand() -> None:
    (entry,) = manifest()["features"]["slash_commands"]
    assert entry["usage_hint"].split(" | ") == ["[TOPIC]", "who NAME", "ask QUESTION", "sources [COUNT]",
                                                "help [COMMAND]", "add URL"]
    assert len(entry["description"]) <= 100


# --- the door reads /gap NAME as /NAME ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "parsed"), [
    ("/gap who Zorvex Labs", ("who", "Zorvex Labs", False)),
    ("/gap ask how far behind?", ("ask", "how far behind?", False)),
    ("/gap HELP who", ("help", "who", False)),
    ("/gap sources", ("sources", "", False)),
    ("/gap digest preview", ("digest", "preview", False)),
    ("<@U0BOT> gap who Zorvex", ("who", "Zorvex", False)),
    ("/gap chips", ("gap", "chips", False)),
    ("/gap computing power", ("gap", "computing power", False)),
    ("/gap gap", ("gap", "gap", False)),
    ("/gap", ("gap", "", False)),
    ("/who Zorvex", ("who", "Zorvex", False)),
])
def test_gap_then_a_command_name_means_that_command(text: str, parsed: tuple[str, str, bool]) -> None:
    assert parse(text) == parsed


def test_gap_who_in_the_console_is_the_same_as_who(corpus: Corpus) -> None:
    assert handle(Request("/gap who Zorvex"), corpus).text == handle(Request("/who Zorvex"), corpus).text


def test_an_admin_subcommand_still_needs_admin_rights(corpus: Corpus) -> None:
    reply = handle(Request("/gap digest preview", platform="slack", channel="C0CHAN1"), corpus)
    assert reply.title == "Only workspace admins can use /gap digest."


# --- help as typed where it is read -------------------------------------------------------------------------

def test_help_on_slack_shows_commands_as_typed_after_gap(corpus: Corpus) -> None:
    text = handle(Request("/help", platform="slack"), corpus).text
    assert "• /gap [TOPIC] — " in text and "• /gap who NAME — " in text and "• /gap ask QUESTION — " in text
    assert "• /who" not in text


@pytest.mark.parametrize("platform", ["console", "discord"])
def test_help_elsewhere_is_unchanged(corpus: Corpus, platform: str) -> None:
    text = handle(Request("/help", platform=platform), corpus).text
    assert "• /who NAME — " in text and "/gap who" not in text


def test_help_for_one_command_on_slack(corpus: Corpus) -> None:
    reply = handle(Request("/gap help who", platform="slack"), corpus)
    assert reply.title == "/gap who NAME"
    assert "/gap who " in reply.sections[0].text


@pytest.mark.parametrize(("text", "on_slack"), [
    ("/who NAME for a speaker, /ask for more.", "/gap who NAME for a speaker, /gap ask for more."),
    ("/gap chips", "/gap chips"),
    ("/nosuchthing", "/nosuchthing"),
    ("see https://news.example/who and a/who", "see https://news.example/who and a/who"),
])
def test_typed_names_commands_as_slack_needs(text: str, on_slack: str) -> None:
    assert typed(text, "slack") == on_slack
    assert typed(text, "discord") == text


# --- through the real Bolt app, signed ----------------------------------------------------------------------

def slash(slack: Slack, text: str) -> dict[str, Any]:
    """Send a signed /gap with text; the message posted to its response_url."""
    assert slack.command("/gap", text).status == 200
    return payload(slack.fake.wait_for("response")[0])


def header(message: dict[str, Any]) -> str:
    """The message's header text."""
    return message["blocks"][0]["text"]["text"]


def test_gap_who_is_the_who_command(slack_core: Slack) -> None:
    assert header(slash(slack_core, "who Zorvex Labs")) == "“Zorvex Labs” is not in the corpus."


def test_gap_ask_is_the_ask_command(slack_core: Slack) -> None:
    message = slash(slack_core, "ask how far ahead is Zorvex?")
    assert header(message) == "The corpus doesn't say."
    assert "Try /gap sources" in json.dumps(message["blocks"], ensure_ascii=False)


def test_gap_help_is_help_written_for_slack(slack_core: Slack) -> None:
    message = slash(slack_core, "help")
    assert message["response_type"] == "ephemeral"
    blocks = json.dumps(message["blocks"], ensure_ascii=False)
    assert "/gap who NAME" in blocks and "/gap ask QUESTION" in blocks


def test_gap_chips_is_still_a_topic(slack_core: Slack) -> None:
    title = "The corpus has no estimate of the China–US AI gap on “chips”."
    assert header(slash(slack_core, "chips")) == title


def test_the_adapter_passes_gap_text_to_the_door_unchanged(slack: Slack) -> None:
    slash(slack, "who Zorvex")
    assert [r.text for r in slack.scripted.requests] == ["/gap who Zorvex"]


def test_a_command_added_later_gets_a_gap_subcommand(fake: FakeSlack, corpus: Corpus) -> None:
    @command()
    def cmd_zzping(args: str, ctx: Any) -> Reply:
        """Reply pong."""
        return Reply(command="zzping", title="pong")

    try:
        for slack in serve(fake, corpus, None):
            assert header(slash(slack, "zzping")) == "pong"
            assert "zzping" in manifest()["features"]["slash_commands"][0]["usage_hint"]
    finally:
        COMMANDS.pop("zzping")
