"""/who (being built)."""
from __future__ import annotations

from bot.core import Context
from bot.registry import command
from bot.reply import Reply, UserError


@command(arg="text")
def cmd_who(args: str, ctx: Context) -> Reply:
    """Placeholder while the command is built."""
    raise UserError("not ready yet")
