"""The outbox: every platform action is a row first, then a call; retried with backoff, never doubled.

An action row is written in the same transaction as the decision that wants it, so a crash between
deciding and calling loses nothing; the idempotency key makes a repeated call harmless.

Never twice, in detail. Hide, unhide, hold, release and delete set a state: repeating them is harmless
(a delete whose object is already gone counts as done). Replies and DMs create something, and platforms
take no idempotency key, so a call that timed out may still have posted. Such an attempt marks the row
`result.uncertain` (so does a row found in flight after a crash, once its lease ran out). Before calling
again, the outbox asks the connector's `find_existing` to list the replies (or the conversation) and look
for ours: our account as author and the same text under the same target. Found: the row is done with
that id (`reconciled`), nothing is posted. Connectors without `find_existing` are never blindly repeated
after an uncertain attempt: the row is dead-lettered for a human to check.

Rate limits: a token bucket per platform account (RateLimiter) defers an action without spending one of
its attempts; a 429 (or a platform's throttling code) pauses the bucket for the Retry-After time, and
rate-limited answers have their own, larger budget (`max_rate_limited`) before the dead letter.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from moderation.domain import Kind, Platform, utcnow
from moderation.measure.events import AUTOMATION, EventAction, record_event
from moderation.platforms.base import (
    FALLBACK,
    NON_IDEMPOTENT,
    ActionOutcome,
    Operation,
    PermanentActionError,
    PlatformAction,
    PlatformConnector,
    ReconcilingConnector,
    TransientActionError,
    UnsupportedOperation,
)
from moderation.platforms.directory import ConnectorDirectory
from moderation.platforms.rate_limit import RateLimiter
from moderation.runtime.redaction import scrub
from moderation.storage import Database
from moderation.storage.tables import ActionRow, InteractionRow

logger = logging.getLogger(__name__)

Alert = Callable[[str, ActionRow], Awaitable[None]]

EVENT_FOR_OPERATION: dict[Operation, EventAction] = {
    Operation.reply: EventAction.response_sent,
    Operation.dm: EventAction.dm_sent,
    Operation.hide: EventAction.hidden,
    Operation.unhide: EventAction.unhidden,
    Operation.delete: EventAction.deleted,
    Operation.hold: EventAction.held,
    Operation.release: EventAction.released,
    Operation.ban_author: EventAction.deleted,  # the comment is rejected and its author banned
}


def enqueue(
    session: Session,
    interaction: InteractionRow,
    operation: Operation,
    *,
    key: str,
    action_type: str,
    text: str | None = None,
    params: dict[str, Any] | None = None,
    rule: str = "",
    rule_version: str = "",
    actor: str = AUTOMATION,
    decision_id: int | None = None,
    state: str = "pending",
    now: datetime | None = None,
) -> ActionRow:
    """Add a platform action to the outbox in the caller's transaction (idempotent on `key`)."""
    existing = session.exec(select(ActionRow).where(ActionRow.idempotency_key == key)).first()
    if existing is not None:
        return existing
    row = ActionRow(
        idempotency_key=key,
        interaction_id=interaction.id,
        decision_id=decision_id,
        type=action_type,
        operation=operation.value,
        platform=interaction.platform,
        params={**(params or {}), **({"text": text} if text is not None else {})},
        state=state,
        next_attempt_at=now or utcnow(),
        created_at=now or utcnow(),
        updated_at=now or utcnow(),
        rule=rule,
        rule_version=rule_version,
        actor=actor,
    )
    session.add(row)
    return row


def response_event(operation: Operation, kind: str) -> EventAction:
    # A DM answering a DM is the response; a DM after a public comment is a private follow-up.
    if operation == Operation.dm and kind == Kind.dm.value:
        return EventAction.response_sent
    return EVENT_FOR_OPERATION[operation]


def _no_connector(connectors: ConnectorDirectory, platform: Platform, account_id: str | None) -> str:
    if account_id:
        return f"no connector configured for {platform.value} account {account_id}"
    if platform not in connectors:
        return f"no connector configured for {platform.value}"
    known = ", ".join(connectors.accounts(platform))
    return f"{platform.value} has several accounts ({known}) and the interaction does not say which received it"


class Outbox:
    """Carries out due actions through the platform connectors."""

    def __init__(
        self,
        db: Database,
        connectors: Mapping[Platform, PlatformConnector] | ConnectorDirectory,
        *,
        alert: Alert | None = None,
        max_attempts: int = 6,
        base_delay: float = 2.0,
        max_delay: float = 900.0,
        lease_seconds: float = 120.0,
        clock: Callable[[], datetime] = utcnow,
        rate_limiter: RateLimiter | None = None,
        max_rate_limited: int = 30,
    ) -> None:
        self.db = db
        self.connectors = ConnectorDirectory.of(connectors)
        self.alert = alert
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lease = timedelta(seconds=lease_seconds)
        self.clock = clock
        self.rate_limiter = rate_limiter
        self.max_rate_limited = max_rate_limited

    def backoff(self, attempts: int, retry_after: float | None) -> float:
        """Exponential backoff with full jitter; a platform's Retry-After is a floor, never shortened."""
        delay = random.uniform(0, min(self.max_delay, self.base_delay * (2 ** (attempts - 1))))
        return max(delay, retry_after or 0.0)

    def _claim_due(self, limit: int) -> list[int]:
        now = self.clock()
        with self.db.session() as session:
            # A row left in flight by a crashed process is due again after its lease.
            stale = select(ActionRow).where(ActionRow.state == "in_flight", ActionRow.operation.is_not(None),
                                            ActionRow.updated_at < now - self.lease)
            for row in session.exec(stale.with_for_update(skip_locked=True)).all():
                row.state = "pending"
                # The crash may have come after the platform acted: check before repeating a reply or DM.
                row.result = {**row.result, "uncertain": True}
                session.add(row)
                logger.warning("moderation.act.outbox.lease_expired", extra={"action_id": row.id})
            due = (
                select(ActionRow)
                .where(ActionRow.state == "pending", ActionRow.next_attempt_at <= now)
                .order_by(ActionRow.next_attempt_at, ActionRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            rows = session.exec(due).all()
            for row in rows:
                row.state = "in_flight"
                row.updated_at = now
                session.add(row)
            return [row.id for row in rows if row.id is not None]

    async def run_once(self, limit: int = 50) -> int:
        ids = await self.db.run(self._claim_due, limit)
        for action_id in ids:
            await self._perform(action_id)
        return len(ids)

    async def drain(self, *, max_rounds: int = 1000) -> None:
        """Run until nothing is due (used by the demo and tests)."""
        for _ in range(max_rounds):
            if not await self.run_once():
                return

    def pending_count(self) -> int:
        with self.db.session() as session:
            rows = session.exec(select(ActionRow.id).where(ActionRow.state.in_(("pending", "in_flight")))).all()
            return len(rows)

    def _load(self, action_id: int) -> tuple[ActionRow | None, InteractionRow | None]:
        with self.db.session() as session:
            row = session.get(ActionRow, action_id)
            return row, session.get(InteractionRow, row.interaction_id) if row else None

    async def _perform(self, action_id: int) -> None:
        # Every database step runs in the database's threads (`Database.run`): the outbox shares its event
        # loop with the chat surfaces and the webhook server.
        row, interaction = await self.db.run(self._load, action_id)
        if row is None or interaction is None or row.operation is None:
            return
        operation = Operation(row.operation)
        connector = self.connectors.find(Platform(row.platform), interaction.account_id)
        if connector is None:
            await self._finish_dead(row, _no_connector(self.connectors, Platform(row.platform), interaction.account_id))
            return
        if not connector.supports(operation):
            await self._fall_back(row, operation, f"{row.platform} does not allow {operation.value}")
            return
        account = str(getattr(connector, "account_id", "") or "")
        if self.rate_limiter is not None:
            wait = self.rate_limiter.take(row.platform, account)
            if wait > 0:
                await self.db.run(self._defer, row, wait)
                return
        extra = {"parent_id": interaction.parent_id} if interaction.parent_id else {}
        request = PlatformAction(
            key=row.idempotency_key,
            operation=operation,
            platform=Platform(row.platform),
            kind=Kind(interaction.kind),
            target_id=str(row.params.get("target_id") or interaction.external_id),
            author_id=interaction.author_id,
            post_id=interaction.post_id,
            text=row.params.get("text"),
            account_id=account or None,
            params={**extra, **row.params},
        )
        uncertain = bool(row.result.get("uncertain")) and operation in NON_IDEMPOTENT
        try:
            outcome = None
            if uncertain:
                if not isinstance(connector, ReconcilingConnector):
                    await self._finish_dead(row, "an earlier attempt may have been applied and this platform "
                                                 "cannot be checked; verify by hand, then `socialops actions retry`")
                    return
                outcome = await connector.find_existing(request)
                if outcome is not None:
                    logger.warning("moderation.act.outbox.reconciled", extra={"action_id": row.id})
            if outcome is None:
                outcome = await connector.perform(request)
        except TransientActionError as exc:
            if exc.rate_limited:
                await self._rate_limited(row, account, str(exc), exc.retry_after)
            else:
                await self._retry_or_dead(row, str(exc), exc.retry_after,
                                          uncertain=uncertain or (exc.maybe_applied and operation in NON_IDEMPOTENT))
        except UnsupportedOperation as exc:
            await self._fall_back(row, operation, str(exc))
        except PermanentActionError as exc:
            await self._finish_dead(row, str(exc))
        except Exception as exc:  # noqa: BLE001 - a connector bug must not stop the outbox
            logger.exception("moderation.act.outbox.connector_crashed", extra={"action_id": row.id})
            await self._retry_or_dead(row, f"{exc.__class__.__name__}: {exc}", None,
                                      uncertain=operation in NON_IDEMPOTENT)
        else:
            await self.db.run(self._finish_done, row, interaction, operation, outcome)

    def _finish_done(self, row: ActionRow, interaction: InteractionRow, operation: Operation,
                     outcome: ActionOutcome) -> None:
        now = self.clock()
        with self.db.session() as session:
            fresh = session.get(ActionRow, row.id, with_for_update=True)
            if fresh.state != "in_flight":
                # Another process took this row over after our lease ran out and already finished it: the
                # platform saw the same idempotency key twice, the record must not show two actions.
                logger.warning("moderation.act.outbox.already_finished", extra={"action_id": row.id,
                                                                            "state": fresh.state})
                return
            fresh.state = "done"
            fresh.attempts += 1
            fresh.done_at = now
            fresh.updated_at = now
            fresh.result = {**fresh.result, "external_ref": outcome.external_ref, **outcome.data,
                            "uncertain": False}
            session.add(fresh)
            record_event(
                session, interaction, response_event(operation, interaction.kind), actor=fresh.actor,
                occurred_at=now, playbook=fresh.rule, rule_version=fresh.rule_version,
                data={"action_id": fresh.id, "operation": operation.value, "action_type": fresh.type,
                      "external_ref": outcome.external_ref, **_event_details(fresh, outcome)},
            )
        logger.info("moderation.act.outbox.done", extra={"action_id": row.id, "operation": operation.value})

    def _defer(self, row: ActionRow, wait: float) -> None:
        """Back in the queue for later without spending an attempt (our own rate limit, not a failure)."""
        with self.db.session() as session:
            fresh = session.get(ActionRow, row.id, with_for_update=True)
            if fresh.state != "in_flight":  # finished by whoever took our lease over
                return
            fresh.state = "pending"
            fresh.next_attempt_at = self.clock() + timedelta(seconds=wait)
            fresh.updated_at = self.clock()
            session.add(fresh)
        logger.debug("moderation.act.outbox.deferred", extra={"action_id": row.id, "wait_s": round(wait, 3)})

    async def _rate_limited(self, row: ActionRow, account: str, error: str, retry_after: float | None) -> None:
        error = scrub(error)
        if self.rate_limiter is not None and retry_after:
            self.rate_limiter.pause(row.platform, account, retry_after)
        count = int(row.result.get("rate_limited", 0)) + 1
        if count > self.max_rate_limited:
            await self._finish_dead(row, f"still rate limited after {count - 1} tries: {error}")
            return
        # Exponential on the rate-limit count, and never sooner than the platform asked.
        delay = self.backoff(min(count, 10), retry_after)
        if await self.db.run(self._requeue, row, error, delay, result_update={"rate_limited": count}):
            logger.warning("moderation.act.outbox.rate_limited", extra={"action_id": row.id, "count": count,
                                                                "delay_s": round(delay, 2)})

    def _requeue(self, row: ActionRow, error: str, delay: float, *, attempts: int | None = None,
                 result_update: dict[str, Any] | None = None) -> bool:
        """Put our in-flight row back in the queue after `delay` seconds; a compare-and-set on `in_flight`, so a
        row finished by whoever took our lease over is left alone."""
        with self.db.session() as session:
            fresh = session.get(ActionRow, row.id, with_for_update=True)
            if fresh.state != "in_flight":
                return False
            fresh.state = "pending"
            if attempts is not None:
                fresh.attempts = attempts
            if result_update:
                fresh.result = {**fresh.result, **result_update}
            fresh.last_error = error[:2000]
            fresh.next_attempt_at = self.clock() + timedelta(seconds=delay)
            fresh.updated_at = self.clock()
            session.add(fresh)
        return True

    async def _retry_or_dead(self, row: ActionRow, error: str, retry_after: float | None, *,
                             uncertain: bool = False) -> None:
        error = scrub(error)  # connector messages are stored and shown: never with a token in them
        attempts = row.attempts + 1
        if uncertain and not row.result.get("uncertain"):
            await self.db.run(self._mark_uncertain, row.id)
        if attempts >= self.max_attempts:
            await self._finish_dead(row, error, attempts=attempts)
            return
        delay = self.backoff(attempts, retry_after)
        if await self.db.run(self._requeue, row, error, delay, attempts=attempts):
            logger.warning("moderation.act.outbox.retry", extra={"action_id": row.id, "attempts": attempts,
                                                         "delay_s": round(delay, 2)})

    def _mark_uncertain(self, action_id: int) -> None:
        with self.db.session() as session:
            fresh = session.get(ActionRow, action_id)
            fresh.result = {**fresh.result, "uncertain": True}
            session.add(fresh)

    async def _finish_dead(self, row: ActionRow, error: str, *, attempts: int | None = None) -> None:
        error = scrub(error)
        fresh = await self.db.run(self._mark_dead, row, error, attempts)
        if fresh is None:
            return
        logger.error("moderation.act.outbox.dead_letter", extra={"action_id": row.id, "operation": row.operation})
        if self.alert is not None:
            await self.alert(f"Action {row.operation} on {row.interaction_id} failed for good: {error}", fresh)

    def _mark_dead(self, row: ActionRow, error: str, attempts: int | None) -> ActionRow | None:
        """The row as dead-lettered, or None when whoever took our lease over already finished it."""
        with self.db.session() as session:
            fresh = session.get(ActionRow, row.id, with_for_update=True)
            if fresh.state != "in_flight":
                return None
            interaction = session.get(InteractionRow, fresh.interaction_id)
            fresh.state = "dead"
            fresh.attempts = attempts if attempts is not None else fresh.attempts + 1
            fresh.last_error = error[:2000]
            fresh.updated_at = self.clock()
            session.add(fresh)
            record_event(session, interaction, EventAction.action_dead_lettered, playbook=fresh.rule,
                         rule_version=fresh.rule_version,
                         data={"action_id": fresh.id, "operation": fresh.operation, "error": error[:500]})
        return fresh

    async def _fall_back(self, row: ActionRow, operation: Operation, why: str) -> None:
        why = scrub(why)
        fallback = FALLBACK.get(operation)
        if fallback is None:
            await self._finish_dead(row, why)
            return
        if await self.db.run(self._rewrite_as, row, operation, fallback, why):
            logger.info("moderation.act.outbox.fallback", extra={"action_id": row.id, "from": operation.value,
                                                             "to": fallback.value})

    def _rewrite_as(self, row: ActionRow, operation: Operation, fallback: Operation, why: str) -> bool:
        with self.db.session() as session:
            fresh = session.get(ActionRow, row.id, with_for_update=True)
            if fresh.state != "in_flight":
                return False
            # The row is rewritten in place: same key, so a retry of the original can never run as well.
            fresh.fallback_of = fresh.fallback_of or operation.value
            fresh.operation = fallback.value
            fresh.result = {**fresh.result, "fallbacks": [*fresh.result.get("fallbacks", []),
                                                          {"from": operation.value, "to": fallback.value,
                                                           "reason": why[:300]}]}
            fresh.state = "pending"
            fresh.next_attempt_at = self.clock()
            fresh.last_error = f"fell back from {operation.value}: {why}"[:2000]
            fresh.updated_at = self.clock()
            session.add(fresh)
        return True



def _event_details(row: ActionRow, outcome: ActionOutcome) -> dict[str, Any]:
    """What the KPI and audit readers need to know beyond the operation: fallbacks, undo, reconciliation."""
    # The A/B variant a reply was written from travels with every reply event, so results can be read per variant.
    details: dict[str, Any] = {key: row.params[key] for key in ("template", "variant") if row.params.get(key)}
    if row.fallback_of:
        details["fallback_of"] = row.fallback_of
        details["fallbacks"] = row.result.get("fallbacks", [])
    if row.params.get("reverses") is not None:
        details["reverses"] = row.params["reverses"]
    details.update({key: value for key, value in outcome.data.items() if key in ("reconciled", "already_gone")})
    return details
