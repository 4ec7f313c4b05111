"""The door through handle(): access rules, admin rights asked only when needed, privacy and the footer."""
from __future__ import annotations

from typing import Any

import pytest

from bot.core import Door, handle
from bot.guard import NOT_ENABLED, Guard, Policy
from bot.registry import COMMANDS, command
from bot.reply import Citation, Reply, Request


class AdminCheck:
    """The platform's admin check, counting how often it is asked."""

    def __init__(self, answer: bool) -> None:
        self.answer, self.asked = answer, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.answer


@pytest.fixture
def zzadmin() -> Any:
    @command(admin=True)
    def cmd_zzadmin(args: str, ctx: Any) -> Reply:
        """An admin-only command."""
        return Reply(command="zzadmin", title=f"admin={ctx.request.is_admin}")

    yield cmd_zzadmin
    COMMANDS.pop("zzadmin")


def in_channel(text: str, channel: str = "C1", **place: Any) -> Request:
    return Request(text, platform="slack", user="U1", channel=channel, space="T1", **place)


def test_a_channel_not_allowed_is_refused_privately_once(fake_corpus) -> None:
    guard = Guard(Policy(channels=frozenset({"C1"})))
    refused = handle(in_channel("/sources", "C9"), fake_corpus, guard=guard)
    assert refused.title == NOT_ENABLED and refused.private and not refused.answered
    assert Door(fake_corpus, guard=guard).admit(in_channel("/sources", "C9")).repeat
    assert handle(in_channel("/sources"), fake_corpus, guard=guard).title != NOT_ENABLED
    assert handle(in_channel("/sources", "T9", parent="C1"), fake_corpus, guard=guard).title != NOT_ENABLED
    assert handle(in_channel("/sources", "D1", direct=True), fake_corpus, guard=guard).title != NOT_ENABLED


def test_a_refused_request_never_reaches_the_commands(fake_corpus) -> None:
    asked: list[Request] = []
    def answer(request: Request) -> Reply:
        asked.append(request)
        return Reply("x", "x")

    door = Door(fake_corpus, guard=Guard(Policy(per_minute=1)), answer=answer)
    door.handle(in_channel("/sources"))
    slow = door.handle(in_channel("/sources"))
    assert "try again in" in slow.title and slow.private and len(asked) == 1


def test_admin_rights_are_asked_only_for_a_command_that_needs_them(fake_corpus, zzadmin) -> None:
    check = AdminCheck(True)
    handle(in_channel("/help", admin_check=check), fake_corpus, guard=Guard())
    handle(in_channel("/sources", admin_check=check), fake_corpus, guard=Guard())
    assert check.asked == 0
    assert handle(in_channel("/zzadmin", admin_check=check), fake_corpus, guard=Guard()).title == "admin=True"
    assert check.asked == 1


def test_a_non_admin_is_refused_and_a_configured_admin_is_never_asked_about(fake_corpus, zzadmin) -> None:
    check = AdminCheck(False)
    refused = handle(in_channel("/zzadmin", admin_check=check), fake_corpus, guard=Guard())
    # named as it is typed on Slack
    assert refused.title == "Only workspace admins can use /gap zzadmin." and refused.private
    boss = Guard(Policy(admins=frozenset({"slack:U1"})))
    assert handle(in_channel("/zzadmin", admin_check=check), fake_corpus, guard=boss).title == "admin=True"
    assert check.asked == 1


def test_private_means_ephemeral_or_unanswered() -> None:
    assert Reply("help", "Help", ephemeral=True).private
    assert Reply("ask", "The corpus doesn't say.", answered=False).private
    assert not Reply("who", "iFLYTEK").private


def test_the_core_decides_the_footer_and_only_discord_shows_it(fake_corpus) -> None:
    cited = Reply("who", "X", citations=[Citation(1, "a1", "T", "q")])
    door = Door(fake_corpus, answer=lambda r: cited)
    assert door.handle(Request("/who x", platform="discord")).footer == "Searched 0 articles"
    assert door.handle(Request("/who x", platform="slack")).footer is None
    assert door.handle(Request("/who x")).footer is None
    own = Door(fake_corpus, answer=lambda r: Reply("gap", "Y", citations=cited.citations, footer="Own."))
    assert own.handle(Request("/gap", platform="discord")).footer == "Own."
    bare = Door(fake_corpus, answer=lambda r: Reply("sources", "Z"))
    assert bare.handle(Request("/sources", platform="discord")).footer is None
    missed = handle(Request("/nonsense", platform="discord"), fake_corpus)
    assert missed.footer == "Searched 0 articles" and missed.private
