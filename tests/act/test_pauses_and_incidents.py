"""Guardrail pauses by hand and as the decision context reads them; negative-post pages once per band."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import select

from moderation.act.executor import execute_plan
from moderation.act.pauses import PauseError, pause_states, set_paused
from moderation.domain import Action, ActionType, Interaction, Kind, Plan, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.pipeline.context import BatchContext
from moderation.storage.tables import EscalationRow, EventRow, InteractionRow


def _store(db, external_id: str, *, campaign: str | None = None, account: str | None = "17841") -> str:
    interaction = Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=external_id,
                              author_id="a", text="meh", post_id="p9", campaign=campaign, account_id=account,
                              created_at=utcnow() - timedelta(minutes=1))
    store_interactions(db, [interaction], source="test")
    return interaction.id


def test_pause_and_resume_by_hand_are_events_the_context_reads(db) -> None:
    interaction_id = _store(db, "c1")
    scope = "account:instagram:17841"
    set_paused(db, scope, paused=True, actor="cli:lea", reason="launch day")
    with pytest.raises(PauseError, match="already paused"):
        set_paused(db, scope, paused=True, actor="cli:sam", reason="again")
    with db.session() as session:
        row = session.get(InteractionRow, interaction_id)
        context = BatchContext.load(session, [row]).context_for(row, now=utcnow(), timezone="UTC",
                                                                 business_hours=(9, 18), business_days=(0,))
    assert scope in context.paused_campaigns and context.scope_paused_at is not None
    [state] = pause_states(db)
    assert (state.paused, state.actor, state.reason) == (True, "cli:lea", "launch day")

    set_paused(db, scope, paused=False, actor="slack:ULEAD", reason="resumed from chat")
    with pytest.raises(PauseError, match="not paused"):
        set_paused(db, scope, paused=False, actor="slack:ULEAD", reason="twice")
    with db.session() as session:
        names = [e.name for e in session.exec(select(EventRow).where(EventRow.interaction_id.is_(None)))]
        row = session.get(InteractionRow, interaction_id)
        context = BatchContext.load(session, [row]).context_for(row, now=utcnow(), timezone="UTC",
                                                                 business_hours=(9, 18), business_days=(0,))
    assert names == ["instagram.campaign_automation_paused", "instagram.campaign_automation_resumed"]
    assert scope not in context.paused_campaigns


def test_campaigns_cli(tmp_path, db_url) -> None:
    from socialops.cli import cli

    config = tmp_path / "socialops.yaml"
    config.write_text(f"database_url: {db_url}\n")
    runner = CliRunner()
    paused = runner.invoke(cli, ["campaigns", "pause", "spring", "--config", str(config), "--actor", "lea"])
    assert paused.exit_code == 0 and "paused for campaign spring" in paused.output
    listed = runner.invoke(cli, ["campaigns", "list", "--config", str(config)])
    assert "PAUSED  spring" in listed.output and "cli:lea" in listed.output
    resumed = runner.invoke(cli, ["campaigns", "resume", "spring", "--config", str(config)])
    again = runner.invoke(cli, ["campaigns", "resume", "spring", "--config", str(config)])
    from socialops.errors import known_errors

    assert resumed.exit_code == 0 and "resumed" in resumed.output
    # `main` shows a known error as one line with exit code 1
    assert isinstance(again.exception, PauseError) and isinstance(again.exception, known_errors())


def test_a_negative_post_pages_once_per_band_open_or_resolved(db) -> None:
    pages = []
    for n, band in enumerate([1, 1, 2, 1, 2, 3]):
        interaction_id = _store(db, f"neg-{n}")
        plan = Plan(interaction_id=interaction_id, actions=(Action(
            type=ActionType.escalate, params={"level": "urgent", "team": "community",
                                             "key": f"negative-post:instagram:p9#{band}"}),))
        with db.session() as session:
            pages.append(len(execute_plan(session, session.get(InteractionRow, interaction_id), plan,
                                          library_version="v", approval_minutes=30).escalations))
        if n == 0:
            with db.session() as session:  # resolved: still not paged again for the same share
                session.exec(select(EscalationRow)).one().state = "resolved"
    assert pages == [1, 0, 1, 0, 0, 1]
