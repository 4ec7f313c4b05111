"""Extractive summaries: the most central sentences by embedding similarity, redundancy removed."""
from __future__ import annotations

import re

import numpy as np


def summarize(texts: list[str], vectors: np.ndarray, kinds: list[str], *,
              redundancy: float = 0.75) -> list[str]:
    """Two or three central body sentences (LexRank-style degree centrality), in article order."""
    ok = [i for i, (t, k) in enumerate(zip(texts, kinds)) if k == "para" and _whole(t)]
    if not ok:
        return []
    want = 3 if len(ok) >= 12 else 2
    v = vectors[ok]
    sim = v @ v.T
    centrality = (sim - np.eye(len(ok))).clip(min=0).sum(axis=1)
    chosen: list[int] = []
    for j in np.argsort(-centrality):
        if all(sim[j, c] < redundancy for c in chosen):
            chosen.append(int(j))
        if len(chosen) == want:
            break
    return [texts[ok[j]] for j in sorted(chosen)]


def _whole(text: str) -> bool:
    """A complete, self-standing sentence: long enough, capitalised, properly ended, no dangling pronoun."""
    words = text.split()
    if not 8 <= len(words) <= 60 or not re.search(r"[.!?][\"'”’)]*$", text):
        return False
    if re.match(r"^(he|she|they|it|this|that|these|those|but|and|however)\b", text, re.I):
        return False
    if re.search(r"\b(?:he|she|they)\s+(?:said|says|added|adds|noted|explained)\b", text, re.I):
        return False  # "..., he said": the speaker is named elsewhere
    if text.count("“") != text.count("”") or text.count('"') % 2:
        return False  # part of a quotation that runs over several sentences
    return text[0].isupper() or text[0] in "“\""
