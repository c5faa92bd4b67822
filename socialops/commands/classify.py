"""CLI commands for the classifier: `classify` (JSONL stream), `train` and `eval`."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click

MODELS_DIR_HELP = "Classifier artifacts (default: the ones shipped with socialops, or SOCIALOPS_MODELS_DIR)."

logger = logging.getLogger(__name__)


@click.command("classify")
@click.option("--intents", "intents_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML file of few-shot intents replacing the default taxonomy for this run.")
@click.option("--tune-encoder", is_flag=True,
              help="With --intents: first fine-tune the sentence encoder on the examples (slow on CPU: "
                   "tens of minutes for hundreds of examples).")
@click.option("--explain", is_flag=True, help="Add an `explanation` field: tokens and nearest examples.")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=MODELS_DIR_HELP)
@click.option("--encoder", default=None, help="Sentence-transformers model name or path (or SOCIALOPS_ENCODER).")
def classify_cmd(intents_file: Path | None, tune_encoder: bool, explain: bool, models_dir: Path | None,
                 encoder: str | None) -> None:
    """Read JSON Lines ({"id", "text", ...}) on stdin; write each object back with its scores."""
    from moderation.classifier import load_classifier
    from moderation.classifier.fewshot import with_custom_intents
    from moderation.classifier.jsonl import classify_lines

    if tune_encoder and intents_file is None:
        raise click.ClickException("--tune-encoder tunes the encoder for custom intents: give --intents FILE.yaml")
    try:
        clf = load_classifier(encoder, models_dir)
        if intents_file is not None:
            clf = with_custom_intents(clf, intents_file, tune_encoder=tune_encoder)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    out = sys.stdout
    for line in classify_lines(sys.stdin.buffer, clf, explain=explain, more_waiting=_stdin_waiting()):
        out.write(line + "\n")
        out.flush()


def _stdin_waiting() -> Callable[[], bool] | None:
    """True while stdin has bytes ready (or is at EOF); None where select() cannot watch it."""
    import select

    try:
        fd = sys.stdin.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None

    def waiting() -> bool:
        return bool(select.select([fd], [], [], 0)[0])

    return waiting


def missing_training_data(data_dir: Path) -> Path | None:
    """The first file `socialops train` needs that is not in `data_dir`, or None."""
    for task in ("offensive", "sentiment"):
        for split in ("train", "val"):
            for part in ("text", "labels"):
                path = data_dir / "tweeteval" / task / f"{split}_{part}.txt"
                if not path.is_file():
                    return data_dir if not data_dir.is_dir() else path
    return None


@click.command("train")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Shared training data (default ../shared/data next to the repo, or SOCIALOPS_DATA_DIR).")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the rebuilt artifacts are written (default: the shipped models/, or SOCIALOPS_MODELS_DIR).")
@click.option("--encoder", default=None,
              help="Sentence-transformers model to train on (default: the shipped encoder, or SOCIALOPS_ENCODER).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Embedding cache for faster rebuilds (default ~/.cache/socialops).")
@click.option("--no-cache", is_flag=True, help="Encode everything afresh.")
@click.option("--finetune/--no-finetune", default=True, show_default=True,
              help="Fine-tune the encoder for toxicity and sentiment (about 40 min on 2 cores) or use it as is.")
@click.option("--checkpoint", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Reuse a fine-tuned checkpoint directory (multitask.pt) instead of fine-tuning again.")
@click.option("--heads-only", is_flag=True,
              help="Keep models/encoder.int8.onnx as it is; refit only heads, stackers, thresholds (minutes).")
def train_cmd(data_dir: Path | None, models_dir: Path | None, encoder: str | None, cache_dir: Path | None,
              no_cache: bool, finetune: bool, checkpoint: Path | None, heads_only: bool) -> None:
    """Rebuild every classifier artifact in models/ (or, with --heads-only, all but the encoder)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from moderation.classifier import clear_cache
    from moderation.classifier.settings import ClassifierSettings, default_data_dir
    from moderation.classifier.training import default_cache_dir, train_all, train_heads_only

    if heads_only and (checkpoint is not None or encoder is not None):
        raise click.ClickException("--heads-only keeps the shipped encoder: drop --checkpoint and --encoder")
    settings = ClassifierSettings.resolve(encoder, models_dir)
    data_dir = data_dir or default_data_dir()
    missing = missing_training_data(data_dir)
    if missing:
        raise click.ClickException(
            f"training data not found: {missing} is missing. `socialops train` reads the shared data folder "
            "(tweeteval/offensive and tweeteval/sentiment, each with train_/val_ text and labels files); pass "
            "--data-dir DIR or set SOCIALOPS_DATA_DIR (from a checkout the default is ../shared/data beside "
            "it). The shipped artifacts work without it: only rebuilding them needs it.")
    cache = None if no_cache else (cache_dir or default_cache_dir())
    columns = (TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        try:
            if heads_only:
                train_heads_only(settings, data_dir, cache_dir=cache, progress=progress)
            else:
                train_all(settings, data_dir, cache_dir=cache, progress=progress, finetune=finetune,
                          checkpoint=checkpoint)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from exc
    clear_cache()
    click.echo(f"artifacts written to {settings.models_dir}")


@click.command("eval")
@click.option("--task", type=click.Choice(["intent", "toxicity", "sentiment", "all"]), default="all",
              show_default=True, help="Which head to evaluate.")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Shared evaluation data (default ../shared/data next to the repo, or SOCIALOPS_DATA_DIR).")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=MODELS_DIR_HELP)
@click.option("--png-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("eval-reports"),
              show_default=True, help="Where the confusion-matrix PNGs go.")
def eval_cmd(task: str, data_dir: Path | None, models_dir: Path | None, png_dir: Path) -> None:
    """Per-class precision, recall and F1 plus confusion matrices, on held-out data only."""
    from moderation.classifier import load_classifier
    from moderation.classifier.evaluation import TASKS, evaluate, save_confusion_png
    from moderation.classifier.settings import default_data_dir

    clf = load_classifier(None, models_dir)
    data_dir = data_dir or default_data_dir()
    for name in TASKS if task == "all" else (task,):
        report = evaluate(clf, name, data_dir)  # type: ignore[arg-type]
        click.echo(f"== {name} ({report.dataset}, n={len(report.y_true)})")
        click.echo(report.report())
        click.echo("confusion matrix (rows true, columns predicted): " + ", ".join(report.labels))
        click.echo(str(report.matrix()))
        click.echo(f"macro-F1 {report.macro_f1():.4f}  macro-recall {report.macro_recall():.4f}")
        for key, value in report.extra.items():
            click.echo(f"{key} {value:.4f}")
        png = save_confusion_png(report, png_dir / f"confusion_{name}.png")
        click.echo(f"wrote {png}\n")


def register(group: click.Group) -> None:
    """Add classify, train and eval to the `socialops` command group."""
    group.add_command(classify_cmd)
    group.add_command(train_cmd)
    group.add_command(eval_cmd)
