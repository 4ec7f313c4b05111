"""`gapbot report`: refused and voted-down questions from both platforms, grouped by meaning with the real
embedding model (the grouping is the point, so no stand-in)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core import handle
from bot.reply import Request
from bot.report import lines, report
from corpus.answer_log import DOWN

ARTICLE = Path(__file__).parent / "fixtures" / "scrapes" / "robotics_fair.txt"  # written for the tests
BREAKFAST = ("what did the lunar rover team eat for breakfast?",
             "what breakfast did the lunar rover crew have?")
CHESS = "who won the underwater chess tournament in Oslo?"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from corpus.api import Corpus
    from corpus.embed import MiniLMEmbedder

    corpus = Corpus.open(tmp_path_factory.mktemp("report") / "r.db", seed=False, embedder=MiniLMEmbedder())
    [result] = corpus.index([str(ARTICLE)])
    assert result.status == "added", result.reason
    return corpus


def asked(corpus, text: str, platform: str, channel: str) -> str:
    reply = handle(Request(text, platform=platform, user="u1", channel=channel), corpus)
    assert reply.answer_id is not None
    return reply.answer_id


def test_refused_questions_from_both_platforms_are_grouped_by_meaning(corpus) -> None:
    first = asked(corpus, f"/ask {BREAKFAST[0]}", "slack", "C1")
    second = asked(corpus, f"/ask {BREAKFAST[1]}", "discord", "200")
    chess = asked(corpus, f"/ask {CHESS}", "slack", "C2")
    asked(corpus, "/help", "slack", "C1")  # not a question to the articles
    asked(corpus, "/ask", "slack", "C1")  # a usage error
    good = asked(corpus, "/ask how far behind are robot makers in motion control?", "discord", "200")
    assert not any(corpus.answer_log.get(a).answered for a in (first, second, chess))
    corpus.answer_log.vote(good, "u2", DOWN, at="2030-01-01T00:00:00+00:00")

    groups = [g.to_json() for g in report(corpus, since="", limit=10)]
    assert [sorted(g["answer_ids"]) for g in groups] == [sorted([first, second]), [good], [chess]]
    breakfast = groups[0]
    assert breakfast["count"] == 2 and breakfast["refused"] == 2 and breakfast["down_votes"] == 0
    assert breakfast["platforms"] == ["discord", "slack"]
    assert breakfast["channels"] == ["discord:200", "slack:C1"]
    assert set(breakfast["examples"]) == {f"/ask {q}" for q in BREAKFAST}
    assert groups[1]["down_votes"] == 1 and groups[1]["refused"] == 0

    text = "\n".join(lines(report(corpus, since="", limit=1)))
    assert text.count("also:") == 1 and "2 asked, 2 refused" in text and CHESS not in text
    assert report(corpus, since="2999-01-01", limit=10) == []


def test_greedy_groups_join_the_most_similar_leader_at_the_threshold() -> None:
    import numpy as np

    from corpus.clusters import greedy_groups

    def unit(*xs: float) -> np.ndarray:
        v = np.array(xs, dtype=np.float32)
        return v / np.linalg.norm(v)

    vectors = np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(0.8, 0.6, 0), unit(0.2, 1, 0), unit(0, 0, 1)])
    # 0.8 to the first leader joins it (not 0.6 to the second); 0.98 to the second; the last one is alone
    assert greedy_groups(vectors, 0.75) == [[0, 2], [1, 3], [4]]
    assert greedy_groups(vectors, 0.99) == [[0], [1], [2], [3], [4]]
    assert greedy_groups(vectors[:0], 0.75) == []
