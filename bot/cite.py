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
    entry per quoted sentence (the JSON contract: each has its number and the exact sentence). The cited
    articles' titles and links are read when the citations are first asked for, in one query for all of them
    (on Postgres a query per article was most of a /who reply's time)."""

    def __init__(self, corpus: "Corpus"):
        self.corpus = corpus
        self._quoted: list[tuple[int, str, str]] = []  # (number, article id, sentence), in citing order
        self._seen: set[tuple[str, str]] = set()
        self._numbers: dict[str, int] = {}
        self._articles: dict[str, "Article | None"] = {}

    def cite(self, article_id: str, quote: str) -> int:
        """The citation number of this sentence: the number of its article."""
        n = self._numbers.setdefault(article_id, len(self._numbers) + 1)
        if (article_id, quote) not in self._seen:
            self._seen.add((article_id, quote))
            self._quoted.append((n, article_id, quote))
        return n

    @property
    def citations(self) -> list[Citation]:
        """One citation per sentence quoted so far, with its article's title, publisher, date and link."""
        missing = [a for a in self._numbers if a not in self._articles]
        if missing:
            found = self.corpus.articles_by_id(missing)
            self._articles.update({a: found.get(a) for a in missing})
        return [self._citation(n, a, quote) for n, a, quote in self._quoted]

    def _citation(self, n: int, article_id: str, quote: str) -> Citation:
        art = self._articles[article_id]
        if art is None:  # removed since it was found: the id stands in for its title
            return Citation(n, article_id, article_id, quote)
        return Citation(n, article_id, art.title, quote, art.publisher, art.date or art.modified, art.url)
