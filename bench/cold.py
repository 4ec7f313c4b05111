"""Cold start: a new `gapbot ask` process, from start to its first byte of reply, and what it imported."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("torch", "sentence_transformers", "transformers", "spacy")
PROBE = ("import sys, atexit\n"
         "atexit.register(lambda: sys.stderr.write('\\nHEAVY ' + ','.join(m for m in {heavy!r} "
         "if m in sys.modules) + '\\n'))\n"
         "from adapters.cli import main\n"
         "sys.exit(main(sys.argv[1:]))\n")


def gapbot() -> str:
    """The gapbot console script of this interpreter's environment."""
    return str(Path(sys.executable).with_name("gapbot"))


def first_reply(argv: list[str], env: dict) -> tuple[float, float, str]:
    """(seconds to first stdout byte, seconds to exit, stderr) of one process."""
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    proc.stdout.read(1)
    first = time.perf_counter() - t
    _, err = proc.communicate()
    return first, time.perf_counter() - t, err.decode(errors="replace")


def measure(db: str, text: str, *, runs: int) -> dict:
    """Median cold start of `gapbot --db DB ask TEXT` over runs, and the heavy modules it imported."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    firsts, exits = [], []
    for _ in range(runs):
        f, e, _ = first_reply([gapbot(), "--db", db, "ask", text], env)
        firsts.append(f)
        exits.append(e)
    _, _, err = first_reply([sys.executable, "-c", PROBE.format(heavy=HEAVY), "--db", db, "ask", text], env)
    heavy = next((ln[6:].strip() for ln in err.splitlines() if ln.startswith("HEAVY ")), "?")
    return {"command": text, "runs": runs, "first_byte_s": statistics.median(firsts), "min_s": min(firsts),
            "exit_s": statistics.median(exits), "heavy_imports": heavy.split(",") if heavy else []}
