"""Test data made the real way: interactions stored, scored and planned, so approvals and escalations are genuine."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from bot.views import KpiAnswer, KpiQuestion
from moderation.act.executor import execute_plan
from moderation.domain import Action, ActionType, Interaction, Kind, Plan, Platform
from moderation.ingest.store import store_interactions
from moderation.measure.events import EventAction, record_event
from moderation.measure.kpis import platform_kpis
from moderation.storage import Database
from moderation.storage.tables import ClassificationRow, InteractionRow

_ids = itertools.count(1)


def seed_plan(db: Database, action: Action, *, at: datetime, text: str = "how much is the lamp?",
              platform: str = "instagram", author: str = "lea") -> tuple[list[int], list[int]]:
    interaction = Interaction(platform=Platform(platform), kind=Kind.comment, external_id=f"c{next(_ids)}",
                              author_id=f"id-{author}", author_name=author, text=text, post_id="p1", created_at=at)
    store_interactions(db, [interaction], source="test")
    with db.session() as session:
        row = session.get(InteractionRow, interaction.id)
        session.add(ClassificationRow(interaction_id=row.id, intent="pricing", intent_confidence=0.93,
                                      toxicity=0.02, sentiment="neutral", lang="en",
                                      explanation={"top_terms": "how much, price"}))
        work = execute_plan(session, row, Plan(interaction_id=row.id, actions=(action,)), library_version="t",
                            approval_minutes=30)
    return work.approvals, work.escalations


def seed_approval(db: Database, *, at: datetime, draft: str = "It is 49 €, here is the link!",
                  alternatives: list[dict[str, str]] | None = None, **kw: Any) -> int:
    params: dict[str, Any] = {"text": draft, **({"alternatives": alternatives} if alternatives else {})}
    action = Action(type=ActionType.draft_reply, params=params, rule="pricing/quote", rule_version="1",
                    reason="price question")
    return seed_plan(db, action, at=at, **kw)[0][0]


def seed_escalation(db: Database, *, at: datetime, level: str = "priority", team: str = "community",
                    **kw: Any) -> int:
    action = Action(type=ActionType.escalate, params={"level": level, "team": team}, rule="safety/threat",
                    rule_version="1", reason="threat against staff")
    return seed_plan(db, action, at=at, text="I know where your shop is", **kw)[1][0]


def record_reply(db: Database, interaction_id: str, at: datetime) -> None:
    with db.session() as session:
        record_event(session, session.get(InteractionRow, interaction_id), EventAction.response_sent, occurred_at=at)


class EventKpiSource:
    """A small KpiSource over the real event log (the KPI layer ships the full one)."""

    GOALS = {"response_rate": 0.9, "first_response_time": 30.0}

    def __init__(self, db: Database, now: datetime) -> None:
        self.db = db
        self.now = now

    def metrics(self) -> dict[str, str]:
        return {"response_rate": "Response rate", "first_response_time": "First response time",
                "escalations": "Escalations"}

    def _value(self, metric: str, platform: str | None, start: datetime, end: datetime) -> float | None:
        with self.db.session() as session:
            rows = [k for k in platform_kpis(session, start, end) if platform in (None, k.platform)]
        volume = sum(k.volume for k in rows)
        responded = sum(k.responded for k in rows)
        if metric == "response_rate":
            return responded / volume if volume else None
        if metric == "escalations":
            return float(sum(k.escalated for k in rows))
        timed = [k for k in rows if k.first_response_seconds_avg is not None]
        total = sum(k.responded for k in timed)
        return sum(k.first_response_seconds_avg * k.responded for k in timed) / total / 60 if total else None

    def answer(self, question: KpiQuestion) -> KpiAnswer:
        days = timedelta(days=question.window_days)
        end = self.now - timedelta(days=question.offset_days)
        unit = {"response_rate": "%", "first_response_time": "min", "escalations": "count"}[question.metric]
        return KpiAnswer(question=question, label=self.metrics()[question.metric], unit=unit,
                         value=self._value(question.metric, question.platform, end - days, end),
                         previous=self._value(question.metric, question.platform, end - 2 * days, end - days),
                         goal=self.GOALS.get(question.metric))
