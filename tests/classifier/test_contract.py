"""The `classify` JSONL contract: fields, order, and one error line per bad input without stopping."""

from __future__ import annotations

import json

import pytest

from moderation.classifier.jsonl import classify_lines
from moderation.classifier.model import LinearClassifier
from moderation.domain import DEFAULT_INTENTS, MAX_TEXT_CHARS

SCORE_FIELDS = ["intent", "intent_confidence", "toxicity", "toxic", "sentiment", "lang", "toxic_kind",
                "toxic_kind_scores"]
KINDS = {"insult", "threat", "hate", "harassment", "sexual", "self_harm", "none"}


def run(clf: LinearClassifier, lines: list[bytes], **kw: object) -> list[dict]:
    return [json.loads(out) for out in classify_lines([line + b"\n" for line in lines], clf, **kw)]


def line(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def test_every_input_field_is_kept_then_scores_in_contract_order(tiny_classifier: LinearClassifier) -> None:
    [out] = run(tiny_classifier, [line({"id": "c1", "text": "how much is it?", "platform": "instagram"})])
    assert list(out) == ["id", "text", "platform", *SCORE_FIELDS]
    assert out["id"] == "c1" and out["platform"] == "instagram"
    assert 0 <= out["intent_confidence"] <= 1 and 0 <= out["toxicity"] <= 1
    assert out["toxic"] == (out["toxicity"] >= 0.5)
    assert out["sentiment"] in {"negative", "neutral", "positive"}
    assert out["lang"] == "en"


def test_bad_lines_get_errors_in_place_and_the_run_goes_on(tiny_classifier: LinearClassifier) -> None:
    lines = [
        line({"id": 1, "text": "love it"}),
        line({"id": 2, "text": ""}),
        line({"id": 3, "text": "   \n "}),
        line({"id": 4}),
        line({"id": 5, "text": 42}),
        b"this is not json",
        line(["a", "list"]),
        b'{"id": 8, "text": "caf\xc3\xa9 \xff\xfe broken"}',
        line({"id": 9, "text": "y" * (MAX_TEXT_CHARS + 1)}),
        b"",
        line({"id": 11, "text": "where is my order"}),
    ]
    out = run(tiny_classifier, lines)
    assert len(out) == len(lines)
    assert [o.get("id") for o in out] == [1, 2, 3, 4, 5, None, None, 8, 9, None, 11]
    errors = {i: o["error"] for i, o in enumerate(out) if "error" in o}
    assert set(errors) == {1, 2, 3, 4, 5, 6, 7, 8, 9}
    assert "empty" in errors[1] and "empty" in errors[2] and "missing" in errors[3]
    assert "not JSON" in errors[5] and "UTF-8" in errors[7] and "longer" in errors[8]
    for ok in (out[0], out[10]):
        assert ok["intent"] in DEFAULT_INTENTS or ok["intent"] in tiny_classifier.intents
        assert "error" not in ok


def test_emoji_only_and_max_length_texts_are_scored(tiny_classifier: LinearClassifier) -> None:
    out = run(tiny_classifier, [line({"id": "e", "text": "😍🔥🔥"}), line({"id": "l", "text": "a" * MAX_TEXT_CHARS})])
    assert all("error" not in o and set(SCORE_FIELDS) <= set(o) for o in out)


def test_output_order_matches_input_across_batches_and_duplicates(tiny_classifier: LinearClassifier) -> None:
    texts = ["how much is it", "you stupid idiot", "HOW MUCH IS IT!!!", "love it so much"] * 30
    out = run(tiny_classifier, [line({"id": i, "text": t}) for i, t in enumerate(texts)], batch=7)
    assert [o["id"] for o in out] == list(range(len(texts)))
    assert [o["text"] for o in out] == texts
    assert out[0]["intent"] == out[2]["intent"]  # near-duplicates share one scoring


def test_explain_names_tokens_and_nearest_examples(tiny_classifier: LinearClassifier) -> None:
    [out] = run(tiny_classifier, [line({"id": 1, "text": "you stupid idiot"})], explain=True)
    why = out["explanation"]
    assert {"intent_tokens", "toxicity_tokens", "nearest_examples"} <= set(why)
    assert any(t["token"] in {"stupid", "idiot"} for t in why["toxicity_tokens"])
    assert why["nearest_examples"][0]["text"] == "you stupid idiot"


def test_toxic_kind_agrees_with_toxic_and_its_scores_sum_to_one(tiny_classifier: LinearClassifier) -> None:
    texts = ["I will find you and hurt you", "love it so much", "you stupid idiot", "les immigrés dehors"]
    out = run(tiny_classifier, [line({"id": i, "text": t}) for i, t in enumerate(texts)])
    for o in out:
        assert o["toxic_kind"] in KINDS
        assert (o["toxic_kind"] != "none") == o["toxic"]
        assert set(o["toxic_kind_scores"]) == KINDS
        assert sum(o["toxic_kind_scores"].values()) == pytest.approx(1.0, abs=0.01)
        assert o["toxic_kind_scores"]["none"] == pytest.approx(1 - o["toxicity"], abs=1e-3)
    assert out[1]["toxic_kind"] == "none"


def test_explain_shows_the_words_behind_the_kind(tiny_classifier: LinearClassifier) -> None:
    [out] = run(tiny_classifier, [line({"id": 1, "text": "I will find you and hurt you, watch your back"})],
                explain=True)
    why = out["explanation"]
    assert why["toxic_kind"] == out["toxic_kind"]
    if out["toxic_kind"] == "none":
        assert why["toxic_kind_tokens"] == []
    else:
        assert why["toxic_kind_tokens"] and all(t["weight"] > 0 for t in why["toxic_kind_tokens"])
