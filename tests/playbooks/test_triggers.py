"""Every trigger field, one table row per case: matches what it should and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.playbooks.conftest import fires, interaction, one_rule_library, scores

CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], bool]] = [
    # (label, when, interaction overrides, scores overrides, fires?)
    ("platform in", {"platforms": ["tiktok"]}, {"platform": "tiktok"}, {}, True),
    ("platform out", {"platforms": ["tiktok"]}, {"platform": "youtube"}, {}, False),
    ("kind story_reply", {"kinds": ["story_reply"]}, {"kind": "story_reply"}, {}, True),
    ("kind mention vs comment", {"kinds": ["mention"]}, {"kind": "comment"}, {}, False),
    ("kind dm", {"kinds": ["dm", "mention"]}, {"kind": "dm"}, {}, True),
    ("intent", {"intents": ["pricing"]}, {}, {"intent": "pricing"}, True),
    ("intent other", {"intents": ["pricing"]}, {}, {"intent": "collab"}, False),
    ("intent below confidence", {"intents": ["pricing"], "min_confidence": 0.8}, {},
     {"intent": "pricing", "intent_confidence": 0.5}, False),
    ("keyword case-insensitive", {"keywords": ["prix"]}, {"text": "Quel est le PRIX ?"}, {}, True),
    ("keyword accent-insensitive (text)", {"keywords": ["ou acheter"]}, {"text": "Où acheter ça ?"}, {}, True),
    ("keyword accent-insensitive (keyword)", {"keywords": ["où"]}, {"text": "ou ca"}, {}, True),
    ("keyword whole word only", {"keywords": ["link"]}, {"text": "my linkedin"}, {}, False),
    ("keyword phrase", {"keywords": ["where to buy"]}, {"text": "Where to BUY this?"}, {}, True),
    ("keyword absent", {"keywords": ["prix"]}, {"text": "bonjour"}, {}, False),
    ("regex case-insensitive", {"regex": [r"how\s+much"]}, {"text": "HOW   much?"}, {}, True),
    ("regex accent-insensitive", {"regex": [r"\bdéçue?\b"]}, {"text": "tres DECUE"}, {}, True),
    ("regex no match", {"regex": [r"\d{3}"]}, {"text": "12 items"}, {}, False),
    ("keywords or regex", {"keywords": ["prix"], "regex": [r"\bcost\b"]}, {"text": "what does it cost"}, {}, True),
    ("toxicity at threshold", {"toxicity": {"min": 0.8}}, {}, {"toxicity": 0.8}, True),
    ("toxicity under threshold", {"toxicity": {"min": 0.8}}, {}, {"toxicity": 0.79}, False),
    ("toxicity named threshold", {"toxicity": {"min": "auto_hide"}}, {}, {"toxicity": 0.85}, True),
    ("toxicity band inside", {"toxicity": {"min": "review", "below": "auto_hide"}}, {}, {"toxicity": 0.6}, True),
    ("toxicity band top excluded", {"toxicity": {"min": "review", "below": "auto_hide"}}, {},
     {"toxicity": 0.8}, False),
    ("toxic kind", {"toxic_kind": ["threat"]}, {}, {"toxicity": 0.7, "toxic_kind": "threat"}, True),
    ("toxic kind other", {"toxic_kind": ["threat"]}, {}, {"toxicity": 0.9, "toxic_kind": "insult"}, False),
    ("toxic kind absent (scores without a kind)", {"toxic_kind": ["threat", "self_harm"]}, {}, {"toxicity": 0.9},
     False),
    ("sentiment", {"sentiment": ["negative"]}, {}, {"sentiment": "negative"}, True),
    ("sentiment other", {"sentiment": ["negative"]}, {}, {"sentiment": "positive"}, False),
    ("language", {"languages": ["fr"]}, {}, {"lang": "fr"}, True),
    ("language other", {"languages": ["fr"]}, {}, {"lang": "en"}, False),
    ("campaign", {"campaigns": ["spring"]}, {"campaign": "spring"}, {}, True),
    ("no campaign", {"campaigns": ["spring"]}, {}, {}, False),
    ("post id", {"posts": ["p1"]}, {"post_id": "p1"}, {}, True),
    ("post id other", {"posts": ["p1"]}, {"post_id": "p2"}, {}, False),
    ("all fields AND", {"platforms": ["instagram"], "intents": ["pricing"]}, {"platform": "instagram"},
     {"intent": "other"}, False),
    ("empty trigger matches everything", {}, {}, {}, True),
]


@pytest.mark.parametrize(("label", "when", "i", "s", "expected"), CASES, ids=[case[0] for case in CASES])
def test_trigger(tmp_path: Path, label: str, when: dict[str, Any], i: dict[str, Any], s: dict[str, Any],
                 expected: bool) -> None:
    library = one_rule_library(tmp_path, when=when)
    assert fires(library, i=interaction(**i), s=scores(**s)) is expected


def test_named_thresholds_follow_calibrated_values(tmp_path: Path) -> None:
    library = one_rule_library(tmp_path, when={"toxicity": {"min": "auto_hide"}})
    assert not fires(library, s=scores(toxicity=0.75))
    calibrated = library.with_thresholds(auto_hide=0.7, review=0.4)
    assert fires(calibrated, s=scores(toxicity=0.75))
    assert calibrated.version != library.version
