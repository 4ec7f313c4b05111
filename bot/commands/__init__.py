"""Importing this package registers every chat command."""
from bot.commands import gap, who, ask, sources, help  # noqa: F401
