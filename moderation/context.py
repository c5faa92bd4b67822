"""Reads the DecisionContext snapshot for one interaction from storage, so the engine itself stays pure."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from moderation.events import EventAction
from moderation.storage.tables import ClassificationRow, EventRow, InteractionRow
from playbooks.plan import DecisionContext

WINDOW = timedelta(minutes=10)
BASELINE = timedelta(hours=24)


def _suffix_count(session: Session, action: EventAction, *conditions: sa.ColumnElement[bool]) -> int:
    query = select(sa.func.count()).select_from(EventRow).where(EventRow.name.like(f"%\\_{action.value}",
                                                                                  escape="\\"), *conditions)
    return int(session.exec(query).one())


def build_context(
    session: Session,
    interaction: InteractionRow,
    *,
    now: datetime,
    timezone: str,
    business_hours: tuple[int, int],
    business_days: tuple[int, ...],
) -> DecisionContext:
    at = interaction.created_at
    author_ids = select(InteractionRow.id).where(InteractionRow.author_id == interaction.author_id,
                                                 InteractionRow.platform == interaction.platform)
    hidden_30d = _suffix_count(session, EventAction.hidden, EventRow.interaction_id.in_(author_ids),
                               EventRow.occurred_at >= at - timedelta(days=30))
    previous = int(session.exec(
        select(sa.func.count()).select_from(InteractionRow).where(
            InteractionRow.author_id == interaction.author_id,
            InteractionRow.platform == interaction.platform,
            InteractionRow.created_at < at,
        )
    ).one())
    is_lead = _suffix_count(session, EventAction.lead_created, EventRow.interaction_id.in_(author_ids)) > 0
    is_customer = _suffix_count(session, EventAction.converted, EventRow.interaction_id.in_(author_ids)) > 0
    post_volume = post_toxic = 0
    toxic_baseline = 0.0
    if interaction.post_id:
        on_post = (InteractionRow.post_id == interaction.post_id, InteractionRow.platform == interaction.platform)
        post_volume = _count_on_post(session, on_post, at - WINDOW, at)
        post_toxic = _count_on_post(session, on_post, at - WINDOW, at, toxic=True)
        day_toxic = _count_on_post(session, on_post, at - BASELINE, at - WINDOW, toxic=True)
        toxic_baseline = day_toxic / (BASELINE / WINDOW - 1)
    return DecisionContext(
        now=now,
        timezone=timezone,
        business_hours=business_hours,
        business_days=business_days,
        author_hidden_30d=hidden_30d,
        author_previous_interactions=previous,
        author_is_lead=is_lead,
        author_is_customer=is_customer,
        paused_campaigns=paused_campaigns(session),
        post_volume_10m=post_volume,
        post_toxic_10m=post_toxic,
        post_toxic_baseline_10m=toxic_baseline,
    )


def _count_on_post(session: Session, on_post: tuple[sa.ColumnElement[bool], ...], start: datetime,
                   end: datetime, *, toxic: bool = False) -> int:
    query = select(sa.func.count()).select_from(InteractionRow).where(
        *on_post, InteractionRow.created_at >= start, InteractionRow.created_at <= end)
    if toxic:
        query = query.join(ClassificationRow, ClassificationRow.interaction_id == InteractionRow.id).where(
            ClassificationRow.toxicity >= 0.5)
    return int(session.exec(query).one())


def paused_campaigns(session: Session) -> frozenset[str]:
    """A campaign is paused when its latest pause/resume event is a pause."""
    rows = session.exec(
        select(EventRow.campaign, EventRow.name).where(
            EventRow.campaign.is_not(None),
            sa.or_(EventRow.name.like("%automation_paused"), EventRow.name.like("%automation_resumed")),
        ).order_by(EventRow.occurred_at, EventRow.id)
    ).all()
    state: dict[str, bool] = {}
    for campaign, name in rows:
        state[campaign] = name.endswith("automation_paused")
    return frozenset(campaign for campaign, paused in state.items() if paused)
