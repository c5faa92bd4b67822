"""Quantised ONNX encoder on onnxruntime: fast tokenizer, length-bucketed batches, optional task heads."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MAX_SEQ_TOKENS = 128
# A batch holds at most this many (padded) tokens: short comments go in big batches, long ones in small.
TOKENS_PER_BATCH = 4096
MAX_BATCH = 256


class OnnxEncoder:
    """Runs an exported encoder graph: outputs `embedding` and, for the fine-tuned model, head logits."""

    def __init__(self, model_path: Path, tokenizer_path: Path, *, name: str | None = None, threads: int = 2) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.outputs = [o.name for o in self.session.get_outputs()]
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_SEQ_TOKENS)
        self.name = name or str(model_path)
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.run(texts)["embedding"]

    def run(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """All graph outputs for `texts`, in input order."""
        n = len(texts)
        if n == 0:
            return {"embedding": np.zeros((0, self.dim), dtype=np.float32)}
        encodings = self.tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        out: dict[str, np.ndarray] = {}
        start = 0
        while start < n:
            size = 1
            # grow the batch while the padded block stays under the token budget
            while (start + size < n and size < MAX_BATCH
                   and lengths[order[start + size]] * (size + 1) <= TOKENS_PER_BATCH):
                size += 1
            idx = order[start : start + size]
            longest = int(lengths[idx].max())
            ids = np.zeros((len(idx), longest), dtype=np.int64)
            mask = np.zeros((len(idx), longest), dtype=np.int64)
            for row, i in enumerate(idx):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            values = self.session.run(self.outputs, {"input_ids": ids, "attention_mask": mask})
            for name, value in zip(self.outputs, values, strict=True):
                if name not in out:
                    out[name] = np.zeros((n, value.shape[-1]), dtype=np.float32)
                out[name][idx] = value
            start += size
        return out
