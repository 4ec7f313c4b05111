"""Indexing throughput: the seed files plus recombined articles through Corpus.index(), against the raw model.

Run as a child (`python -m bench.indexing SEED_DB EXTRA_DB ARTICLE_DIR --extra K`): it loads the model first
(its load is not indexing), indexes the seed files into a fresh SEED_DB (which the other benchmarks then use)
and K articles recombined from seed paragraphs into EXTRA_DB,
then encodes the very same sentence texts with the same model in one call. With `--server URL`, SEED_DB and
EXTRA_DB name Postgres databases made anew on that server. Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import sys
import time
from pathlib import Path


def make_articles(seed_db: Path, folder: Path, count: int, *, rng_seed: int = 11) -> list[Path]:
    """Write `count` text articles whose paragraphs are seed paragraphs from different articles, numbers
    moved."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("synthetic-*.txt"):
        old.unlink()
    con = sqlite3.connect(seed_db)
    rows = con.execute("SELECT text FROM passages WHERE kind = 'para' AND length(text) > 120")
    paras = [r[0] for r in rows]
    con.close()
    rng = random.Random(rng_seed)
    out = []
    for k in range(count):
        chosen = rng.sample(paras, min(len(paras), 12))
        body = [re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), p) for p in chosen]
        title = " ".join(chosen[0].split()[:8]).rstrip(",.;:") + f" (report {k + 1})"
        path = folder / f"synthetic-{k + 1:03d}.txt"
        path.write_text(f"**{title}**\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        out.append(path)
    return out


def fresh(db: Path, server: str | None = None) -> str:
    """Remove a database and its WAL files, or with a Postgres server, make database `db` anew there; where it
    is."""
    if server:
        from bench.postgres import fresh as fresh_pg  # lazy: psycopg only for a Postgres run

        return fresh_pg(server, str(db))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return str(db)


def sentence_texts(location: str) -> list[str]:
    """Every sentence's text in id order, from either engine."""
    from corpus.api import open_store

    store = open_store(location)
    try:
        return [r[0] for r in store.db.execute("SELECT text FROM sentences ORDER BY id").fetchall()]
    finally:
        store.close()


def index_once(emb, seed_db: Path, extra_db: Path, folder: Path, extra: int, *,
               server: str | None = None, articles_from: Path | None = None) -> tuple[list, float, list[str]]:
    """Index the seed files into a fresh seed_db and the recombined articles into a fresh extra_db (databases
    on `server` when given); seconds, and the two databases' locations."""
    from corpus.api import Corpus
    from corpus.bundled import seed_paths

    dbs = [fresh(seed_db, server), fresh(extra_db, server)]
    t = time.perf_counter()
    results = Corpus.open(dbs[0], seed=False, embedder=emb).index([str(s) for s in seed_paths()])
    seconds = time.perf_counter() - t
    files = sorted(str(x) for x in folder.glob("synthetic-*.txt"))
    if extra and len(files) != extra:
        files = [str(x) for x in make_articles(articles_from or seed_db, folder, extra)]
    t = time.perf_counter()
    results += Corpus.open(dbs[1], seed=False, embedder=emb).index(files) if extra else []
    return results, seconds + time.perf_counter() - t, dbs


def run(seed_db: Path, extra_db: Path, folder: Path, extra: int, *, rounds: int = 2,
        server: str | None = None, articles_from: Path | None = None) -> dict:
    """Index with a warm model, then time the raw model on the same sentences;
    `rounds` times each, alternating, and the fastest of each is kept (the machine is shared,
    so the slower runs carry other work). With `server`, the databases are Postgres ones there."""
    from corpus.embed import MiniLMEmbedder
    from corpus.extract.entities import nlp

    emb = MiniLMEmbedder()
    t = time.perf_counter()
    emb.encode(["warm up"])
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    nlp()  # spaCy's one-off load is not indexing either
    spacy_s = time.perf_counter() - t
    index_runs, encode_runs = [], []
    for _ in range(rounds):
        results, seconds, dbs = index_once(emb, seed_db, extra_db, folder, extra, server=server,
                                           articles_from=articles_from)
        index_runs.append(seconds)
        texts = [text for db in dbs for text in sentence_texts(db)]
        t = time.perf_counter()
        emb.encode(texts)
        encode_runs.append(time.perf_counter() - t)
    index_s, encode_s = min(index_runs), min(encode_runs)
    added = sum(r.status == "added" for r in results)
    return {"articles": added, "rejected": len(results) - added, "sentences": len(texts),
            "model_load_s": load_s, "spacy_load_s": spacy_s, "index_s": index_s, "encode_s": encode_s,
            "index_runs": index_runs, "encode_runs": encode_runs,
            "articles_per_min": added / index_s * 60, "sentences_per_s": len(texts) / index_s,
            "raw_sentences_per_s": len(texts) / encode_s, "ratio": encode_s / index_s}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the child process."""
    p = argparse.ArgumentParser()
    p.add_argument("seed_db", type=Path)
    p.add_argument("extra_db", type=Path)
    p.add_argument("folder", type=Path, help="where the recombined article files are written")
    p.add_argument("--extra", type=int, default=24, help="recombined articles indexed after the seed files")
    p.add_argument("--server", help="a Postgres server URL: SEED_DB and EXTRA_DB name databases made there")
    p.add_argument("--articles-from", type=Path, help="the SQLite seed database the recombined articles come "
                   "from, when ARTICLE_DIR lacks them (default SEED_DB)")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(json.dumps(run(args.seed_db, args.extra_db, args.folder, args.extra, rounds=args.rounds,
                         server=args.server, articles_from=args.articles_from)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
