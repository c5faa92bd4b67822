"""Translate in: Slack payloads (block actions, view submissions, commands, mentions) to plain values."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Click:
    user: str
    action_id: str
    value: str
    channel: str
    message_ts: str | None
    trigger_id: str | None

    @property
    def numbered(self) -> bool:
        """Our buttons carry a row id; anything else (another app's button, a hand-made payload) does not."""
        return self.value.isascii() and self.value.isdigit() and len(self.value) <= 18

    @property
    def item_id(self) -> int:
        return int(self.value)


def click(body: dict[str, Any]) -> Click:
    action = body["actions"][0]
    return Click(
        user=body["user"]["id"], action_id=action["action_id"], value=str(action.get("value", "")),
        channel=(body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id", ""),
        message_ts=(body.get("message") or {}).get("ts") or body.get("container", {}).get("message_ts"),
        trigger_id=body.get("trigger_id"),
    )


@dataclass(frozen=True)
class Submission:
    user: str
    metadata: dict[str, Any]
    text: str


def submission(body: dict[str, Any], block_id: str, action_id: str) -> Submission:
    view = body["view"]
    value = view["state"]["values"].get(block_id, {}).get(action_id, {}).get("value") or ""
    return Submission(user=body["user"]["id"], metadata=_metadata(view.get("private_metadata")), text=value.strip())


def _metadata(raw: Any) -> dict[str, Any]:
    """A modal's private_metadata as we wrote it (a JSON object), or {} for anything else: a form opened by an
    older version or another app must get an answer, not a crash."""
    try:
        parsed = json.loads(raw or "{}")
    except (TypeError, ValueError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def approval_id(metadata: dict[str, Any]) -> int | None:
    value = metadata.get("approval_id")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def mention_text(event: dict[str, Any]) -> str:
    """The words of an app mention without the bot's own `<@U…>`."""
    return re.sub(r"<@[A-Z0-9]+>", " ", event.get("text", "")).strip()
