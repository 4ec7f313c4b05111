"""Every reply on the bundled seeds, byte for byte as recorded: /gap (and by topic),
/who for every seed entity, /ask for every gold question, /sources, /help,
unknown commands and the digest dry-run, as console text, --json, Slack blocks and Discord messages.

A change meant to keep behaviour (a re-cut,
a rename) must leave this recording untouched. A change to answers on purpose regenerates it:
GAPBOT_REGEN_GOLDEN=1 pytest tests/test_seed_replies.py, and the diff goes in the commit.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "tests" / "replies" / "seed_replies.json"


@pytest.fixture(scope="module")
def replies(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The seeds indexed with the real model in a fresh database, and every reply recorded from it."""
    db = tmp_path_factory.mktemp("replies") / "seeds.db"
    # the real model, whatever another test left in the environment
    env = {**{k: v for k, v in os.environ.items() if k != "GAPBOT_EMBEDDER"}, "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "ask", "/help"],
                   check=True, env=env, cwd=ROOT, capture_output=True, timeout=600)
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "replies" / "record.py"), str(db)], check=True,
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if os.environ.get("GAPBOT_REGEN_GOLDEN"):
        RECORDING.write_text(run.stdout, encoding="utf-8")
    return json.loads(run.stdout)


def test_the_recording_covers_every_kind_of_command(replies: dict) -> None:
    recorded = json.loads(RECORDING.read_text(encoding="utf-8"))
    assert set(replies) == set(recorded)
    heads = {case.split()[0] for case in recorded}
    assert {"/gap", "/who", "/ask", "/sources", "/help", "digest"} <= heads


def test_every_seed_reply_is_byte_identical_to_the_recording(replies: dict) -> None:
    recorded = json.loads(RECORDING.read_text(encoding="utf-8"))
    changed = [f"{case} [{form}]" for case, forms in recorded.items() for form in forms
               if replies.get(case, {}).get(form) != forms[form]]
    assert not changed, f"{len(changed)} replies changed, first: {changed[:5]}"
