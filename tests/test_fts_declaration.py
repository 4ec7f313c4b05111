"""The sentences' full-text table is found by tools that read its declaration (Datasette, sqlite-utils)."""
from __future__ import annotations

import sqlite_utils


def test_sqlite_utils_finds_the_full_text_table_and_searches_it(fake_corpus, tmp_path):
    page = tmp_path / "a.txt"
    page.write_text("Chip rules tighten\n\n" + "\n\n".join(
        f"Paragraph {i}: lithography machines remain the hardest part of the supply chain to replace, "
        f"engineers at several firms said this week." for i in range(5)) + "\n", encoding="utf-8")
    fake_corpus.index([str(page)])
    db = sqlite_utils.Database(fake_corpus.path)
    assert db["sentences"].detect_fts() == "sentences_fts"
    hits = list(db["sentences"].search("lithography"))
    assert len(hits) == 5 and all("lithography" in h["text"] for h in hits)
