"""Sentence encoders: text -> L2-normalised embedding rows, batched by length."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from moderation.classifier.settings import offline_hub

logger = logging.getLogger(__name__)

# Comments are short; 128 word pieces cover all but the longest, and attention cost grows with length.
MAX_SEQ_TOKENS = 128
BATCH_SIZE = 64


class Encoder(Protocol):
    """Maps texts to fixed-size, L2-normalised float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEncoder:
    """The plain sentence-transformers model (PyTorch, CPU): the reference path and the training path."""

    def __init__(self, path: str, *, threads: int | None = 2) -> None:
        offline_hub()
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.name = path
        self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.model.max_seq_length = MAX_SEQ_TOKENS
        self.dim = int(self.model.get_embedding_dimension() or 384)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # sentence-transformers sorts by length internally, so batches are already length-bucketed.
        out = self.model.encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(out, dtype=np.float32)


class HashingEncoder:
    """Deterministic character-trigram hashing into `dim` dimensions: no model files, for tests and dry runs."""

    def __init__(self, dim: int = 256) -> None:
        self.name = f"hashing:{dim}"
        self.dim = dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import zlib

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"  {text.lower()}  "
            for i in range(len(padded) - 2):
                h = zlib.crc32(padded[i : i + 3].encode("utf-8"))
                out[row, h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


def make_encoder(spec: str) -> Encoder:
    """`hashing:DIM` for the model-free encoder, anything else is a sentence-transformers name or path."""
    if spec.startswith("hashing:"):
        return HashingEncoder(int(spec.split(":", 1)[1]))
    return SentenceTransformerEncoder(spec)
