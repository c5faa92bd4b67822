"""Sharing the classifier's sentence encoder: retrieval reuses the embeddings classification just computed."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

CACHE_SIZE = 4096  # a few worker batches: the worker grounds a batch right after classifying it


class RememberingEncoder:
    """Wraps an encoder and keeps its last outputs per prepared text, row by row, so that grounding a batch the
    classifier has just encoded costs no second pass through the model. Outputs are identical either way."""

    def __init__(self, inner: Any, size: int = CACHE_SIZE) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.size = size
        self._rows: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()  # classification and grounding run in worker threads
        self.hits = 0

    def __getattr__(self, name: str) -> Any:  # anything else the classifier asks of its encoder
        return getattr(self.inner, name)

    def run(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        with self._lock:
            known = {text: self._rows[text] for text in texts if text in self._rows}
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        fresh: dict[str, dict[str, np.ndarray]] = {}
        if missing:
            run = getattr(self.inner, "run", None)
            outputs = run(missing) if run is not None else {"embedding": self.inner.encode(missing)}
            fresh = {text: {key: value[i] for key, value in outputs.items()} for i, text in enumerate(missing)}
            with self._lock:
                for text, row in fresh.items():
                    self._rows[text] = row
                    self._rows.move_to_end(text)
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        self.hits += len(texts) - len(missing)
        rows = [known.get(text) or fresh[text] for text in texts]
        if not rows:
            return {"embedding": np.zeros((0, self.dim), dtype=np.float32)}
        return {key: np.stack([row[key] for row in rows]) for key in rows[0]}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.run(texts)["embedding"]
