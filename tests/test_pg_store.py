"""The Postgres store as workers use it: several `gapbot index` processes on one database give what one would;
an opened database is not seeded twice; an indexer is seen while it runs, on both engines."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from load import article
from test_interrupted_index import ROOT

from corpus.api import Corpus
from corpus.embed import HashEmbedder

N = 12


def _index_at_once(url: str, folders: list[Path]) -> list[tuple[int, str, str]]:
    """`gapbot index FOLDER` for each folder, all at once, on the database at url (GAPBOT_DATABASE_URL)."""
    env = {**os.environ, "GAPBOT_EMBEDDER": "hash", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT),
           "GAPBOT_DATABASE_URL": url}
    env.pop("GAPBOT_DB", None)
    procs = [subprocess.Popen([sys.executable, "-m", "bot", "--no-seed", "index", str(f)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in folders]
    outputs = [p.communicate(timeout=600) for p in procs]
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs)]


def _folder(path: Path, texts: dict[str, str]) -> Path:
    path.mkdir()
    for name, text in texts.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def test_three_indexers_on_one_postgres_database_add_each_article_once(pg_url: str, tmp_path: Path) -> None:
    Corpus.open(pg_url, seed=False, embedder=HashEmbedder()).store.close()  # the schema, before they start
    texts = {f"a{i:02d}.html": article(700 + i) for i in range(N)}
    same = _folder(tmp_path / "news", texts)
    runs = _index_at_once(pg_url, [same, same, same])
    for code, out, err in runs:
        assert code == 0 and "Traceback" not in err and "could not be indexed" not in out, out + err
    statuses = sorted(line.split()[0] for _, out, _ in runs for line in out.splitlines()[:-1])
    assert statuses == ["added"] * N + ["duplicate"] * (2 * N)
    corpus = Corpus.open(pg_url, seed=False, embedder=HashEmbedder())
    assert corpus.count() == N
    assert not corpus.store.derived_stale()
    assert corpus.gap(sized=50, unsized=0).sized_count == N  # one estimate per story, as one indexer gives


def test_an_opened_database_is_not_seeded_again(engine_db: str) -> None:
    first = Corpus.open(engine_db, embedder=HashEmbedder())
    seeded = first.count()
    assert seeded > 0 and first.store.created
    again = Corpus.open(engine_db, embedder=HashEmbedder())
    assert not again.store.created and again.count() == seeded


def test_an_indexer_is_seen_while_it_runs_and_not_after(engine_db: str) -> None:
    corpus = Corpus.open(engine_db, seed=False, embedder=HashEmbedder())
    assert not corpus.store.indexer_running()
    with corpus.store.indexing():
        assert corpus.store.indexer_running()
        assert not corpus.catch_up()  # the indexer rebuilds when it ends
    assert not corpus.store.indexer_running()


def test_an_article_is_found_by_a_unique_prefix_of_its_id(engine_db: str, tmp_path: Path) -> None:
    corpus = Corpus.open(engine_db, seed=False, embedder=HashEmbedder())
    folder = _folder(tmp_path / "one", {"a.html": article(901), "b.html": article(902)})
    added = [r.article_id for r in corpus.index([str(folder)])]
    assert len(added) == 2 and all(added)
    for article_id in added:
        found = corpus.article(article_id[:10])
        assert found is not None and found.id == article_id
    assert corpus.article("") is None
