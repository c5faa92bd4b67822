"""The moderation worker: claim stored interactions, classify, decide, record the plan, hand out the work."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, select

from moderation.act.executor import HumanWork, execute_actions, execute_plan, record_decision
from moderation.act.executors import check_registry
from moderation.classifier.base import TextClassifier
from moderation.domain import (
    DecisionContext,
    Grounding,
    Interaction,
    Kind,
    Plan,
    Platform,
    Scores,
    as_utc,
    utcnow,
)
from moderation.domain.ports import HumanLoop
from moderation.measure.events import EventAction, record_event
from moderation.pipeline.context import POST_WINDOW, BatchContext
from moderation.pipeline.planner import fit_plan
from moderation.platforms.registry import AccountCapabilities
from moderation.runtime import metrics
from moderation.runtime.redaction import scrub
from moderation.storage import Database
from moderation.storage.tables import ClassificationRow, InteractionRow, ReviewRow

logger = logging.getLogger(__name__)


class KnowledgeGrounder(Protocol):
    """What the worker needs from the knowledge stage (see `moderation.knowledge.stage.KnowledgeStage`)."""

    async def ground(self, interactions: Sequence[Interaction], scores: Sequence[Scores]) -> list[Grounding | None]:
        ...


class DecisionEngine(Protocol):
    """What the worker needs from a playbook library (see `playbooks.load_library`)."""

    version: str

    def decide(self, interaction: Interaction, scores: Scores, context: DecisionContext) -> Plan: ...


@dataclass(frozen=True)
class WorkerSettings:
    timezone: str = "UTC"
    business_hours: tuple[int, int] = (9, 18)
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    approval_minutes: int = 30
    batch_size: int = 64
    lease: timedelta = timedelta(minutes=5)
    max_attempts: int = 5


@dataclass
class BatchResult:
    processed: int = 0
    failed: int = 0
    follow_ups: list[int] = field(default_factory=list)  # action ids of newly scheduled follow-ups
    reviews: list[int] = field(default_factory=list)  # review queue items opened


def to_interaction(row: InteractionRow) -> Interaction:
    return Interaction(
        platform=Platform(row.platform), kind=Kind(row.kind), external_id=row.external_id,
        author_id=row.author_id, author_name=row.author_name, text=row.text, post_id=row.post_id,
        created_at=as_utc(row.created_at), is_follower=row.is_follower, is_vip=row.is_vip,
        campaign=row.campaign, parent_id=row.parent_id, account_id=row.account_id, details=row.details or {},
    )


class ModerationWorker:
    def __init__(self, db: Database, classifier: TextClassifier, engine: DecisionEngine, humans: HumanLoop,
                 settings: WorkerSettings = WorkerSettings(), *, name: str | None = None,
                 clock: Callable[[], datetime] = utcnow, knowledge: KnowledgeGrounder | None = None,
                 capabilities: AccountCapabilities | None = None) -> None:
        check_registry()  # an action type without an executor stops the start, not the first plan that has one
        self.db = db
        self.classifier = classifier
        self.engine = engine
        self.humans = humans
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.knowledge = knowledge
        self._claims: dict[str, datetime] = {}  # interaction id -> claim time, for the compare-and-set
        # What each account's platform really allows: the planner maps every plan onto it before it is recorded.
        self.capabilities = capabilities or AccountCapabilities.real()

    def claim(self, limit: int, *, until: datetime | None = None) -> list[str]:
        """Claim pending interactions (and ones a dead worker left claimed past the lease), oldest first.
        SKIP LOCKED lets many workers share one PostgreSQL queue; SQLite serialises writers anyway."""
        now = utcnow()
        with self.db.session() as session:
            query = (
                select(InteractionRow)
                .where(
                    (InteractionRow.status == "pending")
                    | (
                        (InteractionRow.status == "processing")
                        & (InteractionRow.claimed_at < now - self.settings.lease)
                    )
                )
                .where(InteractionRow.created_at <= until if until is not None else sa.true())
                .order_by(InteractionRow.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            rows = session.exec(query).all()
            for row in rows:
                row.status = "processing"
                row.claimed_by = self.name
                row.claimed_at = now
                row.attempts += 1
                session.add(row)
            self._claims = {row.id: now for row in rows}
            return [row.id for row in rows]

    async def process_batch(self, limit: int | None = None, *, until: datetime | None = None) -> BatchResult:
        """Process up to `limit` pending interactions (only those created by `until`, for replays).

        The worker shares its event loop with the chat surfaces and the webhook server: classification (CPU)
        and every transaction (the batch one holds locks for as long as it decides) run in threads."""
        rows = await self.db.run(self._claim_rows, limit or self.settings.batch_size, until)
        result = BatchResult()
        if not rows:
            return result
        started = time.perf_counter()
        scores = await asyncio.to_thread(self.classifier.classify, [row.text for row in rows])
        metrics.observe_classify(len(rows), time.perf_counter() - started)
        # Facts for the questions among them, retrieved before the (pure) decision; may read post captions.
        groundings: list[Grounding | None] = [None] * len(rows)
        if self.knowledge is not None:
            groundings = await self.knowledge.ground([to_interaction(row) for row in rows], scores)
        work = await self.db.run(self._record, rows, scores, groundings, result)
        await self._explain_reviews(work.reviews)
        await self._tell_humans(work)
        result.follow_ups = work.follow_ups
        result.reviews = work.reviews
        logger.info("moderation.pipeline.worker.batch_done",
                    extra={"processed": result.processed, "failed": result.failed})
        return result

    def _claim_rows(self, limit: int, until: datetime | None) -> list[InteractionRow]:
        ids = self.claim(limit, until=until)
        if not ids:
            return []
        with self.db.session() as session:
            by_id = {row.id: row for row in session.exec(select(InteractionRow).where(InteractionRow.id.in_(ids)))}
        return [by_id[i] for i in ids if i in by_id]

    def _record(self, rows: list[InteractionRow], scores: list[Scores], groundings: list[Grounding | None],
                result: BatchResult) -> HumanWork:
        """The batch in one transaction; if that fails, item by item (counted in `result`)."""
        try:
            work, result.processed = self._record_batch(rows, scores, groundings)
            return work
        except Exception:  # noqa: BLE001 - nothing of the batch was written: find the culprit one by one
            logger.warning("moderation.pipeline.worker.batch_retried_one_by_one", exc_info=True,
                           extra={"size": len(rows)})
        work = HumanWork()
        for row, score, grounding in zip(rows, scores, groundings, strict=True):
            try:
                work.extend(self._decide_and_record(row, score, grounding))
                result.processed += 1
            except Exception as exc:  # noqa: BLE001 - one bad interaction must not sink the batch
                result.failed += 1
                logger.exception("moderation.pipeline.worker.interaction_failed", extra={"interaction_id": row.id})
                self._mark_failed(row.id, exc)
        return work

    def _record_batch(self, rows: list[InteractionRow], scores: list[Scores],
                      groundings: list[Grounding | None]) -> tuple[HumanWork, int]:
        """The whole batch in one transaction, contexts from one set of queries (`BatchContext`): the same
        decisions as `_decide_and_record` item by item, at a fraction of the round trips and commits."""
        work = HumanWork()
        done = 0
        with self.db.session() as session:
            # Lock the rows and check the claims are still ours (see `_decide_and_record`).
            locked = {row.id: row for row in session.exec(
                select(InteractionRow).where(InteractionRow.id.in_([row.id for row in rows]))
                .order_by(InteractionRow.id).with_for_update())}
            mine = []
            knowledge = {row.id: grounding for row, grounding in zip(rows, groundings, strict=True)}
            for row, score in zip(rows, scores, strict=True):
                if row.id in locked and self._still_ours(locked[row.id]):
                    mine.append((locked[row.id], score))
                else:
                    logger.warning("moderation.pipeline.worker.claim_lost", extra={"interaction_id": row.id})
            contexts = BatchContext.load(session, [row for row, _ in mine], post_window=self._post_window())
            # Every classification is added up front (one INSERT per table at the first flush): the contexts
            # come from `contexts`, which counts each one from its own item on, as the per-item path does.
            now = self.clock()
            for fresh, score in mine:
                self._add_classification(session, fresh, score, now)
            # No autoflush: the outbox's idempotency lookups would flush the batch's rows one item at a time.
            # Keys are per interaction, so an unflushed row of this batch can never be the one looked up.
            with session.no_autoflush:
                # Decide every item first (pure; a later item's context sees the earlier plans through
                # `contexts`), then write every decision in one INSERT, then the actions that carry their ids.
                decided = []
                for fresh, score in mine:
                    now = self.clock()
                    contexts.observe_classified(fresh, toxicity=score.toxicity, sentiment=score.sentiment.value)
                    context = _with_knowledge(contexts.context_for(fresh, now=now, **self._calendar()),
                                              knowledge.get(fresh.id))
                    plan = self.plan(fresh, score, context)
                    contexts.observe_plan(fresh, plan, now=now)
                    decision = record_decision(session, fresh, plan, library_version=self.engine.version,
                                               context=context)
                    decided.append((fresh, plan, decision, now))
                session.flush()
                for fresh, plan, decision, now in decided:
                    work.extend(execute_actions(session, fresh, plan, decision,
                                                approval_minutes=self.settings.approval_minutes, now=now))
                    fresh.status = "done"
                    session.add(fresh)
                    done += 1
        return work, done

    def plan(self, fresh: InteractionRow, scores: Scores, context: DecisionContext) -> Plan:
        """The engine's pure decision, then the planner's choice of operations the account really has."""
        plan = self.engine.decide(to_interaction(fresh), scores, context)
        return fit_plan(plan, Kind(fresh.kind), self.capabilities.of(fresh.platform, fresh.account_id))

    def _post_window(self) -> int:
        """The library's negative-post window (`guardrails.negative_post_window`), when the engine has one."""
        guardrails = getattr(getattr(self.engine, "settings", None), "guardrails", None)
        return int(getattr(guardrails, "negative_post_window", POST_WINDOW))

    def _calendar(self) -> dict[str, Any]:
        return {"timezone": self.settings.timezone, "business_hours": self.settings.business_hours,
                "business_days": self.settings.business_days}

    def _add_classification(self, session: Session, fresh: InteractionRow, scores: Scores, now: datetime) -> None:
        session.add(ClassificationRow(
            interaction_id=fresh.id, intent=scores.intent, intent_confidence=scores.intent_confidence,
            toxicity=scores.toxicity, sentiment=scores.sentiment.value, lang=scores.lang, toxic_kind=scores.toxic_kind,
            model=f"{self.classifier.name}@{self.classifier.version}", explanation=scores.explanation or {},
        ))
        record_event(session, fresh, EventAction.classified, occurred_at=max(now, as_utc(fresh.created_at)),
                     data={"intent": scores.intent, "toxicity": round(scores.toxicity, 4),
                           "sentiment": scores.sentiment.value, "lang": scores.lang,
                           "toxic_kind": scores.toxic_kind})

    def _decide(self, session: Session, fresh: InteractionRow, scores: Scores, context: DecisionContext,
                now: datetime) -> HumanWork:
        plan = self.plan(fresh, scores, context)
        work = execute_plan(session, fresh, plan, library_version=self.engine.version,
                            approval_minutes=self.settings.approval_minutes, now=now, context=context)
        fresh.status = "done"
        session.add(fresh)
        return work

    def _decide_and_record(self, row: InteractionRow, scores: Scores, grounding: Grounding | None = None) -> HumanWork:
        """One interaction in its own transaction: the fallback when a batch transaction fails."""
        with self.db.session() as session:
            # Lock the row and check the claim is still ours: a worker that stalled past its lease must not
            # record a second decision beside the one the worker that took the claim over records.
            fresh = session.get(InteractionRow, row.id, with_for_update=True)
            if fresh is None or not self._still_ours(fresh):
                logger.warning("moderation.pipeline.worker.claim_lost", extra={"interaction_id": row.id})
                return HumanWork()
            now = self.clock()
            # the batch path's context, for a batch of one
            contexts = BatchContext.load(session, [fresh], post_window=self._post_window())
            self._add_classification(session, fresh, scores, now)
            contexts.observe_classified(fresh, toxicity=scores.toxicity, sentiment=scores.sentiment.value)
            context = _with_knowledge(contexts.context_for(fresh, now=now, **self._calendar()), grounding)
            return self._decide(session, fresh, scores, context, now)

    def _still_ours(self, row: InteractionRow) -> bool:
        claimed_at = self._claims.get(row.id)
        return (row.status == "processing" and row.claimed_by == self.name and claimed_at is not None
                and row.claimed_at is not None and as_utc(row.claimed_at) == claimed_at)

    def _mark_failed(self, interaction_id: str, exc: Exception) -> None:
        with self.db.session() as session:
            row = session.get(InteractionRow, interaction_id, with_for_update=True)
            if row is None or not self._still_ours(row):
                return
            row.last_error = scrub(f"{exc.__class__.__name__}: {exc}")[:2000]
            # Back to the queue for another try, unless it keeps failing.
            row.status = "failed" if row.attempts >= self.settings.max_attempts else "pending"
            session.add(row)

    async def _explain_reviews(self, review_ids: list[int]) -> None:
        """The words behind the scores of what a person will review (`classify --explain`), stored with the
        classification so the review card can show them. Only these few items pay for the explanation."""
        if not review_ids:
            return
        rows = await self.db.run(self._review_texts, review_ids)
        try:
            explained = await asyncio.to_thread(self.classifier.classify, [text for _, text in rows], explain=True)
        except Exception:  # noqa: BLE001 - a card without the words beats no card
            logger.warning("moderation.pipeline.worker.explain_failed", exc_info=True)
            return
        await self.db.run(self._store_explanations, rows, explained)

    def _review_texts(self, review_ids: list[int]) -> list[tuple[str, str]]:
        with self.db.session() as session:
            return list(session.exec(select(ReviewRow.interaction_id, InteractionRow.text)
                                     .join(InteractionRow, InteractionRow.id == ReviewRow.interaction_id)
                                     .where(ReviewRow.id.in_(review_ids))).all())

    def _store_explanations(self, rows: list[tuple[str, str]], explained: list[Scores]) -> None:
        with self.db.session() as session:
            for (interaction_id, _text), scores in zip(rows, explained, strict=True):
                if not scores.explanation:
                    continue
                row = session.exec(select(ClassificationRow).where(ClassificationRow.interaction_id == interaction_id)
                                   .order_by(ClassificationRow.id.desc())).first()
                if row is not None:
                    row.explanation = scores.explanation
                    session.add(row)

    async def _tell_humans(self, work: HumanWork) -> None:
        for review_id in work.reviews:
            call = getattr(self.humans, "review_requested", None)
            if call is not None:
                await _safely(call(review_id), "review", review_id)
        for scope in dict.fromkeys(work.pauses):
            call = getattr(self.humans, "automation_paused", None)
            if call is not None:
                await _safely(call(scope), "pause", scope)
        for approval_id in work.approvals:
            await _safely(self.humans.approval_requested(approval_id), "approval", approval_id)
        for escalation_id in work.escalations:
            await _safely(self.humans.escalation_opened(escalation_id), "escalation", escalation_id)
        for channel, text, interaction_id in work.notices:
            await _safely(self.humans.notify(channel, text, interaction_id=interaction_id), "notice", interaction_id)

    async def run_until_idle(self) -> int:
        total = 0
        while True:
            batch = await self.process_batch()
            total += batch.processed + batch.failed
            if batch.processed + batch.failed == 0:
                return total

    def pending(self) -> int:
        with self.db.session() as session:
            return len(session.exec(select(InteractionRow.id).where(InteractionRow.status == "pending")).all())


def _with_knowledge(context: DecisionContext, grounding: Grounding | None) -> DecisionContext:
    return context if grounding is None else context.model_copy(update={"knowledge": grounding})


async def _safely(call, what: str, ref: object) -> None:  # type: ignore[no-untyped-def]
    # A chat outage must not undo stored work: the request stays in the database and is re-posted later.
    try:
        await call
    except Exception:  # noqa: BLE001
        logger.exception("moderation.pipeline.worker.human_delivery_failed", extra={"what": what, "ref": str(ref)})

