"""Escalations: one incident, one page; later interactions of the same incident join the open escalation."""

from __future__ import annotations

from sqlmodel import Session, col, select

from moderation.act.executors.registry import ExecutionContext, executes, flushed_id
from moderation.domain import ActionType, EventAction
from moderation.measure.events import record_event
from moderation.storage.tables import EscalationRow


@executes(ActionType.escalate)
def escalate(ctx: ExecutionContext) -> None:
    action, session = ctx.action, ctx.session
    ctx.record_done()
    dedupe_key = action.params.get("key")
    open_one = _open_escalation(session, str(dedupe_key)) if dedupe_key else None
    if open_one is None and dedupe_key and BAND in str(dedupe_key):
        open_one = _paged_band(session, str(dedupe_key))
    if open_one is not None:
        record_event(session, ctx.interaction, EventAction.escalated, **ctx.event_fields,
                     data={"escalation_id": open_one.id, "level": open_one.level, "team": open_one.team,
                           "joined": True})
        return
    escalation = EscalationRow(interaction_id=ctx.interaction.id, level=str(action.params.get("level", "normal")),
                               team=str(action.params.get("team", "community")),
                               reason=action.reason or str(action.params.get("reason", "")),
                               dedupe_key=str(dedupe_key) if dedupe_key else None, created_at=ctx.now)
    session.add(escalation)
    session.flush()
    record_event(session, ctx.interaction, EventAction.escalated, **ctx.event_fields,
                 data={"escalation_id": escalation.id, "level": escalation.level, "team": escalation.team})
    ctx.work.escalations.append(flushed_id(escalation))


BAND = "#"  # "<incident>#<band>": paged again only when a worse band is reached (negative posts)


def _paged_band(session: Session, dedupe_key: str) -> EscalationRow | None:
    """The incident's escalation already paged at this band or a worse one, open or not (a resolved negative
    post is not paged again for the same share; a worse share pages again)."""
    incident, _, band = dedupe_key.rpartition(BAND)
    earlier = session.exec(select(EscalationRow).where(col(EscalationRow.dedupe_key).like(f"{incident}{BAND}%"))
                           .order_by(col(EscalationRow.id).desc())).all()
    for row in earlier:
        if int((row.dedupe_key or "").rpartition(BAND)[2] or 0) >= int(band or 0):
            return row
    return None


def _open_escalation(session: Session, dedupe_key: str) -> EscalationRow | None:
    return session.exec(select(EscalationRow).where(EscalationRow.dedupe_key == dedupe_key,
                                                    EscalationRow.state != "resolved")).first()
