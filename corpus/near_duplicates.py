"""Near-duplicate detection: MinHash signatures over word 5-grams, compared with NumPy."""
from __future__ import annotations

import hashlib
import re

import numpy as np

PERMS = 64
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20240914)
_A = _rng.integers(1, (1 << 61) - 2, PERMS, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 2, PERMS, dtype=np.uint64)
THRESHOLD = 0.8  # estimated Jaccard similarity at which a text is a republished copy


def minhash(text: str, n: int = 5) -> np.ndarray:
    """The MinHash signature (64 uint64) of a text's word n-grams."""
    words = re.findall(r"\w+", text.lower())
    grams = {" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}
    hashes = np.array([int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") >> 3
                       for g in grams], dtype=np.uint64)
    with np.errstate(over="ignore"):
        table = (hashes[:, None] * _A[None, :] + _B[None, :]) % _PRIME
    return table.min(axis=0)


def near_duplicate(db, signature: np.ndarray, *, after: int = 0) -> tuple[str, float] | None:
    """(id, similarity) of the most similar indexed article (past rowid `after`) at or above the threshold."""
    rows = db.execute("SELECT id, minhash FROM articles WHERE minhash IS NOT NULL AND rowid > ?",
                      [after]).fetchall()
    return closest(rows, signature)


def closest(rows: list, signature: np.ndarray) -> tuple[str, float] | None:
    """(id, similarity) of the most similar of the (id, signature blob) rows at or above the threshold."""
    if not rows:
        return None
    sigs = np.vstack([np.frombuffer(r[1], dtype=np.uint64) for r in rows])
    sims = (sigs == signature[None, :]).mean(axis=1)
    best = int(sims.argmax())
    return (rows[best][0], float(sims[best])) if sims[best] >= THRESHOLD else None
