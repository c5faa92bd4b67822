"""`--tune-encoder`: fine-tune a copy of the stock sentence encoder on the custom intents' own examples.

The plain `--intents` head fits a logistic regression over fixed features in about a second. This opt-in mode
first moves the encoder itself towards the examples, as SetFit does: the stock all-MiniLM-L6-v2 (PyTorch,
CPU) is trained so that the cosine of two examples is 1 for the same intent and 0 for different ones (pairs
taken inside intent-balanced batches), then the same logistic head is fitted over [n-grams, tuned
embedding]. Far slower than the plain head (one 32-text step is seconds of CPU; ≈350 steps for 770 examples);
bench.classifier_accuracy --tuned-draws/--tuned-full measures it on Banking77. The shipped ONNX
encoder is untouched: toxicity and sentiment still come from it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from moderation.classifier.settings import offline_hub
from moderation.classifier.text import encoder_text

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


def _noop(step: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class TuneConfig:
    """Hyperparameters: SetFit's usual settings scaled to a CPU budget, set before any measurement (not tuned
    on the Banking77 test split)."""

    target_steps: int = 300  # epochs = enough passes to reach about this many optimiser steps...
    min_epochs: int = 2  # ...but never fewer than this...
    max_epochs: int = 12  # ...nor more than this
    per_class: int = 4  # a batch holds `per_class` examples of each of several intents (positive pairs)
    batch_size: int = 32
    lr: float = 3e-5
    warmup: float = 0.1
    max_tokens: int = 64
    weight_decay: float = 0.01
    seed: int = 13
    threads: int = 2

    def epochs(self, n_examples: int) -> int:
        steps_per_epoch = max(1, math.ceil(n_examples / self.batch_size))
        wanted = math.ceil(self.target_steps / steps_per_epoch)
        return int(min(self.max_epochs, max(self.min_epochs, wanted)))


class TunedEncoder:
    """A fine-tuned PyTorch sentence encoder: mean pooling, L2-normalised rows (the Encoder protocol)."""

    def __init__(self, model, tokenizer, *, name: str, max_tokens: int) -> None:  # noqa: ANN001
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.max_tokens = max_tokens
        self.dim = int(model.config.hidden_size)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), 128):
                idx = order[start : start + 128]
                batch = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                       max_length=self.max_tokens, return_tensors="pt")
                out[idx] = embed_batch(self.model, batch).numpy()
        return out


def embed_batch(model, batch):  # noqa: ANN001, ANN202
    """Mean of the token states under the attention mask, L2-normalised (what all-MiniLM-L6-v2 does)."""
    import torch

    hidden = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def warmup_then_linear_decay(optimiser, warmup: float, total: int):  # noqa: ANN001, ANN201
    """Learning rate rising over the first `warmup` share of `total` steps, then falling linearly to zero."""
    import torch

    warm = max(1, int(warmup * total))
    return torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(1, total - warm)))
    )


def _balanced_batches(y: np.ndarray, cfg: TuneConfig, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch: every example once, in batches of `per_class` examples from each of several intents, so
    that each batch holds both same-intent and different-intent pairs whatever the number of intents."""
    pools = [list(rng.permutation(np.flatnonzero(y == k))) for k in np.unique(y)]
    chunks = [pool[i : i + cfg.per_class] for pool in pools for i in range(0, len(pool), cfg.per_class)]
    order = rng.permutation(len(chunks))
    per_batch = max(2, cfg.batch_size // cfg.per_class)
    batches = []
    for start in range(0, len(order), per_batch):
        batches.append(np.concatenate([chunks[j] for j in order[start : start + per_batch]]).astype(int))
    return batches


def _pair_loss(embeddings, y):  # noqa: ANN001, ANN202
    """SetFit's objective over every pair in the batch: cosine 1 for the same intent, 0 for different ones
    (each kind averaged apart, so the many negative pairs do not drown the few positive ones)."""
    import torch

    sims = embeddings @ embeddings.T
    same = y[:, None] == y[None, :]
    off = ~torch.eye(len(y), dtype=torch.bool)
    errors = (sims - same.to(sims.dtype)) ** 2
    positive, negative = errors[same & off], errors[~same]
    parts = [part.mean() for part in (positive, negative) if part.numel()]
    return torch.stack(parts).mean()


def tune_encoder(
    base: str,
    texts: Sequence[str],
    labels: Sequence[str],
    cfg: TuneConfig | None = None,
    progress: Progress = _noop,
) -> TunedEncoder:
    """Fine-tune the encoder at `base` (a local sentence-transformers folder) to separate `labels`."""
    offline_hub()
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # stdout/stderr belong to the JSONL stream and its caller
    cfg = cfg or TuneConfig()
    started = time.perf_counter()
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModel.from_pretrained(base, local_files_only=True)
    prepared = [encoder_text(t) for t in texts]
    classes = sorted(set(labels))
    y = np.array([classes.index(label) for label in labels])
    model.train()

    epochs = cfg.epochs(len(prepared))
    rng = np.random.default_rng(cfg.seed)
    plan = [batch for _ in range(epochs) for batch in _balanced_batches(y, cfg, rng)]
    total = len(plan)
    optimiser = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    schedule = warmup_then_linear_decay(optimiser, cfg.warmup, total)
    for step, batch_idx in enumerate(plan, start=1):
        batch = tokenizer([prepared[i] for i in batch_idx], padding=True, truncation=True,
                          max_length=cfg.max_tokens, return_tensors="pt")
        loss = _pair_loss(embed_batch(model, batch), torch.as_tensor(y[batch_idx]))
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        progress("tune encoder", step, total)
    seconds = round(time.perf_counter() - started, 1)
    logger.info("moderation.classifier.encoder_tuned",
                extra={"examples": len(prepared), "epochs": epochs, "steps": total, "seconds": seconds,
                       "config": asdict(cfg)})
    return TunedEncoder(model, tokenizer, name=f"tuned:{base}", max_tokens=cfg.max_tokens)
