"""Synthetic corpora of N sentences: seed sentences recombined and perturbed, their real vectors plus noise.

Encoding a million sentences with the model would take hours on this machine,
so the synthetic rows are written straight into a copy of the seed database: articles, passages, sentences,
FTS rows, embeddings, and the derived rows (claims,
entity links) a sentence inherits from the seed sentence it was made from when the claim phrase or entity name
survives the change. The seed articles stay in, so gold answers exist at every size.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

VERSION = 2  # bump when the generator changes, so cached databases are rebuilt (2: fills the answer tables)
CHUNK = 20_000  # sentences written per transaction
NOISE = 0.015  # per-component noise on unit vectors: cosine to the source about 0.95
PUBLISHERS = ["Reuters", "SCMP", "Nikkei Asia", "The Information", "Caixin", "Bloomberg",
              "Wired", "Rest of World"]


@dataclass
class Seed:
    """What the generator draws from: seed sentences, their vectors, and their derived rows."""

    texts: list[str]
    kinds: list[str]
    vectors: np.ndarray
    claims: dict[int, dict]  # seed sentence position -> claim row
    links: dict[int, list[tuple[int, int, list[str]]]]  # position -> [(entity id, direct, names lower)]
    templates: list[list[int]]  # per seed article: sentences per passage
    vocab: list[str] = field(default_factory=list)


def load_seed(db: sqlite3.Connection, model: str) -> Seed:
    """Read the seed corpus the synthetic rows are made from."""
    rows = db.execute("SELECT s.id, s.text, s.kind, e.vector FROM sentences s JOIN embeddings e ON e.hash = "
                      "s.hash AND e.model = ? ORDER BY s.id", [model]).fetchall()
    pos = {r[0]: i for i, r in enumerate(rows)}
    vectors = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32).reshape(len(rows), -1).copy()
    cols = [c[1] for c in db.execute("PRAGMA table_info(claims)")]
    claims = {}
    for r in db.execute("SELECT * FROM claims"):
        claim = dict(zip(cols, r))
        if claim["sentence_id"] in pos:
            claims[pos[claim["sentence_id"]]] = claim
    names = {}
    for eid, name, aliases in db.execute("SELECT id, name, aliases FROM entities"):
        import json

        names[eid] = sorted({n.lower() for n in [name, *json.loads(aliases)] if n})
    links: dict[int, list] = {}
    for eid, sid, direct in db.execute("SELECT entity_id, sentence_id, direct FROM entity_sentences"):
        if sid in pos:
            links.setdefault(pos[sid], []).append((eid, direct, names.get(eid, [])))
    templates = []
    for (aid,) in db.execute("SELECT id FROM articles ORDER BY rowid"):
        counts = [c for (c,) in db.execute("SELECT count(s.id) FROM passages p LEFT JOIN sentences s ON "
                                           "s.passage_id = p.id WHERE p.article_id = ? GROUP BY p.id "
                                           "ORDER BY p.idx", [aid]) if c]
        templates.append(counts)
    texts = [r[1] for r in rows]
    vocab = sorted({w for t in texts for w in re.findall(r"\b[a-z]{5,}\b", t)})
    return Seed(texts, [r[2] for r in rows], vectors, claims, links, templates, vocab)


class Maker:
    """Makes synthetic sentences (text, vector, source positions) from the seed, deterministically."""

    def __init__(self, seed: Seed, rng: np.random.Generator):
        self.seed = seed
        self.rng = rng

    def sentence(self) -> tuple[str, int, int | None, float]:
        """(text, source, second source or None, weight of the second) for one synthetic sentence."""
        n = len(self.seed.texts)
        a = int(self.rng.integers(n))
        if self.rng.random() < 0.5:
            return self._perturb(self.seed.texts[a]), a, None, 0.0
        b = int(self.rng.integers(n))
        wa, wb = self.seed.texts[a].split(), self.seed.texts[b].split()
        if len(wa) < 4 or len(wb) < 4:
            return self._perturb(self.seed.texts[a]), a, None, 0.0
        i = int(self.rng.integers(2, len(wa) - 1))
        j = int(self.rng.integers(1, len(wb) - 2))
        return " ".join(wa[:i] + wb[j:]), a, b, (len(wb) - j) / (i + len(wb) - j)

    def _perturb(self, text: str) -> str:
        """Change a number and swap one word, so the copy is a new sentence with nearly the same meaning."""
        text = re.sub(r"\d+", lambda m: str(int(m.group()) + int(self.rng.integers(1, 9))), text, count=1)
        words = text.split(" ")
        k = int(self.rng.integers(len(words)))
        if self.seed.vocab and re.fullmatch(r"[a-z]{5,}", words[k]):
            words[k] = self.seed.vocab[int(self.rng.integers(len(self.seed.vocab)))]
        return " ".join(words)

    def vectors(self, a: np.ndarray, b: np.ndarray, wb: np.ndarray) -> np.ndarray:
        """Unit vectors near the mix of the sources' real vectors."""
        v = self.seed.vectors[a] * (1 - wb)[:, None]
        has_b = b >= 0
        v[has_b] += self.seed.vectors[b[has_b]] * wb[has_b][:, None]
        v += self.rng.standard_normal(v.shape, dtype=np.float32) * NOISE
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def build(seed_db: Path, out: Path, sentences: int, *, model: str, rng_seed: int = 7,
          log=print) -> dict:
    """Copy seed_db to out and grow it to about `sentences` sentences; returns counts and timings."""
    t0 = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(seed_db)
    dst = sqlite3.connect(tmp, isolation_level=None)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA journal_mode = OFF")
    dst.execute("PRAGMA synchronous = OFF")
    _migrate(dst)
    seed = load_seed(dst, model)
    have = dst.execute("SELECT count(*) FROM sentences").fetchone()[0]
    writer = Writer(dst, Maker(seed, np.random.default_rng(rng_seed)))
    while have < sentences:
        have += writer.chunk(min(CHUNK, sentences - have))
        log(f"  synth {out.name}: {have:,}/{sentences:,} sentences, {time.perf_counter() - t0:.0f} s")
    answers_s = writer.finish()
    dst.execute("PRAGMA journal_mode = WAL")
    dst.close()
    tmp.replace(out)
    counts = {t: n for t, n in _counts(out).items()}
    counts["build_s"] = round(time.perf_counter() - t0, 1)
    counts["answers_s"] = round(answers_s, 2)
    return counts


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the copied seed database's schema up to date (a seed built before the newest migration)."""
    from corpus.context import anaphoric
    from corpus.store import migrate

    db.create_function("anaphoric", 1, anaphoric, deterministic=True)
    migrate(db)


def fingerprint(path: Path) -> str:
    """A short hash of what the generator reads from a seed database (texts, claims, entity links)."""
    con = sqlite3.connect(path)
    try:
        h = hashlib.sha1()
        for sql in ("SELECT hash FROM sentences ORDER BY id",
                    "SELECT quote, low_years, high_years, speaker, dimension FROM claims ORDER BY id",
                    "SELECT entity_id, sentence_id FROM entity_sentences ORDER BY 1, 2",
                    "SELECT name, aliases FROM entities ORDER BY id"):
            for row in con.execute(sql):
                h.update(repr(row).encode())
        return h.hexdigest()[:10]
    finally:
        con.close()


def _counts(path: Path) -> dict:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "sentences", "claims", "entity_sentences")}
    finally:
        con.close()


class Writer:
    """Writes synthetic articles chunk by chunk, in one transaction each."""

    def __init__(self, db: sqlite3.Connection, maker: Maker):
        self.db = db
        self.maker = maker
        self.rng = maker.rng
        self.n_articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        self.next_sid = (db.execute("SELECT max(id) FROM sentences").fetchone()[0] or 0) + 1
        self.next_pid = (db.execute("SELECT max(id) FROM passages").fetchone()[0] or 0) + 1
        self.model = db.execute("SELECT model FROM embeddings LIMIT 1").fetchone()[0]

    def chunk(self, n: int) -> int:
        """Write whole articles until at least min(n, one article) sentences are added; returns how many."""
        rows = _Rows()
        while rows.count < n:
            self._article(rows, n - rows.count)
        self._vectors(rows)
        self._insert(rows)
        return rows.count

    def _article(self, rows: _Rows, room: int) -> None:
        seed = self.maker.seed
        template = seed.templates[int(self.rng.integers(len(seed.templates)))]
        self.n_articles += 1
        aid = hashlib.sha1(f"synthetic-{self.n_articles}".encode()).hexdigest()[:10]
        first = self.maker.sentence()[0]
        title = " ".join(first.split()[:9]).rstrip(",.;:")
        year = 2023 + int(self.rng.integers(3))
        month = 1 + int(self.rng.integers(12))
        day = 1 + int(self.rng.integers(28))
        date = f"{year}-{month:02d}-{day:02d}"
        paras: list[str] = []
        pos, idx = 0, 0
        for pi, count in enumerate(template):
            if idx >= room and paras:
                break
            made = [self.maker.sentence() for _ in range(count)]
            texts = [m[0] for m in made]
            para = " ".join(texts)
            pid = self.next_pid
            self.next_pid += 1
            kind = "para" if count > 1 else seed.kinds[made[0][1]]
            rows.passages.append((pid, aid, pi, kind, pos, pos + len(para), para))
            off = pos
            for text, a, b, wb in made:
                sid = self.next_sid
                self.next_sid += 1
                h = hashlib.sha1(text.encode()).hexdigest()
                rows.sentences.append((sid, aid, pid, idx, kind, off, off + len(text), text, title, h))
                rows.sources.append((a, -1 if b is None else b, wb))
                self._derived(rows, sid, aid, date, text, [a] if b is None else [a, b])
                off += len(text) + 1
                idx += 1
            paras.append(para)
            pos += len(para) + 2
        body = "\n\n".join(paras)
        publisher = PUBLISHERS[int(self.rng.integers(len(PUBLISHERS)))]
        rows.articles.append((aid, title, publisher, None, date, None, None, None,
                              f"synthetic:{self.n_articles}",
                              hashlib.sha256((aid + body).encode()).hexdigest(), None, body, "[]",
                              f"{date}T00:00:00+00:00"))

    def _derived(self, rows: _Rows, sid: int, aid: str, date: str, text: str, sources: list[int]) -> None:
        low = text.lower()
        for src in sources:
            claim = self.maker.seed.claims.get(src)
            if claim and claim["phrase"].lower() in low:
                rows.claims.append((aid, sid, claim["low_years"], claim["high_years"], claim["phrase"],
                                    claim["direction"], claim["dimension"],
                                    claim["speaker"], claim["affiliation"], text, date))
            for eid, direct, names in self.maker.seed.links.get(src, []):
                if any(n in low for n in names):
                    rows.links[(eid, sid)] = (eid, sid, aid, direct)

    def _vectors(self, rows: _Rows) -> None:
        src = np.array(rows.sources, dtype=np.float64)
        vecs = self.maker.vectors(src[:, 0].astype(np.int64), src[:, 1].astype(np.int64),
                                  src[:, 2].astype(np.float32))
        rows.embeddings = [(s[9], self.model, v.tobytes()) for s, v in zip(rows.sentences, vecs)]

    def _insert(self, rows: _Rows) -> None:
        db = self.db
        db.execute("BEGIN")
        db.executemany("INSERT INTO articles(id, title, publisher, author, date, modified, url, "
                       "canonical_url, source, text_hash, minhash, body, summary, added_at) VALUES "
                       "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       rows.articles)
        db.executemany('INSERT INTO passages(id, article_id, idx, kind, start, "end", text) VALUES '
                       '(?,?,?,?,?,?,?)',
                       rows.passages)
        db.executemany('INSERT INTO sentences(id, article_id, passage_id, idx, kind, start, "end", text, '
                       'context, '
                       "hash) VALUES (?,?,?,?,?,?,?,?,?,?)", rows.sentences)
        db.executemany("INSERT INTO sentences_fts(rowid, text, context) VALUES (?,?,?)",
                       [(s[0], s[7], s[8]) for s in rows.sentences])
        db.executemany("INSERT OR IGNORE INTO embeddings(hash, model, vector) VALUES (?,?,?)",
                       rows.embeddings)
        db.executemany("INSERT INTO claims(article_id, sentence_id, low_years, high_years, phrase, "
                       "direction, dimension, speaker, affiliation, quote, date) VALUES "
                       "(?,?,?,?,?,?,?,?,?,?,?)", rows.claims)
        db.executemany("INSERT OR IGNORE INTO entity_sentences(entity_id, sentence_id, article_id, direct) "
                       "VALUES (?,?,?,?)", list(rows.links.values()))
        db.execute("COMMIT")

    def finish(self) -> float:
        """Refresh entity counts, bump the generation so answering processes reload,
        and fill the answer tables /who and /gap read,
        as indexing does after a batch; returns the seconds the answer tables took."""
        self.db.execute("UPDATE entities SET article_count = (SELECT count(DISTINCT article_id) FROM "
                        "entity_sentences es WHERE es.entity_id = entities.id), mention_count = (SELECT "
                        "count(*) FROM entity_sentences es WHERE es.entity_id = entities.id)")
        self.db.execute("INSERT INTO meta(key, value) VALUES ('generation', 1) ON CONFLICT(key) "
                        "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        self.db.execute("PRAGMA optimize")
        from corpus.extract.answers import refresh
        from corpus.store import articles_version, stamp_derived

        # the entity links were generated with the articles: mark them current,
        # or the first open would rebuild them from the seed's mentions alone
        # (corpus/store.py, migration 0007)
        stamp_derived(self.db, articles_version(self.db))
        t = time.perf_counter()
        refresh(self.db)
        return time.perf_counter() - t


@dataclass
class _Rows:
    articles: list = field(default_factory=list)
    passages: list = field(default_factory=list)
    sentences: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    links: dict = field(default_factory=dict)
    embeddings: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sentences)
