"""Answer quality on the development set (real articles from other publishers, kept outside the repository),
scored by the project's scoring tool exactly as gapbot is judged;
skipped when shared/ is not beside the repo."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import DEV_PATH, ROOT

SCORE = DEV_PATH.parent.parent / "tools" / "score.py"
# the quality targets gapbot meets on this set (gap_spurious at most 0.1 is checked through MAX_SPURIOUS)
NEED = {"gap_found": 0.9, "gap_exact": 0.85, "gap_speaker": 0.9, "gap_direction": 0.9,
        "who_must_mention": 0.9, "ask_top1": 0.85, "ask_top5": 0.95, "ask_answered": 0.95,
        "unanswerable_refused": 0.9}


@pytest.fixture(scope="module")
def dev_db(dev_gold, tmp_path_factory):
    """The dev articles indexed into a new database through the CLI."""
    folder = tmp_path_factory.mktemp("dev")
    gapbot = folder / "gapbot"
    gapbot.write_text(f"#!/bin/sh\ncd {ROOT} && exec {sys.executable} -m bot \"$@\"\n")
    gapbot.chmod(0o755)
    db = folder / "dev.db"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    subprocess.run([str(gapbot), "--db", str(db), "--no-seed", "index", str(DEV_PATH / "articles")],
                   check=False, capture_output=True, env=env, timeout=900)
    return gapbot, db, env


def test_dev_set_answers_meet_their_targets(dev_db):
    gapbot, db, env = dev_db
    p = subprocess.run([sys.executable, str(SCORE), "answers", str(gapbot), str(db),
                        str(DEV_PATH / "gold.json")],
                       capture_output=True, text=True, env={**env,
                                                            "NEED": json.dumps(NEED), "MAX_SPURIOUS": "0.1"},
                       timeout=900)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    assert "gap_traps 0/" in p.stdout


def test_dev_set_bodies_start_and_end_on_their_first_and_last_sentence(dev_db):
    gapbot, db, env = dev_db
    p = subprocess.run([sys.executable, str(SCORE), "corpus", str(gapbot), str(db),
                        str(DEV_PATH / "gold.json")],
                       capture_output=True, text=True, env={**env, "NEED_BODIES": "10"}, timeout=900)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
