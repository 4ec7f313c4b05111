"""Citation numbers and the cited articles' metadata: every article a reply cites is read in one query, on
both engines, and an id the corpus no longer holds still makes a citation."""
from __future__ import annotations

from pathlib import Path

import pytest
from load import article

from bot.cite import Citer
from corpus.api import Corpus


@pytest.fixture()
def indexed(engine_corpus: Corpus, tmp_path: Path) -> Corpus:
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.html").write_text(article(i), encoding="utf-8")
    engine_corpus.index([str(folder)])
    return engine_corpus


def test_articles_by_id_reads_exact_ids_only(indexed: Corpus) -> None:
    ids = [a.id for a in indexed.articles()]
    found = indexed.articles_by_id([ids[0], ids[2], ids[0], "0000000000", ids[1][:6]])
    assert sorted(found) == sorted([ids[0], ids[2]])  # no prefix match, no unknown id, each once
    assert found[ids[2]].title == indexed.article(ids[2]).title
    assert indexed.articles_by_id([]) == {}


def test_a_reply_reads_every_cited_article_in_one_query(indexed: Corpus,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    arts = indexed.articles()
    asked: list[list[str]] = []
    real = indexed.articles_by_id
    monkeypatch.setattr(indexed, "articles_by_id", lambda ids: asked.append(list(ids)) or real(ids))
    citer = Citer(indexed)
    numbers = [citer.cite(arts[i].id, q) for i, q in ((1, "one"), (0, "two"), (1, "three"), (1, "one"))]
    assert numbers == [1, 2, 1, 1]
    cites = citer.citations
    assert [(c.n, c.quote, c.title) for c in cites] == [
        (1, "one", arts[1].title), (2, "two", arts[0].title), (1, "three", arts[1].title)]
    assert cites[0].url == arts[1].url and asked == [[arts[1].id, arts[0].id]]
    citer.cite(arts[2].id, "four")
    assert citer.citations[-1].title == arts[2].title and asked[1:] == [[arts[2].id]]  # only the new one
    citer.cite("0000000000", "gone")
    assert citer.citations[-1].title == "0000000000"  # an article removed since it was found
