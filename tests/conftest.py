"""Shared fixtures: the gold file, and a seeded database built once with the real embedding model."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The seed articles ship with gapbot, so their hand-checked truth ships with its tests and always runs.
GOLD_PATH = ROOT / "tests" / "fixtures" / "seed_gold.json"
# Real articles from other publishers stay outside the repository; their tests run when shared/ is beside it.
DEV_PATH = ROOT.parent / "shared" / "eval" / "dev"


@pytest.fixture(scope="session")
def gold() -> dict:
    """The hand-checked truth for the bundled seed articles."""
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def dev_gold() -> dict:
    """The development set's truth (skips when shared/eval/dev is not beside the repository)."""
    if not (DEV_PATH / "gold.json").exists():
        pytest.skip("shared/eval/dev is not beside the repository")
    return json.loads((DEV_PATH / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """A corpus of the bundled seeds, indexed with the real all-MiniLM-L6-v2 model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from corpus.embed import MiniLMEmbedder
    from corpus.index import Corpus

    return Corpus.open(tmp_path_factory.mktemp("seeded") / "gapbot.db", embedder=MiniLMEmbedder())


def one_article_corpus(folder: Path, article: Path):
    """A corpus of one fixture article alone, indexed with the real model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from corpus.embed import MiniLMEmbedder
    from corpus.index import Corpus

    c = Corpus.open(folder / "one.db", seed=False, embedder=MiniLMEmbedder())
    [r] = c.index([str(article)])
    assert r.status == "added", r.reason
    return c


@pytest.fixture()
def fake_corpus(tmp_path):
    """An empty corpus with the deterministic hash embedder (no model)."""
    from corpus.embed import HashEmbedder
    from corpus.index import Corpus

    return Corpus.open(tmp_path / "t.db", seed=False, embedder=HashEmbedder())


def ask(corpus, text: str):
    """Send one command through the core, as a user would type it."""
    from bot.core import handle
    from bot.reply import Request

    return handle(Request(text), corpus)
