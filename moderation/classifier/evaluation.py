"""`socialops eval`: per-class precision/recall/F1 and confusion matrices on held-out data only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix, f1_score, recall_score

from moderation.classifier import datasets as ds
from moderation.classifier.model import LinearClassifier

logger = logging.getLogger(__name__)

TASKS = ("intent", "toxicity", "sentiment")


@dataclass
class TaskReport:
    """One task's held-out evaluation."""

    task: str
    dataset: str
    labels: list[str]
    y_true: list[str]
    y_pred: list[str]
    extra: dict[str, float]

    def report(self) -> str:
        return classification_report(self.y_true, self.y_pred, labels=self.labels, digits=3, zero_division=0)

    def matrix(self) -> np.ndarray:
        return confusion_matrix(self.y_true, self.y_pred, labels=self.labels)

    def macro_f1(self) -> float:
        return float(f1_score(self.y_true, self.y_pred, labels=self.labels, average="macro", zero_division=0))

    def macro_recall(self) -> float:
        return float(recall_score(self.y_true, self.y_pred, labels=self.labels, average="macro", zero_division=0))


def evaluate(clf: LinearClassifier, task: str, data_dir: Path) -> TaskReport:
    """Score the held-out split of `task` (project held-out comments, or the test half of a TweetEval val)."""
    if task == "intent":
        rows = ds.comments(ds.COMMENTS_HELDOUT)
        scores = clf.classify([r["text"] for r in rows])
        y_true = [r["intent"] for r in rows]
        y_pred = [s.intent for s in scores]
        extra = {}
        for lang in ("en", "fr"):
            idx = [i for i, r in enumerate(rows) if r["lang"] == lang]
            extra[f"macro_f1_{lang}"] = float(
                f1_score([y_true[i] for i in idx], [y_pred[i] for i in idx], average="macro", zero_division=0)
            )
        extra["lang_accuracy"] = float(np.mean([s.lang == r["lang"] for s, r in zip(scores, rows, strict=True)]))
        return TaskReport(task, "project held-out comments", sorted(set(y_true)), y_true, y_pred, extra)
    if task == "toxicity":
        _, test = ds.halves(ds.tweeteval(data_dir, "offensive", "val"))
        scores = clf.classify(test.texts)
        y_true = ["offensive" if y else "not-offensive" for y in test.labels]
        y_pred = ["offensive" if s.toxic else "not-offensive" for s in scores]
        return TaskReport(task, "TweetEval offensive, test half of val", ["not-offensive", "offensive"],
                          y_true, y_pred, {})
    if task == "sentiment":
        _, test = ds.halves(ds.tweeteval(data_dir, "sentiment", "val"))
        names = ["negative", "neutral", "positive"]
        scores = clf.classify(test.texts)
        return TaskReport(task, "TweetEval sentiment, test half of val", names,
                          [names[y] for y in test.labels], [s.sentiment.value for s in scores], {})
    raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")


def save_confusion_png(report: TaskReport, path: Path) -> Path:
    """Write the confusion matrix as a labelled heat map."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = report.matrix()
    size = max(4.0, 0.6 * len(report.labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(report.labels)), report.labels, rotation=45, ha="right")
    ax.set_yticks(range(len(report.labels)), report.labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{report.task}: {report.dataset}", fontsize=9)
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, str(m[i, j]), ha="center", va="center",
                    color="white" if m[i, j] > m.max() / 2 else "black", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
