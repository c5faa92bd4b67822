"""A/B reply variants measured from the event log: per variant response, conversion and approval-without-edit
rates, with Fisher's exact test (right for the small counts a community team sees)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from moderation.domain import as_utc
from moderation.measure.kpis.dialect import action_is
from moderation.storage.tables import EventRow, InteractionRow

# Below this many interactions a variant, or with an expected cell under 5, no test result is claimed.
MIN_PER_VARIANT = 20
SIGNIFICANT = 0.05
_OUTCOMES = ("response_sent", "reply_drafted", "reply_approved", "reply_edited", "reply_rejected", "converted",
             "dm_sent")


@dataclass(frozen=True)
class VariantStats:
    template: str
    variant: str
    assigned: int  # interactions given this variant (drafted or sent)
    responded: int  # of those, a reply was sent
    converted: int
    approved: int  # drafts approved without edit
    reviewed: int  # drafts decided: approved + edited + rejected

    def rate(self, name: str) -> float | None:
        num, den = {"response": (self.responded, self.assigned), "conversion": (self.converted, self.assigned),
                    "approval": (self.approved, self.reviewed)}[name]
        return num / den if den else None

    def counts(self, name: str) -> tuple[int, int]:
        """(successes, trials) for a rate."""
        return {"response": (self.responded, self.assigned), "conversion": (self.converted, self.assigned),
                "approval": (self.approved, self.reviewed)}[name]


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on [[a, b], [c, d]]: the probability, with the margins fixed,
    of a table at most as likely as the one observed."""
    row1, col1, n = a + b, a + c, a + b + c + d
    if n == 0:
        return 1.0
    low, high = max(0, col1 - (n - row1)), min(row1, col1)

    def probability(x: int) -> float:
        return math.comb(row1, x) * math.comb(n - row1, col1 - x) / math.comb(n, col1)

    observed = probability(a)
    # A relative tolerance so tables exactly as likely as the observed one count despite rounding.
    return min(1.0, sum(p for x in range(low, high + 1) if (p := probability(x)) <= observed * (1 + 1e-7)))


def enough_data(first: VariantStats, second: VariantStats, name: str) -> bool:
    """At least MIN_PER_VARIANT trials each and every expected cell of the 2x2 table at least 5."""
    (s1, n1), (s2, n2) = first.counts(name), second.counts(name)
    if min(n1, n2) < MIN_PER_VARIANT:
        return False
    successes, total = s1 + s2, n1 + n2
    return min(n * k / total for n in (n1, n2) for k in (successes, total - successes)) >= 5


def variant_stats(session: Session, start: datetime, end: datetime) -> list[VariantStats]:
    """Every (template, variant) seen on events of interactions received in [start, end)."""
    received = sa.and_(InteractionRow.created_at >= as_utc(start), InteractionRow.created_at < as_utc(end))
    variant = EventRow.data["variant"].as_string()
    template = EventRow.data["template"].as_string()
    tagged = session.execute(
        sa.select(EventRow.interaction_id, template, variant)
        .join(InteractionRow, InteractionRow.id == EventRow.interaction_id)
        .where(received, variant.is_not(None), sa.or_(*(action_is(a) for a in _OUTCOMES)))
        .distinct()).all()
    assignment: dict[str, tuple[str, str]] = {}
    for interaction_id, template_name, variant_name in tagged:
        # One interaction, one variant per template; the first seen is kept should events disagree.
        assignment.setdefault(interaction_id, (template_name or "?", variant_name))
    if not assignment:
        return []
    outcomes: dict[str, set[str]] = defaultdict(set)
    ids = list(assignment)
    for chunk in range(0, len(ids), 500):  # bounded IN lists
        rows = session.execute(
            sa.select(EventRow.interaction_id, EventRow.name)
            .where(EventRow.interaction_id.in_(ids[chunk:chunk + 500]),
                   sa.or_(*(action_is(a) for a in _OUTCOMES)))).all()
        for interaction_id, name in rows:  # `<platform>.<kind>_<action>`
            outcomes[interaction_id].update(a for a in _OUTCOMES if name.endswith(f"_{a}"))
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 5)
    for interaction_id, key in assignment.items():
        seen = outcomes[interaction_id]
        row = totals[key]
        row[0] += 1
        row[1] += "response_sent" in seen
        row[2] += "converted" in seen
        row[3] += "reply_approved" in seen
        row[4] += bool(seen & {"reply_approved", "reply_edited", "reply_rejected"})
    return [VariantStats(t, v, *counts) for (t, v), counts in sorted(totals.items())]
