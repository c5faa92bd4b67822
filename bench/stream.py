"""The realistic comment stream used by the throughput benchmark (deterministic for a given seed)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from moderation.classifier import datasets as ds

EMOJI = ["😍", "🔥", "😂", "🙏", "❤️", "😭", "👀", "💯", "😡", "✨", "🥰", "👏"]


def _near_duplicate(text: str, rng: random.Random) -> str:
    """What re-posts look like: case, stretched letters, extra punctuation or emoji, spacing."""
    kind = rng.randrange(5)
    if kind == 0:
        return text.upper() if rng.random() < 0.5 else text.lower()
    if kind == 1:
        return text + rng.choice(["!!", "!!!", " ??", "..."])
    if kind == 2:
        return re.sub(r"([aeiou])", r"\1\1\1", text, count=1)
    if kind == 3:
        return "  " + text.replace(" ", "  ") + " "
    return text.rstrip("!?. ") + "!!"


def build_stream(data_dir: Path, n: int = 5_000, dup_share: float = 0.30, seed: int = 7) -> list[str]:
    """`n` short EN+FR social texts, `dup_share` of them exact or near duplicates of earlier ones."""
    rng = random.Random(seed)
    comments = [c["text"] for c in ds.comments(ds.COMMENTS_TRAIN) + ds.comments(ds.COMMENTS_HELDOUT)]
    # Tweets stand in for the long tail of distinct comments (only timed here, never scored against labels).
    tweets = [t.replace("@user", "").strip() for task in ("sentiment", "offensive", "hate")
              for split in ("val", "train") for t in ds.tweeteval(data_dir, task, split).texts]
    tweets = [t for t in tweets if 0 < len(t) <= 90]
    rng.shuffle(tweets)
    n_unique = n - int(n * dup_share)
    pool = list(comments)
    # Comments with an emoji or a mention appended count as new texts (they score differently).
    while len(pool) < n_unique and tweets:
        pool.append(tweets.pop())
    pool = pool[:n_unique]
    for i in rng.sample(range(len(pool)), k=len(pool) // 5):
        pool[i] = f"{pool[i]} {rng.choice(EMOJI)}"
    stream = list(pool)
    while len(stream) < n:
        src = rng.choice(pool)
        stream.append(src if rng.random() < 0.5 else _near_duplicate(src, rng))
    rng.shuffle(stream)
    return stream


def as_jsonl(texts: list[str]) -> bytes:
    return b"".join(json.dumps({"id": i, "text": t}, ensure_ascii=False).encode() + b"\n" for i, t in enumerate(texts))
