"""Block Kit payloads parsed back with slack_sdk.models, which enforces Slack's limits (lengths, counts, types)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def assert_valid_blocks(blocks: list[dict[str, Any]]) -> None:
    assert blocks, "no blocks"
    assert len(blocks) <= 50, "Slack allows at most 50 blocks in a message"
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None, f"unknown block {raw.get('type')}"
        assert parsed.to_dict()["type"] == raw["type"]  # to_dict() runs slack_sdk's validation


def assert_valid_view(view: dict[str, Any]) -> None:
    View(**view).to_dict()
    assert_valid_blocks(view["blocks"])
