"""The digest's command line: the `digest`, `feeds` and `serve` sub-commands of `gapbot` (main).

The digest itself is bot/digest (DigestService); its posting is adapters/slack/digest.py and
adapters/discord/digest.py; `serve` and the platform wiring: adapters/serve.py and adapters/platforms.py."""
from adapters.digest.cli import main

__all__ = ["main"]
