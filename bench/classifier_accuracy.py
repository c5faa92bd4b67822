"""Held-out accuracy of the trained classifier against the issue-3 targets.

Run by hand from the repo root:  python -m bench.classifier_accuracy [--data-dir ../shared/data] [--draws 5]
Nothing here was trained or tuned on: TweetEval test halves of val, the project's held-out comments,
and the 20% Banking77 split that neither the full nor the few-shot heads see.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score

from moderation.classifier import datasets as ds
from moderation.classifier import load_classifier, thresholds
from moderation.classifier.features import scale_embedding
from moderation.classifier.fewshot import FEWSHOT_EMBEDDING_SCALE
from moderation.classifier.heads import fit_head
from moderation.classifier.policy import macro_f1_cut
from moderation.classifier.settings import default_data_dir

logger = logging.getLogger(__name__)


def toxicity(clf, data_dir: Path, models_dir: Path | None) -> dict[str, float]:  # noqa: ANN001
    tune, test = ds.halves(ds.tweeteval(data_dir, "offensive", "val"))
    p = np.array([s.toxicity for s in clf.classify(test.texts)])
    y = test.y()
    t = thresholds(models_dir)
    # The macro-F1-best cut chosen on the tune half at train time (never on test), applied once to test;
    # models saved before it was recorded get it fitted here on the tune half, as train time would.
    best_cut = t.get("macro_f1_cut")
    if best_cut is None:
        best_cut = macro_f1_cut(np.array([s.toxicity for s in clf.classify(tune.texts)]), tune.y())
    hide, review = p >= t["auto_hide"], p >= t["review"]
    ece_bins = np.clip((p * 10).astype(int), 0, 9)
    ece = sum(abs(p[ece_bins == b].mean() - y[ece_bins == b].mean()) * (ece_bins == b).mean()
              for b in range(10) if (ece_bins == b).any())
    return {
        "n": len(y),
        "macro_f1_at_0.5": f1_score(y, p >= 0.5, average="macro"),
        "macro_f1_at_review": f1_score(y, review, average="macro"),
        "macro_f1_cut_saved_from_tune_half": float(best_cut),
        "macro_f1_at_saved_cut": f1_score(y, p >= best_cut, average="macro"),
        "auto_hide_threshold": t["auto_hide"], "auto_hide_precision": precision_score(y, hide, zero_division=0),
        "auto_hide_recall": recall_score(y, hide), "review_threshold": t["review"],
        "review_recall": recall_score(y, review), "review_precision": precision_score(y, review),
        "ece": float(ece),
    }


def sentiment(clf, data_dir: Path) -> dict[str, float]:  # noqa: ANN001
    _, test = ds.halves(ds.tweeteval(data_dir, "sentiment", "val"))
    names = ["negative", "neutral", "positive"]
    pred = [s.sentiment.value for s in clf.classify(test.texts)]
    gold = [names[y] for y in test.labels]
    return {"n": len(gold), "macro_recall": recall_score(gold, pred, average="macro"),
            "macro_f1": f1_score(gold, pred, average="macro")}


def intents(clf) -> dict[str, float]:  # noqa: ANN001
    rows = ds.comments(ds.COMMENTS_HELDOUT)
    scores = clf.classify([r["text"] for r in rows])
    out: dict[str, float] = {"n": len(rows)}
    for lang in ("all", "en", "fr"):
        idx = [i for i, r in enumerate(rows) if lang in ("all", r["lang"])]
        out[f"macro_f1_{lang}"] = f1_score([rows[i]["intent"] for i in idx], [scores[i].intent for i in idx],
                                           average="macro")
    out["lang_accuracy"] = float(np.mean([s.lang == r["lang"] for s, r in zip(scores, rows, strict=True)]))
    tox_idx = [i for i, r in enumerate(rows)]
    out["toxic_accuracy"] = float(np.mean([scores[i].toxic == bool(rows[i]["toxic"]) for i in tox_idx]))
    return out


def banking(clf, data_dir: Path, draws: int) -> dict[str, float]:  # noqa: ANN001
    """The plain `--intents` head (fit_head "fewshot" over the classifier's features) on Banking77."""
    train, test = ds.banking77(data_dir)
    X_train, out = clf.features(train.texts)
    X_test, _ = clf.features(test.texts)
    dim = out["embedding"].shape[1]
    X_train = scale_embedding(X_train, dim, FEWSHOT_EMBEDDING_SCALE)
    X_test = scale_embedding(X_test, dim, FEWSHOT_EMBEDDING_SCALE)
    y_train, y_test = train.y(), test.y()
    index = {t: i for i, t in enumerate(train.texts)}

    def accuracy(sample: ds.Labelled) -> tuple[float, float]:
        started = time.perf_counter()
        rows = [index[t] for t in sample.texts]
        head = fit_head("fewshot", X_train[rows], y_train[rows])
        seconds = time.perf_counter() - started
        return float(np.mean(head.predict(X_test) == y_test)), seconds

    few = [accuracy(ds.few_shot(train, 10, seed=seed)) for seed in range(draws)]
    full, full_seconds = accuracy(train)
    return {"test_n": len(test), "few_shot_10_median": statistics.median(a for a, _ in few),
            "few_shot_10_draws": [a for a, _ in few], "few_shot_10_fit_seconds_median":
            statistics.median(s for _, s in few), "full_train_n": len(train), "full": full,
            "full_fit_seconds": full_seconds}


def banking_tuned(clf, data_dir: Path, draws: int, full: bool) -> dict[str, float]:  # noqa: ANN001
    """`--intents FILE --tune-encoder` on Banking77, through the product's own path (fewshot.fit_intents):
    the stock encoder is fine-tuned on the examples, then the head; timed end to end (features included)."""
    from moderation.classifier.fewshot import fit_intents

    train, test = ds.banking77(data_dir)
    X_test, out_test = clf.features(test.texts)

    def accuracy(sample: ds.Labelled) -> tuple[float, float]:
        intents: dict[str, list[str]] = {}
        for text, label in zip(sample.texts, sample.labels, strict=True):
            intents.setdefault(label, []).append(text)
        started = time.perf_counter()
        head = fit_intents(clf, intents, tune_encoder=True)
        seconds = time.perf_counter() - started
        X, _ = head.design(X_test, out_test["embedding"], test.texts)
        acc = float(np.mean(head.model.predict(X) == test.y()))
        logger.warning("tuned draw: n=%d accuracy=%.4f seconds=%.0f", len(sample), acc, seconds)
        return acc, seconds

    report: dict[str, float] = {"test_n": len(test)}
    if draws:
        few = [accuracy(ds.few_shot(train, 10, seed=seed)) for seed in range(draws)]
        report |= {"few_shot_10_median": statistics.median(a for a, _ in few),
                   "few_shot_10_draws": [a for a, _ in few],
                   "few_shot_10_fit_seconds": [s for _, s in few]}
    if full:
        report["full"], report["full_fit_seconds"] = accuracy(train)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--draws", type=int, default=5, help="few-shot samples drawn; the median is reported")
    parser.add_argument("--skip-banking", action="store_true")
    parser.add_argument("--tuned-draws", type=int, default=0,
                        help="also run --tune-encoder on this many 10-shot draws (minutes each)")
    parser.add_argument("--tuned-full", action="store_true", help="also run --tune-encoder on all train rows")
    parser.add_argument("--only-banking", action="store_true", help="skip toxicity, sentiment and intents")
    args = parser.parse_args()
    clf = load_classifier(None, args.models_dir)
    report = {}
    if not args.only_banking:
        report = {"toxicity_offensive_test_half": toxicity(clf, args.data_dir, args.models_dir),
                  "sentiment_test_half": sentiment(clf, args.data_dir),
                  "intents_project_heldout": intents(clf)}
    if not args.skip_banking:
        report["banking77_20pct_test"] = banking(clf, args.data_dir, args.draws)
    if args.tuned_draws or args.tuned_full:
        report["banking77_20pct_test_tune_encoder"] = banking_tuned(clf, args.data_dir, args.tuned_draws,
                                                                     args.tuned_full)
    print(json.dumps(report, indent=2, default=lambda x: round(float(x), 4)))


if __name__ == "__main__":
    main()
