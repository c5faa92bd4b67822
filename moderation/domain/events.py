"""Event names: `<platform>.<object>_<action>`, and who acted. The log itself: `moderation.measure.events`."""

from __future__ import annotations

import enum

from moderation.domain.interaction import Kind, Platform

AUTOMATION = "automation"


class EventAction(str, enum.Enum):
    received = "received"
    classified = "classified"
    reply_drafted = "reply_drafted"
    reply_approved = "reply_approved"
    reply_edited = "reply_edited"
    reply_rejected = "reply_rejected"
    response_sent = "response_sent"  # any reply or DM that reached the author, by automation or a person
    dm_sent = "dm_sent"
    hidden = "hidden"
    unhidden = "unhidden"
    deleted = "deleted"
    held = "held"
    released = "released"
    tagged = "tagged"
    lead_created = "lead_created"
    converted = "converted"
    escalated = "escalated"
    escalation_acknowledged = "escalation_acknowledged"
    resolved = "resolved"
    notified = "notified"
    follow_up_scheduled = "follow_up_scheduled"
    follow_up_cancelled = "follow_up_cancelled"
    action_failed = "action_failed"
    action_dead_lettered = "action_dead_lettered"
    automation_paused = "automation_paused"
    automation_resumed = "automation_resumed"
    # The review queue: an item hidden, held or routed to a person gets a card; a person's verdict on it.
    review_opened = "review_opened"
    reviewed = "reviewed"
    routed_to_person = "routed_to_person"  # the platform offers no operation for the plan's intent
    escalation_repaged = "escalation_repaged"  # nobody acknowledged: the next level was paged


def event_name(platform: Platform | str, kind: Kind | str, action: EventAction | str) -> str:
    """`instagram.comment_hidden`, `facebook.dm_response_sent`, ..."""
    return f"{Platform(platform).value}.{Kind(kind).value}_{EventAction(action).value}"
