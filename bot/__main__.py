"""`python -m bot` is the `gapbot` command. The console is an adapter, so the core only hands over to it."""
import importlib
import sys

sys.exit(importlib.import_module("adapters.cli").main())
