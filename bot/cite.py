"""Numbered citations: each distinct quoted sentence gets a number, with its article's details."""
from __future__ import annotations

from typing import TYPE_CHECKING

from bot.reply import Citation

if TYPE_CHECKING:
    from corpus.index import Corpus


class Citer:
    """Hands out citation numbers, reusing the number of a sentence already cited."""

    def __init__(self, corpus: "Corpus"):
        self.corpus = corpus
        self.citations: list[Citation] = []
        self._seen: dict[tuple[str, str], int] = {}
        self._articles: dict = {}

    def cite(self, article_id: str, quote: str) -> int:
        """The number of the citation for this sentence of this article."""
        k = (article_id, quote)
        if k not in self._seen:
            art = self._articles.get(article_id) or self.corpus.article(article_id)
            self._articles[article_id] = art
            n = len(self.citations) + 1
            self.citations.append(Citation(n, article_id, art.title if art else article_id, quote,
                                           art.publisher if art else None,
                                           (art.date or art.modified) if art else None, art.url if art else None))
            self._seen[k] = n
        return self._seen[k]
