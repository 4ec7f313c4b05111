"""`python -m bot` runs the `gapbot` console script: pyproject.toml names the module that holds it (the
console adapter), so the core never imports an adapter."""
import sys
from importlib.metadata import entry_points

(gapbot,) = entry_points(group="console_scripts", name="gapbot")
sys.exit(gapbot.load()())
