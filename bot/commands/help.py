"""/help: generated from the command registry."""
from __future__ import annotations

from bot.context import Context
from bot.registry import COMMANDS, command, registered, typed
from bot.reply import Reply, Section, UserError
from bot.text import safe_echo


def overview(platform: str = "console") -> str:
    """One line per command: usage (as typed on platform) and what it does."""
    return "\n".join(f"• {c.usage_on(platform)} — {c.summary}" for c in registered() if not c.admin) + \
        "\n• Or just ask a question in plain words."


@command(arg="command", arg_help="a command to explain, e.g. who")
def cmd_help(args: str, ctx: Context) -> Reply:
    """Show what gapbot can do, or how to use one command.

    /help — every command
    /help who — one command in detail
    """
    platform = ctx.request.platform
    name = args.strip().lstrip("/").lower()
    if not name:
        return Reply(command="help", title="gapbot answers from the articles your team has shared.",
                     sections=[Section(overview(platform))], ephemeral=True)
    cmd = COMMANDS.get(name)
    if cmd is None:
        raise UserError(f"There is no /{safe_echo(name, 40)} command. Try /help.")
    body = cmd.summary + (f"\n{typed(cmd.details, platform)}" if cmd.details else "")
    return Reply(command="help", title=cmd.usage_on(platform), sections=[Section(body)], ephemeral=True)
