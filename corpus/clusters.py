"""Greedy grouping of texts by the cosine similarity of their embeddings (leader clustering).

Each vector, in the order given, joins the most similar group whose first member (its leader) it is at least
`threshold` similar to, or starts a group of its own. One pass, no model of its own: the vectors come from the
corpus's embedder, so the grouping means what search means by "similar"."""
from __future__ import annotations

import numpy as np


def greedy_groups(vectors: np.ndarray, threshold: float) -> list[list[int]]:
    """Row indices of unit vectors in groups, each group in input order, groups in order of their leaders."""
    groups: list[list[int]] = []
    leaders: list[np.ndarray] = []
    for i, vector in enumerate(vectors):
        scores = np.array([float(leader @ vector) for leader in leaders])
        best = int(scores.argmax()) if len(scores) else -1
        if best >= 0 and scores[best] >= threshold:
            groups[best].append(i)
        else:
            groups.append([i])
            leaders.append(vector)
    return groups
