"""Importing this package registers every chat command, in the order /help and Slack and Discord list them."""
# the import order is the registration order users see, so it is not sorted
# isort: off
from bot.commands import gap, who, ask, sources, help  # noqa: F401
from bot.commands import digest  # noqa: F401
from bot.commands import add  # noqa: F401
from bot.commands import watch  # noqa: F401
# isort: on
