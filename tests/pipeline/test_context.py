"""The DecisionContext of a batch equals the one of each item decided alone (a batch of one, the worker's fallback),
and both read every field right, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from moderation.act.executor import execute_plan
from moderation.domain import Action, ActionType, Interaction, Kind, Plan, Platform
from moderation.domain.ports import NoHumans
from moderation.ingest.store import store_interactions
from moderation.measure.events import EventAction, record_event
from moderation.pipeline.context import BatchContext
from moderation.pipeline.worker import ModerationWorker, WorkerSettings
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ClassificationRow, DecisionRow, EventRow, InteractionRow
from playbooks import load_library
from tests.scale.support import KeywordClassifier
from tests.support.databases import fresh_postgres_url, postgres_base_url, sqlite_url

T = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
NOW = T + timedelta(minutes=1)
CALENDAR = {"timezone": "Europe/Paris", "business_hours": (9, 18), "business_days": (0, 1, 2, 3, 4)}


def _comment(external_id: str, author: str, at: datetime, *, post: str | None = "p1", campaign: str | None = "spring",
             text: str = "how much is it?") -> Interaction:
    return Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=external_id, author_id=author,
                       text=text, post_id=post, created_at=at, campaign=campaign)


HISTORY = [
    _comment("h-ann-1", "ann", T - timedelta(days=2)),
    _comment("h-ann-2", "ann", T - timedelta(days=40)),
    _comment("h-ann-3", "ann", T - timedelta(hours=1), post="p2"),
    _comment("h-bob-1", "bob", T - timedelta(days=3), campaign=None),
    _comment("h-cat-1", "cat", T - timedelta(days=2)),
    _comment("h-cat-2", "cat", T - timedelta(days=20)),
    _comment("h-eve-1", "eve", T - timedelta(minutes=5)),  # toxic, inside the 10-minute window
    _comment("h-eve-2", "eve", T - timedelta(hours=3)),  # toxic, in the day's baseline
    _comment("h-eve-3", "eve", T - timedelta(hours=30)),  # toxic, before the baseline
    _comment("h-summer", "fay", T - timedelta(days=1), campaign="summer"),
    _comment("h-autumn", "fay", T - timedelta(days=1, hours=1), campaign="autumn"),
]
TOXIC_HISTORY = {"h-eve-1", "h-eve-2", "h-eve-3"}
# The batch: two items by ann, two by dan (the first of which becomes a lead and pauses the campaign), toxic
# ones on the busy post, one off any post and campaign, one on another campaign.
BATCH = [
    _comment("b0", "ann", T, text="you idiot"),
    _comment("b1", "dan", T + timedelta(seconds=1)),
    _comment("b2", "ann", T + timedelta(seconds=2), text="trash, I hate it"),
    _comment("b3", "dan", T + timedelta(seconds=3)),
    _comment("b4", "gus", T + timedelta(seconds=4), post=None, campaign=None),
    _comment("b5", "hal", T + timedelta(seconds=5), campaign="summer", text="stupid"),
]
LEAD_AND_PAUSE = 1  # index of the batch item whose plan creates a lead and pauses its campaign


def _seed(db: Database) -> None:
    store_interactions(db, HISTORY, source="test")
    store_interactions(db, BATCH, source="test")
    with db.session() as session:
        rows = {row.external_id: row for row in session.exec(select(InteractionRow))}
        for external_id in [i.external_id for i in HISTORY]:
            row = rows[external_id]
            row.status = "done"
            session.add(row)
            negative = external_id in TOXIC_HISTORY or external_id == "h-cat-1"
            session.add(ClassificationRow(interaction_id=row.id, intent="other", intent_confidence=0.9,
                                          toxicity=0.9 if external_id in TOXIC_HISTORY else 0.1,
                                          sentiment="negative" if negative else "neutral", lang="en"))
        record_event(session, rows["h-ann-1"], EventAction.hidden, occurred_at=T - timedelta(days=1))
        record_event(session, rows["h-ann-2"], EventAction.hidden, occurred_at=T - timedelta(days=39))
        record_event(session, rows["h-bob-1"], EventAction.lead_created, occurred_at=T - timedelta(days=3))
        record_event(session, rows["h-cat-1"], EventAction.converted, occurred_at=T - timedelta(days=2))
        record_event(session, rows["h-cat-2"], EventAction.converted, occurred_at=T - timedelta(days=20))
        record_event(session, rows["h-summer"], EventAction.automation_paused, occurred_at=T - timedelta(days=1))
        record_event(session, rows["h-autumn"], EventAction.automation_paused, occurred_at=T - timedelta(days=2))
        record_event(session, rows["h-autumn"], EventAction.automation_resumed, occurred_at=T - timedelta(hours=5))
        for external_id, template, age in (("h-ann-1", "price", timedelta(days=1)),
                                           ("h-ann-2", "old", timedelta(days=10))):
            session.add(ActionRow(idempotency_key=f"{external_id}/reply", interaction_id=rows[external_id].id,
                                  type="auto_reply", operation="reply", platform="instagram", state="done",
                                  params={"template": template}, created_at=T - age, updated_at=T - age))


def _lead_and_pause(row: InteractionRow) -> Plan:
    return Plan(interaction_id=row.id, actions=(
        Action(type=ActionType.create_lead, params={"source": "test"}, rule="t/lead"),
        Action(type=ActionType.pause_automation, params={"campaign": row.campaign}, rule="t/pause")))


def _batch_rows(session) -> list[InteractionRow]:
    by_id = {row.external_id: row for row in session.exec(select(InteractionRow).where(
        InteractionRow.status == "pending"))}
    return [by_id[i.external_id] for i in BATCH]


def _classify(session, row: InteractionRow) -> float:
    toxicity = 0.9 if any(w in row.text for w in ("idiot", "trash", "stupid")) else 0.1
    session.add(ClassificationRow(interaction_id=row.id, intent="other", intent_confidence=0.9, toxicity=toxicity,
                                  sentiment="negative" if toxicity > 0.5 else "neutral", lang="en"))
    return toxicity


def test_batched_context_equals_the_per_item_one(db):
    _seed(db)
    with db.session() as session:
        per_item = []
        for k, row in enumerate(_batch_rows(session)):
            alone = BatchContext.load(session, [row])
            toxicity = _classify(session, row)
            session.flush()
            alone.observe_classified(row, toxicity=toxicity, sentiment="negative" if toxicity > 0.5 else "neutral")
            per_item.append(alone.context_for(row, now=NOW, **CALENDAR))
            if k == LEAD_AND_PAUSE:
                execute_plan(session, row, _lead_and_pause(row), library_version="t", approval_minutes=30, now=NOW)
                session.flush()
        session.rollback()

        rows = _batch_rows(session)
        batch = BatchContext.load(session, rows)
        batched = []
        for k, row in enumerate(rows):
            toxicity = _classify(session, row)
            batch.observe_classified(row, toxicity=toxicity, sentiment="negative" if toxicity > 0.5 else "neutral")
            batched.append(batch.context_for(row, now=NOW, **CALENDAR))
            if k == LEAD_AND_PAUSE:
                plan = _lead_and_pause(row)
                execute_plan(session, row, plan, library_version="t", approval_minutes=30, now=NOW)
                batch.observe_plan(row, plan, now=NOW)
        session.rollback()

    for k, (one, many) in enumerate(zip(per_item, batched, strict=True)):
        assert many == one, f"item {k}"
    # The seed reaches every field, so the equality above is not between two empty contexts.
    assert per_item[0].author_hidden_30d == 1 and per_item[0].author_previous_interactions == 3
    assert per_item[0].author_recent_templates == {"price"}
    assert per_item[0].post_volume_10m == 2 and per_item[0].post_toxic_10m == 2
    assert per_item[2].post_toxic_10m == 3 and per_item[0].post_toxic_baseline_10m > 0
    assert per_item[0].campaign_conversion_rate is not None and per_item[0].campaign_conversion_baseline is not None
    assert per_item[0].campaign_recent_negative >= 2
    assert not per_item[1].author_is_lead and per_item[3].author_is_lead
    assert per_item[0].paused_campaigns == {"summer"} and per_item[3].paused_campaigns == {"summer", "spring"}
    assert per_item[4].post_volume_10m == 0 and per_item[4].campaign_conversion_rate is None


@contextmanager
def _twin(db: Database, tmp_path) -> Iterator[Database]:
    """A second fresh database on the same backend."""
    if db.is_sqlite:
        (tmp_path / "twin").mkdir()
        twin = Database(sqlite_url(tmp_path / "twin"))
        yield twin
        twin.dispose()
        return
    with fresh_postgres_url(postgres_base_url()) as url:  # type: ignore[arg-type]
        twin = Database(url)
        yield twin
        twin.dispose()


def _decisions(db: Database) -> dict[str, tuple]:
    with db.session() as session:
        decisions = {row.interaction_id: (row.plan, row.context, row.matched_rules)
                     for row in session.exec(select(DecisionRow))}
        actions = session.exec(select(ActionRow.interaction_id, ActionRow.idempotency_key, ActionRow.state)
                               .order_by(ActionRow.idempotency_key)).all()
        events = session.exec(select(EventRow.interaction_id, EventRow.name, sa.func.count())
                              .group_by(EventRow.interaction_id, EventRow.name)).all()
        assert session.exec(select(sa.func.count()).select_from(InteractionRow)
                            .where(InteractionRow.status != "done")).one() == 0
    return {"decisions": decisions, "actions": sorted(actions), "events": sorted(events)}


async def test_worker_batch_records_what_the_one_by_one_path_records(db, tmp_path, caplog):
    """The worker's batch transaction against its per-item fallback (the pre-batching code path), with the
    default playbook library: same plans, contexts, actions and events."""
    library = load_library(None)
    with _twin(db, tmp_path) as twin:
        for database in (db, twin):
            _seed(database)
        batched = ModerationWorker(db, KeywordClassifier(), library, NoHumans(), WorkerSettings(batch_size=50),
                                   clock=lambda: NOW)
        assert (await batched.process_batch()).processed == len(BATCH)
        assert "moderation.pipeline.worker.batch_retried_one_by_one" not in caplog.messages  # the batch path did it

        one_by_one = ModerationWorker(twin, KeywordClassifier(), library, NoHumans(), WorkerSettings(batch_size=50),
                                      clock=lambda: NOW)
        ids = one_by_one.claim(50)
        with twin.session() as session:
            rows = [session.get(InteractionRow, i) for i in ids]
        for row, scores in zip(rows, KeywordClassifier().classify([row.text for row in rows]), strict=True):
            one_by_one._decide_and_record(row, scores)
        assert _decisions(db) == _decisions(twin)
