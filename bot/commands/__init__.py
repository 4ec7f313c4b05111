"""Importing this package registers every chat command."""
from bot.commands import gap, who, ask, sources, help  # noqa: F401
from bot.commands import digest  # noqa: F401
