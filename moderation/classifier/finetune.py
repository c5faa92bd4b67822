"""Multi-task fine-tuning of the sentence encoder for toxicity and sentiment (CPU, pinned seeds)."""

from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.classifier import datasets as ds
from moderation.classifier.settings import offline_hub
from moderation.classifier.text import encoder_text

logger = logging.getLogger(__name__)

SENTIMENT_OF = {"negative": 0, "neutral": 1, "positive": 2}
# Written next to multitask.pt: the stage's config, where it started from and its best tune scores.
PROVENANCE_FILE = "finetune.json"
TASKS = {"toxicity": 2, "sentiment": 3}


@dataclass(frozen=True)
class FinetuneConfig:
    """Pinned hyperparameters of one fine-tuning stage (judged on the tune halves of the TweetEval val files)."""

    epochs: float = 1.0
    frozen_layers: int = 2
    batch_size: int = 32
    lr: float = 8e-5
    head_lr: float = 1e-3
    warmup: float = 0.06
    max_tokens: int = 64
    weight_decay: float = 0.01
    dropout: float = 0.1
    project_repeats: int = 3
    seed: int = 13
    threads: int = 2
    # Tune-half check (and snapshot) every this many steps besides each epoch's end (0: epoch ends only):
    # the best point of a run can be mid-epoch, and snapshots allow checkpoint averaging afterwards.
    eval_every: int = 0
    # Stop after this many steps (0: run the whole schedule); the learning-rate schedule still spans `epochs`.
    max_steps: int = 0


# The shipped encoder's recipe: one epoch from the stock model, then a gentler stage continued from it with
# the 128-token window the runtime uses (onnx_runtime.MAX_SEQ_TOKENS; 9.5% of OLID tweets exceed 64). The
# second stage was stopped at step 200 of its 405-step schedule (time on shared cores), hence max_steps.
RECIPE: tuple[FinetuneConfig, ...] = (
    FinetuneConfig(),
    FinetuneConfig(epochs=0.52, lr=3e-5, head_lr=2e-4, max_tokens=128, seed=14, eval_every=200, max_steps=200),
)


def finetune_recipe(
    encoder_path: str, data_dir: Path, out_dir: Path, progress: Callable[[str, int, int], None] | None = None
) -> dict:
    """Run every RECIPE stage, each continuing from the previous one's best; the last lands in `out_dir`."""
    init = None
    stages = []
    for k, cfg in enumerate(RECIPE):
        stage_dir = out_dir if k == len(RECIPE) - 1 else out_dir / f"stage{k}"
        stages.append(finetune(encoder_path, data_dir, stage_dir, cfg, progress=progress, init_state=init))
        init = stage_dir / "multitask.pt"
    return {"stages": stages}


def build_model(encoder_path: str, dropout: float = 0.1):
    """Encoder + mean pooling + one linear head per task."""
    import torch
    from transformers import AutoModel

    class MultiTask(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(encoder_path, local_files_only=True)
            dim = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(dropout)
            self.toxicity = torch.nn.Linear(dim, TASKS["toxicity"])
            self.sentiment = torch.nn.Linear(dim, TASKS["sentiment"])

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            dropped = self.dropout(pooled)
            embedding = torch.nn.functional.normalize(pooled, dim=-1)
            return embedding, self.toxicity(dropped), self.sentiment(dropped)

    return MultiTask()


def training_examples(data_dir: Path, repeats: int) -> list[tuple[str, str, int]]:
    """(text, task, label) for OLID offensive train, TweetEval sentiment train and the project comments."""
    out: list[tuple[str, str, int]] = []
    off = ds.tweeteval(data_dir, "offensive", "train")
    out += [(t, "toxicity", y) for t, y in zip(off.texts, off.labels, strict=True)]
    sent = ds.tweeteval(data_dir, "sentiment", "train")
    out += [(t, "sentiment", y) for t, y in zip(sent.texts, sent.labels, strict=True)]
    for _ in range(repeats):
        for c in ds.comments():
            out.append((c["text"], "toxicity", int(c["toxic"])))
            out.append((c["text"], "sentiment", SENTIMENT_OF[c["sentiment"]]))
    return out


def finetune(
    encoder_path: str,
    data_dir: Path,
    out_dir: Path,
    cfg: FinetuneConfig = FinetuneConfig(),
    progress: Callable[[str, int, int], None] | None = None,
    init_state: Path | None = None,
) -> dict[str, float]:
    """Fine-tune, keep the point with the best tune score, save a transformers checkpoint to `out_dir`.

    `init_state`: a multitask state dict to continue from (e.g. recovered by `onnx_import` from the shipped
    encoder); its own tune score is checked first, so the run never keeps anything worse than its start.
    """
    offline_hub()
    import torch
    from transformers import AutoTokenizer

    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    tokenizer = AutoTokenizer.from_pretrained(encoder_path, local_files_only=True)
    model = build_model(encoder_path, cfg.dropout)
    if init_state is not None:
        model.load_state_dict(torch.load(init_state, weights_only=True))
    # Word embeddings stay frozen: the vocabulary is shared with the stock model and French words seen once
    # in the project data should not drift away from their pretrained neighbours.
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    # The lowest layers stay frozen too: a third less backward work on 2 CPU cores, little loss in accuracy.
    for layer in model.encoder.encoder.layer[: cfg.frozen_layers]:
        layer.requires_grad_(False)

    examples = training_examples(data_dir, cfg.project_repeats)
    off_tune, _ = ds.halves(ds.tweeteval(data_dir, "offensive", "val"))
    sent_tune, _ = ds.halves(ds.tweeteval(data_dir, "sentiment", "val"))

    enc_params = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    optim = torch.optim.AdamW(
        [{"params": enc_params, "lr": cfg.lr}, {"params": head_params, "lr": cfg.head_lr}],
        weight_decay=cfg.weight_decay,
    )
    steps_per_epoch = math.ceil(len(examples) / cfg.batch_size)
    total = math.ceil(steps_per_epoch * cfg.epochs)
    stop = min(total, cfg.max_steps or total)
    warm = max(1, int(cfg.warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm))
    )
    rng = random.Random(cfg.seed)
    best: dict[str, float] = {"score": -1.0}
    step = 0

    def check(epoch: int) -> None:
        nonlocal best
        scores = tune_scores(model, tokenizer, off_tune, sent_tune, cfg.max_tokens)
        print(f"step {step} epoch {epoch} tune tox macro-F1 {scores['tox_f1']:.4f} "
              f"sentiment macro-recall {scores['sent_recall']:.4f}", flush=True)
        save_state(model, out_dir / "snapshots" / f"step{step:05d}.pt")
        if scores["score"] > best["score"]:
            best = {**scores, "epoch": epoch, "step": step}
            save_checkpoint(model, tokenizer, out_dir)
            record = {"config": cfg.__dict__, "init_state": str(init_state) if init_state else None, "best": best}
            (out_dir / PROVENANCE_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")

    if init_state is not None:
        check(-1)
    for epoch in range(math.ceil(cfg.epochs)):
        model.train()
        order = list(range(len(examples)))
        rng.shuffle(order)
        # Similar lengths together: less padding, faster steps on CPU.
        chunks = [order[i : i + cfg.batch_size * 50] for i in range(0, len(order), cfg.batch_size * 50)]
        batches = []
        for chunk in chunks:
            chunk.sort(key=lambda i: len(examples[i][0]))
            batches += [chunk[i : i + cfg.batch_size] for i in range(0, len(chunk), cfg.batch_size)]
        rng.shuffle(batches)
        for batch in batches:
            if step >= stop:
                break
            texts = [encoder_text(examples[i][0]) for i in batch]
            enc = tokenizer(texts, padding=True, truncation=True, max_length=cfg.max_tokens, return_tensors="pt")
            _, tox_logits, sent_logits = model(enc["input_ids"], enc["attention_mask"])
            loss = torch.zeros(())
            for task, logits in (("toxicity", tox_logits), ("sentiment", sent_logits)):
                idx = [k for k, i in enumerate(batch) if examples[i][1] == task]
                if idx:
                    labels = torch.tensor([examples[batch[k]][2] for k in idx])
                    loss = loss + torch.nn.functional.cross_entropy(logits[idx], labels) * len(idx) / len(batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            optim.zero_grad()
            step += 1
            if progress:
                progress("fine-tune encoder", step, total)
            if step % 50 == 0:
                logger.info("moderation.classifier.finetune_step", extra={"step": step, "loss": float(loss)})
                print(f"step {step}/{total} loss {float(loss):.4f}", flush=True)
            if cfg.eval_every and step % cfg.eval_every == 0 and step < stop:
                check(epoch)
        check(epoch)
        if step >= stop:
            break
    return best


def tune_scores(model, tokenizer, off_tune: ds.Labelled, sent_tune: ds.Labelled, max_tokens: int) -> dict[str, float]:
    """Toxicity macro-F1 at its best cut and sentiment macro-recall on the tune halves; score is their sum."""
    from sklearn.metrics import f1_score, recall_score

    tox_p, _ = predict(model, tokenizer, off_tune.texts, max_tokens)
    _, sent_p = predict(model, tokenizer, sent_tune.texts, max_tokens)
    tox_f1 = max(f1_score(off_tune.labels, tox_p[:, 1] >= t, average="macro") for t in np.arange(0.2, 0.8, 0.02))
    sent_rec = recall_score(sent_tune.labels, sent_p.argmax(1), average="macro")
    return {"score": float(tox_f1 + sent_rec), "tox_f1": float(tox_f1), "sent_recall": float(sent_rec)}


def predict(model, tokenizer, texts: Sequence[str], max_tokens: int, batch_size: int = 64):
    """Softmax outputs of both heads, in input order."""
    import torch

    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    tox = np.zeros((len(texts), 2), dtype=np.float32)
    sent = np.zeros((len(texts), 3), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            enc = tokenizer([encoder_text(texts[i]) for i in idx], padding=True, truncation=True,
                            max_length=max_tokens, return_tensors="pt")
            _, t, s = model(enc["input_ids"], enc["attention_mask"])
            tox[idx] = torch.softmax(t, -1).numpy()
            sent[idx] = torch.softmax(s, -1).numpy()
    model.train()
    return tox, sent


def save_state(model, path: Path) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), path)


def save_checkpoint(model, tokenizer, out_dir: Path) -> None:
    save_state(model, out_dir / "multitask.pt")
    tokenizer.save_pretrained(str(out_dir))


if __name__ == "__main__":  # a long job: `python -m moderation.classifier.finetune DATA_DIR OUT_DIR [field=value ...]`
    import dataclasses
    import sys

    from moderation.classifier.settings import default_encoder

    logging.basicConfig(level=logging.WARNING)
    types = {f.name: f.type for f in dataclasses.fields(FinetuneConfig)}
    overrides = dict(arg.split("=", 1) for arg in sys.argv[3:])
    init = overrides.pop("init", None)
    cast = {"int": int, "float": float}
    config = FinetuneConfig(**{k: cast[str(types[k])](v) for k, v in overrides.items()})
    print(config, init, flush=True)
    print(finetune(default_encoder(), Path(sys.argv[1]), Path(sys.argv[2]), config,
                   init_state=Path(init) if init else None))
