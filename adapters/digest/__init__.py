"""The digest adapter: posting digests to Slack and Discord, the scheduler, feed polling, and the `digest`,
`feeds` and `serve` sub-commands of `gapbot` (main)."""
from adapters.digest.cli import main

__all__ = ["main"]
