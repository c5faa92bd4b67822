"""Recorded platform payloads, each translated and compared with its `.expected.json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.platforms.base import ParseReport
from moderation.platforms.meta.inbound import parse_meta_delivery
from moderation.platforms.tiktok.inbound import parse_tiktok_event
from moderation.platforms.youtube.poller import thread_interactions

PAYLOADS = Path(__file__).parent / "payloads"
OWN_IDS = ("17841400000000000", "104000000000001")
CASES = sorted(p for p in PAYLOADS.glob("*.json") if not p.name.endswith(".expected.json"))


def parse(name: str, payload: object) -> ParseReport:
    if name.startswith("meta_"):
        return parse_meta_delivery(payload, OWN_IDS)
    if name.startswith("tiktok_"):
        return parse_tiktok_event(payload)
    if name.startswith("youtube_"):
        report = ParseReport()
        for thread in payload["items"]:  # type: ignore[index]
            found, rejected = thread_interactions(thread, "UC0000000000000000000000")
            report.interactions += found
            report.rejected += [("thread", r) for r in rejected]
            replies = len((thread.get("replies") or {}).get("comments", []))
            report.ignored += [("own", "")] * (1 + replies - len(found) - len(rejected))
        return report
    raise AssertionError(f"no parser for {name}")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_recorded_payload_translates_as_expected(path: Path) -> None:
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    report = parse(path.stem, json.loads(path.read_text(encoding="utf-8")))
    got = [{"id": i.id, "kind": i.kind.value, "author_id": i.author_id, "author_name": i.author_name, "text": i.text,
            "post_id": i.post_id, "parent_id": i.parent_id, "created_at": i.created_at.isoformat()}
           for i in report.interactions]
    assert got == expected["interactions"]
    assert len(report.ignored) == expected["ignored"], report.ignored
    assert len(report.rejected) == expected["rejected"], report.rejected


def test_every_payload_has_expectations() -> None:
    assert CASES
    for path in CASES:
        assert path.with_name(path.stem + ".expected.json").exists(), path.name


def test_unknown_object_is_rejected_not_raised() -> None:
    report = parse_meta_delivery({"object": "whatsapp_business_account", "entry": []})
    assert report.rejected and not report.interactions
    assert parse_meta_delivery(["not", "a", "dict"]).rejected
