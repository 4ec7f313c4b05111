"""Numbered citations: each article cited gets one number, and every sentence quoted from it carries it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.reply import Citation

if TYPE_CHECKING:
    from corpus.api import Corpus
    from corpus.models import Article


class Citer:
    """Hands out citation numbers per article, in the order articles are first cited.

    A reply lists one source line per article however many of its sentences it quotes; `citations` keeps one
    entry per quoted sentence (the JSON contract: each has its number and the exact sentence)."""

    def __init__(self, corpus: "Corpus"):
        self.corpus = corpus
        self.citations: list[Citation] = []
        self._seen: set[tuple[str, str]] = set()
        self._numbers: dict[str, int] = {}
        self._articles: dict[str, "Article | None"] = {}

    def cite(self, article_id: str, quote: str) -> int:
        """The citation number of this sentence: the number of its article."""
        n = self._numbers.setdefault(article_id, len(self._numbers) + 1)
        if (article_id, quote) not in self._seen:
            self._seen.add((article_id, quote))
            art = self._article(article_id)
            self.citations.append(Citation(n, article_id, art.title if art else article_id, quote,
                                           art.publisher if art else None,
                                           (art.date or art.modified) if art else None,
                                           art.url if art else None))
        return n

    def _article(self, article_id: str) -> "Article | None":
        if article_id not in self._articles:
            self._articles[article_id] = self.corpus.article(article_id)
        return self._articles[article_id]
