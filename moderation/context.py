"""Reads the DecisionContext snapshot for one interaction from storage, so the engine itself stays pure."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from moderation.events import EventAction
from moderation.storage.tables import ActionRow, ClassificationRow, EventRow, InteractionRow
from playbooks.plan import DecisionContext

WINDOW = timedelta(minutes=10)
BASELINE = timedelta(hours=24)
RECENT_TEMPLATES = timedelta(days=7)
CAMPAIGN_WINDOW = 50  # the "last N interactions" the self-pause guardrail looks at


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
    toxic_per_window = 0.0
    if interaction.post_id:
        on_post = (InteractionRow.post_id == interaction.post_id, InteractionRow.platform == interaction.platform)
        post_volume = _count_on_post(session, on_post, at - WINDOW, at)
        post_toxic = _count_on_post(session, on_post, at - WINDOW, at, toxic=True)
        day_toxic = _count_on_post(session, on_post, at - BASELINE, at - WINDOW, toxic=True)
        toxic_per_window = toxic_baseline(day_toxic)
    recent_total, recent_negative = _campaign_recent(session, interaction, at)
    rate, baseline = _campaign_conversion(session, interaction.campaign, at)
    return DecisionContext(
        now=now,
        author_recent_templates=_recent_templates(session, interaction, at),
        campaign_recent_interactions=recent_total,
        campaign_recent_negative=recent_negative,
        campaign_conversion_rate=rate,
        campaign_conversion_baseline=baseline,
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
        post_toxic_baseline_10m=toxic_per_window,
    )


def _count_on_post(session: Session, on_post: tuple[sa.ColumnElement[bool], ...], start: datetime,
                   end: datetime, *, toxic: bool = False) -> int:
    query = select(sa.func.count()).select_from(InteractionRow).where(
        *on_post, InteractionRow.created_at >= start, InteractionRow.created_at <= end)
    if toxic:
        query = query.join(ClassificationRow, ClassificationRow.interaction_id == InteractionRow.id).where(
            ClassificationRow.toxicity >= 0.5)
    return int(session.exec(query).one())


def _recent_templates(session: Session, interaction: InteractionRow, at: datetime) -> frozenset[str]:
    """Templates of what we sent this author in the last week (lets a playbook react to an answer to an offer)."""
    rows = session.exec(
        select(ActionRow.params).join(InteractionRow, InteractionRow.id == ActionRow.interaction_id).where(
            InteractionRow.author_id == interaction.author_id,
            InteractionRow.platform == interaction.platform,
            InteractionRow.id != interaction.id,
            ActionRow.operation.in_(("reply", "dm")),
            ActionRow.state == "done",
            ActionRow.created_at >= at - RECENT_TEMPLATES,
        )
    ).all()
    return frozenset(str(params["template"]) for params in rows if params.get("template"))


def _campaign_recent(session: Session, interaction: InteractionRow, at: datetime) -> tuple[int, int]:
    """How many of the campaign's last interactions (before this one) were scored, and how many negative."""
    if not interaction.campaign:
        return 0, 0
    last = (
        select(ClassificationRow.sentiment)
        .join(InteractionRow, InteractionRow.id == ClassificationRow.interaction_id)
        .where(InteractionRow.campaign == interaction.campaign, InteractionRow.created_at <= at)
        .order_by(InteractionRow.created_at.desc())
        .limit(CAMPAIGN_WINDOW)
        .subquery()
    )
    total, negative = session.exec(select(
        sa.func.count(), sa.func.sum(sa.case((last.c.sentiment == "negative", 1), else_=0)))).one()
    return int(total or 0), int(negative or 0)


def _campaign_conversion(session: Session, campaign: str | None, at: datetime) -> tuple[float | None, float | None]:
    """Conversions per interaction for the campaign this week, and over the 30 days before as the baseline."""
    if not campaign:
        return None, None

    def rate(start: datetime, end: datetime) -> float | None:
        interactions = int(session.exec(select(sa.func.count()).select_from(InteractionRow).where(
            InteractionRow.campaign == campaign, InteractionRow.created_at >= start,
            InteractionRow.created_at < end)).one())
        if not interactions:
            return None
        converted = _suffix_count(session, EventAction.converted, EventRow.campaign == campaign,
                                  EventRow.occurred_at >= start, EventRow.occurred_at < end)
        return converted / interactions

    week = timedelta(days=7)
    return rate(at - week, at), rate(at - week - timedelta(days=30), at - week)


def toxic_baseline(day_toxic: int) -> float:
    """Toxic comments per WINDOW over the day before the window (the spike guardrail's baseline)."""
    return day_toxic / (BASELINE / WINDOW - 1)


def paused_campaign_events(session: Session) -> list[tuple[str, datetime, int, bool]]:
    """Each campaign's latest pause/resume event: (campaign, occurred_at, event id, paused)."""
    rows = session.exec(
        select(EventRow.campaign, EventRow.name, EventRow.occurred_at, EventRow.id).where(
            EventRow.campaign.is_not(None),
            sa.or_(EventRow.name.like("%automation_paused"), EventRow.name.like("%automation_resumed")),
        ).order_by(EventRow.occurred_at, EventRow.id)
    ).all()
    latest: dict[str, tuple[str, datetime, int, bool]] = {}
    for campaign, name, occurred_at, event_id in rows:
        latest[campaign] = (campaign, occurred_at, event_id, name.endswith("automation_paused"))
    return list(latest.values())


def paused_campaigns(session: Session) -> frozenset[str]:
    """A campaign is paused when its latest pause/resume event is a pause."""
    return frozenset(campaign for campaign, _, _, paused in paused_campaign_events(session) if paused)
