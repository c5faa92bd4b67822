"""Tally: the additive counts and sums every KPI is a ratio of. Buckets, platforms and campaigns add up."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields


class Flag(enum.IntEnum):
    """Bits of the per-interaction flags the SQL computes (`sum(DISTINCT 1 << bit)` = bitwise OR)."""

    private = 0  # received as a DM or a story reply (the DM inbox); otherwise a public comment or mention
    approved = 1  # a draft approved without edit
    edited = 2
    rejected = 3
    hidden = 4
    unhidden = 5
    deleted = 6
    held = 7
    released = 8
    escalated = 9
    resolved = 10
    lead = 11
    converted = 12
    negative = 13
    neutral = 14
    positive = 15
    automated_reply = 16  # a response sent by automation
    human_reply = 17  # a response sent by a person (an approved draft is sent as the approver)

    @property
    def mask(self) -> int:
        return 1 << self.value


REMOVED_MASK = Flag.hidden.mask | Flag.deleted.mask | Flag.held.mask
DRAFT_DECISION_MASK = Flag.approved.mask | Flag.edited.mask | Flag.rejected.mask
# A person took part: decided a draft, replied, reversed a moderation action (escalations are checked apart).
PERSON_MASK = DRAFT_DECISION_MASK | Flag.human_reply.mask | Flag.unhidden.mask | Flag.released.mask


@dataclass
class Tally:
    volume: int = 0
    dms: int = 0
    comments: int = 0
    responded: int = 0
    answerable: int = 0  # received and not removed without an answer
    comments_answerable: int = 0
    comments_responded: int = 0
    dms_answerable: int = 0
    dms_responded: int = 0
    first_response_seconds: float = 0.0  # sum over responded interactions
    dms_first_response_seconds: float = 0.0
    response_seconds: float = 0.0  # sum over all responses
    responses: int = 0
    automated_replied: int = 0  # interactions with a response from automation
    human_replied: int = 0  # interactions with a response from a person
    resolved: int = 0
    escalated: int = 0
    deflected: int = 0
    approved: int = 0
    edited: int = 0
    rejected: int = 0
    sla_met: int = 0
    sla_breached: int = 0
    leads: int = 0
    conversions: int = 0
    dm_leads: int = 0
    comment_conversions: int = 0
    hidden: int = 0
    deleted: int = 0
    held: int = 0
    unhidden: int = 0
    released: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    # From the orders and the moderation events (outcomes.py), not from the flags:
    revenue: float = 0.0  # amounts of the orders attributed to these interactions (last touch)
    assisted: int = 0  # interactions that were an earlier touch of an order attributed to another one
    moderated: int = 0  # interactions hidden, held or deleted
    moderate_seconds: float = 0.0  # sum over them of max(0, first hidden/held/deleted - received)

    def __add__(self, other: Tally) -> Tally:
        return Tally(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})
