"""Guardrail pauses: which campaigns (and accounts, for interactions without a campaign) have automation
paused, and pausing or resuming one by hand. Every pause and resume is an event with who and why; the decision
context reads the latest of them (`moderation.pipeline.context.paused_campaign_events`).

A hand-made pause or resume concerns no single interaction: its event has no interaction id and is named
`<platform>.campaign_automation_paused` (`all` for a campaign, the account's platform for an account scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from moderation.domain import ACCOUNT_SCOPE, EventAction, Platform, as_utc, utcnow
from moderation.storage import Database
from moderation.storage.tables import EventRow


class PauseError(ValueError):
    """The scope is not in the state the request expects (resuming what is not paused, say)."""


@dataclass(frozen=True)
class PauseState:
    scope: str
    paused: bool
    since: datetime
    actor: str
    reason: str

    @property
    def label(self) -> str:
        return describe_scope(self.scope)


def describe_scope(scope: str) -> str:
    if scope.startswith(ACCOUNT_SCOPE):
        platform, _, account = scope[len(ACCOUNT_SCOPE):].partition(":")
        return f"{platform} account {account} (no campaign)"
    return f"campaign {scope}"


def pause_states(db: Database) -> list[PauseState]:
    """Every scope's latest pause or resume, paused ones first, newest first."""
    with db.session() as session:
        states = _states_in(session)
    return sorted(states, key=lambda s: (not s.paused, -s.since.timestamp()))


def paused_scopes(db: Database) -> list[PauseState]:
    return [state for state in pause_states(db) if state.paused]


def set_paused(db: Database, scope: str, *, paused: bool, actor: str, reason: str,
               at: datetime | None = None) -> PauseState:
    """Pause or resume one scope by hand. Resuming what is not paused (or pausing twice) is refused, so two
    people clicking Resume at once record one resume."""
    scope = scope.strip()
    if not scope:
        raise PauseError("name a campaign, or account:<platform>:<account id>")
    now = at or utcnow()
    with db.session() as session:
        if not db.is_sqlite:
            # One writer per scope at a time: the check and the event below are one step.
            session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"pause:{scope}"})
        current = {state.scope: state for state in _states_in(session)}.get(scope)
        if paused and current is not None and current.paused:
            raise PauseError(f"{describe_scope(scope)} is already paused (by {current.actor})")
        if not paused and (current is None or not current.paused):
            raise PauseError(f"{describe_scope(scope)} is not paused")
        action = EventAction.automation_paused if paused else EventAction.automation_resumed
        session.add(EventRow(name=f"{_platform_of(scope)}.campaign_{action.value}", interaction_id=None,
                             platform=_platform_of(scope), occurred_at=now, actor=actor,
                             campaign=None if scope.startswith(ACCOUNT_SCOPE) else scope,
                             data={"scope": scope, "reason": reason, "manual": True}))
    return PauseState(scope, paused, now, actor, reason)


def _states_in(session: object) -> list[PauseState]:
    rows = session.exec(  # type: ignore[attr-defined]
        select(EventRow.campaign, EventRow.name, EventRow.occurred_at, EventRow.actor, EventRow.data)
        .where(sa.or_(EventRow.name.like("%automation_paused"), EventRow.name.like("%automation_resumed")))
        .order_by(EventRow.occurred_at, EventRow.id)).all()
    latest: dict[str, PauseState] = {}
    for campaign, name, occurred_at, actor, data in rows:
        scope = (data or {}).get("scope") or campaign
        if scope:
            latest[scope] = PauseState(scope, name.endswith("automation_paused"), as_utc(occurred_at), actor,
                                       str((data or {}).get("reason", "")))
    return list(latest.values())


def _platform_of(scope: str) -> str:
    if scope.startswith(ACCOUNT_SCOPE):
        platform = scope[len(ACCOUNT_SCOPE):].partition(":")[0]
        if platform in {p.value for p in Platform}:
            return platform
    return "all"
