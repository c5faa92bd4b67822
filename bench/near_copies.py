"""Keep the rows of a new training file that are not near copies of a training, dev or evaluation text.

Run from the repo root:  python -m bench.near_copies NEW.jsonl [--out KEPT.jsonl]
A row is a near copy when 60% of its words are shared with another text (Jaccard over the word sets,
lowercase, accents stripped), or when at least three content words (the knowledge stopwords removed) make up
60% of the shorter text's content words: "les trans c'est des malades mentaux, arrêtez de les mettre en avant"
is a near copy of "les trans c'est des malades mentaux" although their Jaccard is under 0.6. Compared against
the toxicity training examples, the project comments, every realistic toxicity set
(bench/data/toxicity_fresh*.jsonl), the demo week and the rows of the new file kept before it. Prints what was
dropped and why.
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from pathlib import Path

from moderation.classifier import datasets as ds
from moderation.knowledge.text import STOPWORDS

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = {
    "train": ds.TOXICITY_TRAIN, "comments": ds.COMMENTS_TRAIN, "dev": ds.TOXICITY_HELDOUT,
    "demo": ROOT / "socialops" / "demo" / "sample.jsonl",
    # every realistic evaluation set: a training row close to one of them would inflate its figures
    **{path.stem.removeprefix("toxicity_"): path
       for path in sorted((ROOT / "bench" / "data").glob("toxicity_fresh*.jsonl"))},
}
SHARE = 0.6
MIN_SHARED_CONTENT_WORDS = 3


def words(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    return frozenset(re.findall(r"\w+", "".join(c for c in folded if not unicodedata.combining(c))))


def near(a: frozenset[str], b: frozenset[str]) -> bool:
    if len(a & b) >= SHARE * max(len(a | b), 1):
        return True
    ca, cb = a - STOPWORDS, b - STOPWORDS
    shared = len(ca & cb)
    return shared >= MIN_SHARED_CONTENT_WORDS and shared >= SHARE * max(min(len(ca), len(cb)), 1)


def split_near_copies(rows: list[dict], references: dict[str, list[str]]) -> tuple[list[dict], list[tuple]]:
    """(kept rows, [(dropped row, reference name, the text it copies)])."""
    index = [(name, text, words(text)) for name, texts in references.items() for text in texts]
    kept: list[dict] = []
    dropped: list[tuple] = []
    for row in rows:
        mine = words(row["text"])
        hit = next(((name, text) for name, text, theirs in index if near(mine, theirs)), None)
        hit = hit or next((("itself", k["text"]) for k in kept if near(mine, words(k["text"]))), None)
        if hit:
            dropped.append((row, *hit))
        else:
            kept.append(row)
    return kept, dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("new", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = ds.comments(args.new)
    references = {name: [r["text"] for r in ds.comments(path)] for name, path in REFERENCES.items()}
    kept, dropped = split_near_copies(rows, references)
    print(f"{len(rows)} rows: {len(kept)} kept, {len(dropped)} dropped")
    for row, name, text in dropped:
        print(f"  {row['text'][:70]!r} ~ {name}: {text[:60]!r}")
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8")


if __name__ == "__main__":
    main()
