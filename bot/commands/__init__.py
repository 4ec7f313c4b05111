"""Importing this package registers every chat command."""
from bot.commands import (  # noqa: F401
    ask,
    digest,  # noqa: F401
    gap,
    help,
    sources,
    who,
)
