"""Translates a TikTok webhook delivery (one event) into at most one Interaction. Inbound only."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from moderation.domain import Interaction, Kind, Platform
from moderation.platforms.base import ParseReport, to_datetime

NEW_COMMENT_ACTIONS = frozenset({"insert", "create", "created", "add"})


def parse_tiktok_event(payload: Any) -> ParseReport:
    """One TikTok webhook delivery (one event) as at most one Interaction."""
    report = ParseReport()
    try:
        if not isinstance(payload, dict):
            raise TypeError("delivery is not an object")
        event = str(payload.get("event", ""))
        if not event.startswith("comment"):
            report.ignored.append(("event", f"event {event!r} not handled"))
            return report
        content = payload["content"]
        content = json.loads(content) if isinstance(content, str) else content
        action = str(content.get("comment_action", "insert")).lower()
        if action not in NEW_COMMENT_ACTIONS:
            report.ignored.append(("content", f"comment_action {action!r}"))
            return report
        author = str(content.get("user_id") or content.get("unique_identifier") or "")
        if author and author == str(payload.get("user_openid")):
            report.ignored.append(("content", "comment by our own account"))
            return report
        parent = content.get("parent_comment_id")
        report.interactions.append(Interaction(
            platform=Platform.tiktok, kind=Kind.comment, external_id=str(content["comment_id"]),
            author_id=author or str(content["username"]), author_name=str(content.get("username", "")),
            text=content["text"], post_id=str(content["video_id"]),
            parent_id=str(parent) if parent and str(parent) not in ("0", str(content["comment_id"])) else None,
            created_at=to_datetime(content.get("create_time") or content.get("timestamp") or payload["create_time"]),
            # The business account the webhook is for: the one that answers.
            account_id=str(payload["user_openid"]) if payload.get("user_openid") else None,
        ))
    except (KeyError, TypeError, ValueError, AttributeError, ValidationError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        report.rejected.append(("event", f"{exc.__class__.__name__}: {reason}"[:300]))
    return report
