"""Settings from a `.env` file: KEY=value lines put into the environment, never over one set already."""
from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def parse(text: str) -> dict[str, str]:
    """KEY=value pairs of a .env text; comments, blank and malformed lines are skipped."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m is None or line.lstrip().startswith("#"):
            continue
        out[m[1]] = _value(m[2])
    return out


def _value(raw: str) -> str:
    # quoted values keep everything inside the quotes; unquoted ones end at a " #" comment
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return re.split(r"\s+#", raw, maxsplit=1)[0]


def load(path: str | Path = ".env", environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Set the file's variables that are not set already (real environment variables win); returns the names.

    Empty values are skipped too, so the blank lines of a copied .env.example change nothing."""
    env = os.environ if environ is None else environ
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    values = {k: v for k, v in parse(text).items() if v and k not in env}
    env.update(values)
    return list(values)
