"""The read side of a corpus's storage, as a protocol: what the bot's questions need from the stored tables.

Every method takes plain values and returns plain values or the dataclasses of corpus.models, so a second
storage engine (Postgres, issue 16) plugs in by implementing this protocol; corpus/sqlite_reader.py is the
SQLite one. What is not storage (resolving a typed name, the /gap summary of a topic) lives in
corpus/queries.py, written once over this protocol."""
from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from corpus.models import Article, Claim, Entity, Fact, GapOverview, Profile


class CorpusReader(Protocol):
    """Reads the articles, claims, entities and sentences a corpus stores."""

    # --- articles -------------------------------------------------------------------------------------------
    def articles(self, *, since: str | None = None, limit: int | None = None) -> list[Article]:
        """Indexed articles, newest first (by publication date, then by when added; undated ones last)."""
        ...

    def article(self, article_id: str) -> Article | None:
        """One article by id (a unique prefix of the id also works)."""
        ...

    def articles_by_id(self, article_ids: Collection[str]) -> dict[str, Article]:
        """The articles with these exact ids, in one query (ids not indexed are left out)."""
        ...

    def count(self) -> int:
        """How many articles are indexed."""
        ...

    def article_list(self) -> list[dict]:
        """Every article's metadata (id, title, publisher, date, url, added_at), newest first."""
        ...

    def article_text(self, article_id: str) -> str:
        """An article's title and body, as one text ("" for an unknown id)."""
        ...

    # --- gap claims -----------------------------------------------------------------------------------------
    def claims(self, *, article_id: str | None = None, sized: bool | None = None, topic: str | None = None,
               limit: int | None = None) -> list[Claim]:
        """Gap claims (all, one article's, only sized ones, about a topic), newest first."""
        ...

    def gap_overview(self, *, sized: int, unsized: int) -> GapOverview | None:
        """The summary of every claim with the newest `sized`/`unsized` ones, when kept ready (else None)."""
        ...

    def topic_claims(self, topic: str, *, sized_limit: int, unsized_limit: int) -> GapOverview:
        """The newest claims whose dimension or sentence has the topic's words; their count, range, median."""
        ...

    # --- entities -------------------------------------------------------------------------------------------
    def entities_with_keys(self, keys: list[str]) -> list[Entity]:
        """Entities with one of these name keys (corpus.extract.entities.name_key), most mentioned first."""
        ...

    def people_with_name(self, word: str, *, limit: int) -> list[Entity]:
        """People one of whose names is this word (any case), most mentioned first."""
        ...

    def names_by_mentions(self, *, limit: int) -> list[str]:
        """Entity names, most mentioned first."""
        ...

    def names_and_aliases(self) -> list[tuple[str, list[str]]]:
        """Every entity's name and aliases, most mentioned first."""
        ...

    def entities_for(self, article_id: str, *, limit: int = 8) -> list[str]:
        """The notable entities an article names, most mentioned first."""
        ...

    def profile(self, entity: Entity) -> Profile:
        """An entity's most informative sentences and the sized gap claims about it."""
        ...

    # --- sentences ------------------------------------------------------------------------------------------
    def sentences_with_words(self, words: list[str], *, limit: int | None) -> list[Fact]:
        """Sentences that may contain the words as a phrase (a superset: the caller checks punctuation), in
        id order; every one when limit is None."""
        ...

    def names_word(self, word: str) -> bool:
        """Whether some sentence, title or publisher contains the word."""
        ...

    def surroundings(self, sentence_id: int) -> list[str]:
        """What surrounds a sentence: the paragraph before its own, and its context with its publisher."""
        ...

    def sentences_near(self, sentence_id: int, *, before: int, after: int) -> list[Fact]:
        """The sentence with up to `before` sentences of its article before it and `after` after, in order
        (empty if there is no such sentence)."""
        ...

    def sentence_counts(self, token_sets: list[list[str]]) -> tuple[int, list[int]]:
        """How many sentences there are, and how many have every token of each set in their own text."""
        ...
