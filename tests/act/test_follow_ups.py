"""Follow-ups fire once after their delay, unless the author answered in a way the playbook names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from moderation.act.executor import execute_plan
from moderation.act.follow_ups import due_follow_ups, fire_follow_up
from moderation.domain import Action, ActionType, Interaction, Kind, Plan, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.storage.tables import ActionRow, EventRow, InteractionRow

T0 = utcnow() - timedelta(hours=1)


def _message(external_id: str, kind: Kind, minutes: int) -> Interaction:
    return Interaction(platform=Platform.instagram, kind=kind, external_id=external_id, author_id="a1",
                       author_name="anna", text="does it run small?", post_id=None if kind == Kind.dm else "p1",
                       created_at=T0 + timedelta(minutes=minutes))


def _schedule(db) -> int:
    first = _message("c1", Kind.comment, 0)
    store_interactions(db, [first], source="test")
    follow_up = Action(type=ActionType.follow_up, rule="instagram/sizes", params={
        "delay_minutes": 10, "unless": ["author_sent_dm"],
        "actions": [{"type": "send_dm", "params": {"text": "Need help with your size?"}}]})
    with db.session() as session:
        work = execute_plan(session, session.get(InteractionRow, first.id), Plan(
            interaction_id=first.id, actions=(follow_up,)), library_version="v1", approval_minutes=30, now=T0)
    return work.follow_ups[0]


@pytest.mark.parametrize(("answer", "fires"), [(None, True), (Kind.comment, True), (Kind.dm, False)])
def test_unless_author_sent_dm(db, answer, fires):
    action_id = _schedule(db)
    if answer is not None:
        store_interactions(db, [_message("later", answer, 4)], source="test")
    assert due_follow_ups(db, T0 + timedelta(minutes=9)) == []
    assert due_follow_ups(db, T0 + timedelta(minutes=10)) == [action_id]

    fire_follow_up(db, action_id, now=T0 + timedelta(minutes=10))
    fire_follow_up(db, action_id, now=T0 + timedelta(minutes=11))  # a timer firing twice does nothing more

    with db.session() as session:
        row = session.get(ActionRow, action_id)
        dms = session.exec(select(ActionRow).where(ActionRow.type == "send_dm")).all()
        cancelled = session.exec(select(EventRow).where(EventRow.name.like("%follow_up_cancelled"))).all()
    assert row.state == ("done" if fires else "cancelled")
    assert len(dms) == (1 if fires else 0) and len(cancelled) == (0 if fires else 1)
    if fires:
        assert dms[0].params["text"] == "Need help with your size?" and dms[0].rule == "instagram/sizes"
