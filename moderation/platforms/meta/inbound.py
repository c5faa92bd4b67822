"""Translates Meta webhook deliveries (Instagram and Facebook Page) into Interactions. Inbound only.

A delivery is `{"object": "instagram"|"page", "entry": [...]}`; each entry carries `changes` (comments,
live_comments, feed, and `messages` in the dashboard's test format) and/or `messaging` (Messenger and
Instagram DMs). Every item is translated on its own: a broken one is reported and the rest is kept. Echoes
of our own messages and comments written by our own account are ignored, so the bot never answers itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from pydantic import ValidationError

from moderation.domain import Interaction, Kind, Platform
from moderation.platforms.base import ParseReport, to_datetime

logger = logging.getLogger(__name__)

PLATFORM_FOR_OBJECT = {"instagram": Platform.instagram, "page": Platform.facebook}


class Skip(Exception):
    """Not for us (an echo, a reaction, an edit): counted as ignored, not as an error."""


def _instagram_comment(value: dict[str, Any], entry: dict[str, Any], own: Collection[str]) -> Interaction:
    author = value.get("from") or {}
    if str(author.get("id")) in own or str(author.get("self_ig_scoped_id", "")) in own:
        raise Skip("comment by our own account")
    media = value.get("media") or {}
    return Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=str(value["id"]),
                       author_id=str(author["id"]), author_name=str(author.get("username", "")),
                       text=value["text"], post_id=str(media["id"]) if media.get("id") else None,
                       parent_id=str(value["parent_id"]) if value.get("parent_id") else None,
                       created_at=to_datetime(value.get("timestamp") or entry["time"]))


def _page_feed(value: dict[str, Any], entry: dict[str, Any], own: Collection[str]) -> Interaction:
    if value.get("item") != "comment":
        raise Skip(f"feed item {value.get('item')!r}")
    if value.get("verb") != "add":
        raise Skip(f"comment verb {value.get('verb')!r}")
    author = value.get("from") or {}
    if str(author.get("id")) in own:
        raise Skip("comment by our own page")
    post_id = str(value["post_id"]) if value.get("post_id") else None
    parent = str(value["parent_id"]) if value.get("parent_id") else None
    return Interaction(platform=Platform.facebook, kind=Kind.comment, external_id=str(value["comment_id"]),
                       author_id=str(author["id"]), author_name=str(author.get("name", "")),
                       text=value["message"], post_id=post_id,
                       # A top-level comment's parent is the post itself; only a reply has a parent comment.
                       parent_id=parent if parent != post_id else None,
                       created_at=to_datetime(value.get("created_time") or entry["time"]))


def _message(event: dict[str, Any], platform: Platform, own: Collection[str]) -> Interaction:
    message = event.get("message")
    if not isinstance(message, dict):
        raise Skip("not a message (read, delivery, reaction or postback)")
    if message.get("is_echo") or str((event.get("sender") or {}).get("id")) in own:
        raise Skip("echo of our own message")
    if message.get("is_deleted"):
        raise Skip("message deleted")
    if not message.get("text"):
        raise Skip("message without text (attachment only)")
    sender = event["sender"]
    reply_to = message.get("reply_to") or {}
    kind = Kind.story_reply if reply_to.get("story") else Kind.dm
    return Interaction(platform=platform, kind=kind, external_id=str(message["mid"]), author_id=str(sender["id"]),
                       text=message["text"], created_at=to_datetime(event["timestamp"]),
                       parent_id=str(reply_to["mid"]) if reply_to.get("mid") else None)


def _change(change: dict[str, Any], entry: dict[str, Any], platform: Platform, own: Collection[str]) -> Interaction:
    fieldname = change.get("field")
    value = change["value"]
    if platform == Platform.instagram and fieldname in ("comments", "live_comments"):
        return _instagram_comment(value, entry, own)
    if platform == Platform.facebook and fieldname == "feed":
        return _page_feed(value, entry, own)
    if fieldname == "messages":  # the App Dashboard's test delivery puts a messaging event in `changes`
        return _message(value, platform, own)
    raise Skip(f"field {fieldname!r} not handled")


def _received_by(entry: dict[str, Any], interaction: Interaction) -> Interaction:
    """The entry's id is our Instagram business account or Facebook Page: the account that answers."""
    account = entry.get("id")
    if account is None or account == "":
        return interaction
    if not isinstance(account, str | int) or len(str(account)) > 256:
        raise ValueError(f"bad entry id {str(account)[:40]!r}")
    return interaction.model_copy(update={"account_id": str(account)})


def _attempt(report: ParseReport, where: str, build: Callable[[], Interaction]) -> None:
    try:
        report.interactions.append(build())
    except Skip as skip:
        report.ignored.append((where, str(skip)))
    except (KeyError, TypeError, ValueError, AttributeError, ValidationError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        report.rejected.append((where, f"{exc.__class__.__name__}: {reason}"[:300]))


def parse_meta_delivery(payload: Any, own_ids: Collection[str] = ()) -> ParseReport:
    """Every comment and message in one webhook delivery; `own_ids` are our accounts' ids (for echoes)."""
    report = ParseReport()
    # isinstance first: an unhashable "object" (a list) crashed the lookup (found by fuzzing).
    if not isinstance(payload, dict) or not isinstance(payload.get("object"), str) \
            or payload["object"] not in PLATFORM_FOR_OBJECT:
        kind = payload.get("object") if isinstance(payload, dict) else type(payload).__name__
        report.rejected.append(("delivery", f"unknown object {kind!r}"))
        return report
    platform = PLATFORM_FOR_OBJECT[payload["object"]]
    entries = payload.get("entry")
    if not isinstance(entries, list):
        report.rejected.append(("delivery", "no entry list"))
        return report
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            report.rejected.append((f"entry[{i}]", "not an object"))
            continue
        own = {*map(str, own_ids), str(entry.get("id"))}
        for j, change in enumerate(_list(report, f"entry[{i}].changes", entry.get("changes"))):
            _attempt(report, f"entry[{i}].changes[{j}]", lambda change=change, entry=entry, own=own:
                     _received_by(entry, _change(change, entry, platform, own)))
        for j, event in enumerate(_list(report, f"entry[{i}].messaging", entry.get("messaging"))):
            _attempt(report, f"entry[{i}].messaging[{j}]", lambda event=event, entry=entry, own=own:
                     _received_by(entry, _message(event, platform, own)))
    return report


def _list(report: ParseReport, where: str, value: Any) -> list[Any]:
    # A non-list here (a number, a string) is a malformed entry, not a reason to fail the whole delivery.
    if value is None or isinstance(value, list):
        return value or []
    report.rejected.append((where, "not a list"))
    return []
