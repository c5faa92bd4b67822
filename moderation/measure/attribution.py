"""Attribution: which conversation an order came from, and how we know.

An order is matched to an interaction by, in this order of strength: its `utm_content` (the reference every link
the bot sends carries), its discount code (handed out per conversation), or the customer's email or handle found
on a lead. The customer's touches are the interactions of that person the brand answered within the window
before the order (default 7 days), plus the matched interaction itself. The last DM touch wins; with no DM touch,
the matched interaction (else the last touch). The other touches count as assisted. Each `converted` event says
how the order was matched (`matched_by`) and which touch won (`touch`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from moderation.domain import EventAction, as_utc
from moderation.domain.attribution import (
    code_key,
    discount_code,
    interaction_ref,
    normalise_ref,
)
from moderation.measure.crm_queue import conversion_payload, enqueue_delivery
from moderation.measure.events import record_event
from moderation.measure.kpis.dialect import action_is
from moderation.storage.tables import ConversionRow, ConversionTouchRow, EventRow, InteractionRow, LeadRow

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = timedelta(days=7)
PRIVATE_KINDS = ("dm", "story_reply")
MATCHES = ("utm_content", "discount_code", "lead_email", "lead_handle")


@dataclass(frozen=True)
class Touch:
    id: str
    platform: str
    kind: str
    author_id: str
    created_at: datetime
    campaign: str | None


@dataclass
class AttributionResult:
    attributed: int = 0
    unmatched: int = 0
    by_match: dict[str, int] = field(default_factory=dict)


@dataclass
class _Index:
    """The interactions of the window, the ones the brand answered, and the leads, read once per run."""

    by_id: dict[str, Touch]
    by_ref: dict[str, Touch]
    by_code: dict[str, Touch]
    by_author: dict[tuple[str, str], list[Touch]]
    answered: set[str]
    lead_by_email: dict[str, LeadRow]
    lead_by_handle: dict[str, LeadRow]
    lead_by_author: dict[tuple[str, str], LeadRow]


def _load(session: Session, since: datetime, until: datetime) -> _Index:
    i = InteractionRow
    rows = session.execute(sa.select(i.id, i.platform, i.kind, i.author_id, i.created_at, i.campaign)
                           .where(i.created_at >= since, i.created_at <= until)).all()
    touches = [Touch(r.id, r.platform, r.kind, r.author_id, as_utc(r.created_at), r.campaign) for r in rows]
    by_author: dict[tuple[str, str], list[Touch]] = defaultdict(list)
    for touch in touches:
        by_author[(touch.platform, touch.author_id)].append(touch)
    answered_events = sa.or_(action_is("response_sent"), action_is("dm_sent"))
    answered = set(session.scalars(
        sa.select(EventRow.interaction_id).distinct()
        .where(EventRow.occurred_at >= since, EventRow.occurred_at <= until + timedelta(days=1), answered_events)))
    leads = list(session.scalars(sa.select(LeadRow)))
    return _Index(
        by_id={t.id: t for t in touches},
        by_ref={interaction_ref(t.id): t for t in touches},
        by_code={code_key(discount_code(t.id)): t for t in touches},
        by_author=by_author, answered=answered,
        lead_by_email={lead.email.lower(): lead for lead in leads if lead.email},
        lead_by_handle={lead.handle.lower().lstrip("@"): lead for lead in leads if lead.handle},
        lead_by_author={(lead.platform, lead.author_id): lead for lead in leads},
    )


def _match(order: ConversionRow, index: _Index) -> tuple[str, Touch | None, tuple[str, str] | None] | None:
    """(matched_by, the matched interaction if any, the customer's (platform, author id))."""
    ref = normalise_ref(order.utm_content)
    if ref and ref in index.by_ref:
        touch = index.by_ref[ref]
        return "utm_content", touch, (touch.platform, touch.author_id)
    code = code_key(order.discount_code)
    if code and code in index.by_code:
        touch = index.by_code[code]
        return "discount_code", touch, (touch.platform, touch.author_id)
    lead, how = None, ""
    if order.customer_email and order.customer_email.lower() in index.lead_by_email:
        lead, how = index.lead_by_email[order.customer_email.lower()], "lead_email"
    handle = (order.customer_handle or "").lower().lstrip("@")
    if lead is None and handle and handle in index.lead_by_handle:
        lead, how = index.lead_by_handle[handle], "lead_handle"
    if lead is None:
        return None
    # The conversation that made the lead counts as a touch (a lead is a brand action) even if unanswered.
    return how, index.by_id.get(lead.last_interaction_id), (lead.platform, lead.author_id)


def _touches(order_time: datetime, window: timedelta, anchor: Touch | None, customer: tuple[str, str],
             index: _Index) -> list[Touch]:
    since = order_time - window
    found = {t.id: t for t in index.by_author.get(customer, ())
             if since <= t.created_at <= order_time and t.id in index.answered}
    if anchor is not None and since <= anchor.created_at <= order_time:
        found[anchor.id] = anchor
    return sorted(found.values(), key=lambda t: (t.created_at, t.id))


def _winner(touches: list[Touch], anchor: Touch | None) -> tuple[Touch, str]:
    dms = [t for t in touches if t.kind in PRIVATE_KINDS]
    if dms:
        return dms[-1], "last_dm"
    if anchor is not None and anchor in touches:
        return anchor, "matched"  # the link, code or lead conversation the order names
    return touches[-1], "last"


def attribute(session: Session, order_ids: Sequence[str] | None = None, *,
              window: timedelta = DEFAULT_WINDOW) -> AttributionResult:
    """Attribute the given orders (default: every order not attributed yet), in the caller's transaction."""
    query = sa.select(ConversionRow).where(ConversionRow.interaction_id.is_(None))
    if order_ids is not None:
        if not order_ids:
            return AttributionResult()
        query = query.where(ConversionRow.order_id.in_(list(order_ids)))
    # Locked, so `conversions attribute` running beside an import or a webhook never records an order twice.
    orders = list(session.scalars(query.order_by(ConversionRow.occurred_at).with_for_update(skip_locked=True)))
    result = AttributionResult()
    if not orders:
        return result
    times = [as_utc(o.occurred_at) for o in orders]
    index = _load(session, min(times) - window, max(times))
    decided = []
    for order in orders:
        at = as_utc(order.occurred_at)
        match = _match(order, index)
        if match is not None and match[0] in ("utm_content", "discount_code") and not (
                at - window <= match[1].created_at <= at):  # type: ignore[union-attr]
            # The link or code is older than the window, or newer than the order (it did not exist yet): the
            # order is not ours to claim, even if the same person talked to us since.
            match = None
        touches = _touches(at, window, match[1], match[2], index) if match and match[2] else []
        if match is None or not touches:
            result.unmatched += 1
            continue
        matched_by, anchor, customer = match
        winner, how = _winner(touches, anchor)
        decided.append((order, winner, how, matched_by, [t for t in touches if t.id != winner.id],
                        index.lead_by_author.get(customer) if customer else None))
        result.attributed += 1
        result.by_match[matched_by] = result.by_match.get(matched_by, 0) + 1
    # One read for the winners' rows, and no flush per order: a 2,000-order file is a handful of statements
    # plus one insert per event (each event updates kpi_facts).
    rows: dict[str, InteractionRow] = {}
    ids = sorted({winner.id for _, winner, *_ in decided})
    for lo in range(0, len(ids), 500):
        rows.update({r.id: r for r in session.scalars(sa.select(InteractionRow)
                                                       .where(InteractionRow.id.in_(ids[lo:lo + 500])))})
    with session.no_autoflush:
        for order, winner, how, matched_by, assisted, lead in decided:
            _record(session, order, rows[winner.id], winner, how, matched_by, assisted, window, lead)
    logger.info("moderation.measure.attribution.done", extra={"attributed": result.attributed,
                                                              "unmatched": result.unmatched})
    return result


def _record(session: Session, order: ConversionRow, interaction: InteractionRow, winner: Touch, how: str,
            matched_by: str, assisted: list[Touch], window: timedelta, lead: LeadRow | None) -> None:
    at = as_utc(order.occurred_at)
    order.interaction_id, order.platform, order.campaign = winner.id, winner.platform, winner.campaign
    order.matched_by, order.attributed_at = matched_by, at
    session.add(order)
    session.add(ConversionTouchRow(order_id=order.order_id, interaction_id=winner.id, role="last", occurred_at=at))
    for touch in assisted:
        session.add(ConversionTouchRow(order_id=order.order_id, interaction_id=touch.id, role="assisted",
                                       occurred_at=at))
    record_event(session, interaction, EventAction.converted, occurred_at=at, data={
        "order_id": order.order_id, "amount": order.amount, "currency": order.currency, "matched_by": matched_by,
        "touch": how, "assisted": [t.id for t in assisted], "window_days": window.total_seconds() / 86400})
    if lead is not None:
        enqueue_delivery(session, "conversion.created", f"conversion:{order.order_id}",
                         conversion_payload(order, lead), now=at)
