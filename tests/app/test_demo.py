"""The demo path end to end: ingest -> classify -> playbooks -> sandbox and console -> digest."""

from __future__ import annotations

import asyncio
import io
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from rich.console import Console
from sqlmodel import select

from moderation.storage import Database
from moderation.storage.tables import (
    ActionRow,
    ApprovalRow,
    ClassificationRow,
    EscalationRow,
    EventRow,
    InteractionRow,
)
from socialops.demo.runner import SAMPLE, run_demo
from tests.conftest import backends
from tests.support.databases import fresh_postgres_url, postgres_base_url, sqlite_url


@pytest.fixture(scope="module", params=backends())
def demo(request, tmp_path_factory):
    """One demo run per backend, shared by the tests below (a run takes seconds; the tests only read)."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = sqlite_url(tmp_path_factory.mktemp("demo"))
        else:
            url = stack.enter_context(fresh_postgres_url(postgres_base_url()))
        db = Database(url)
        stack.callback(db.dispose)
        out = io.StringIO()
        result = asyncio.run(run_demo(db, Console(file=out, width=160, force_terminal=False)))
        yield db, result, out.getvalue()


def test_every_interaction_goes_through_the_whole_path(demo):
    db, result, output = demo
    sample_lines = sum(1 for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip())
    assert result.ingest.stored == sample_lines >= 300 and result.ingest.rejected == []
    assert result.processed == sample_lines
    with db.session() as session:
        statuses = set(session.exec(select(InteractionRow.status)).all())
        received = session.execute(sa.select(sa.func.count()).where(EventRow.name.like("%_received"))).scalar_one()
        classified = session.execute(sa.select(sa.func.count()).where(EventRow.name.like("%_classified"))).scalar()
        platforms = set(session.exec(select(InteractionRow.platform)).all())
    assert statuses == {"done"}
    assert received == classified == sample_lines
    assert platforms == {"instagram", "facebook", "tiktok", "youtube"}
    for heading in ("What happened, by kind of message", "KPI digest", "response rate", "first response"):
        assert heading in output


def test_humans_and_platform_actions_all_show(demo):
    db, result, output = demo
    with db.session() as session:
        actions = session.exec(select(ActionRow)).all()
        approvals = session.exec(select(ApprovalRow)).all()
    states = {a.state for a in actions}
    assert "dead" not in states and "pending" not in states and "in_flight" not in states
    assert {"approved", "edited", "rejected"} <= {a.state for a in approvals}
    assert any(a.operation == "hide" and a.state == "done" for a in actions)
    assert any(a.type == "auto_reply" and a.state == "done" for a in actions)
    assert any(a.type == "escalate" for a in actions)
    # Nothing was sent twice: every platform call the sandbox saw is one done row, and vice versa.
    # (a hide later restored from the review queue is `reversed`: it was performed too)
    done_platform = [a.idempotency_key for a in actions if a.operation and a.state in ("done", "reversed")]
    assert len(done_platform) == len(set(done_platform)) == result.sandbox_calls
    assert "draft #" in output and "ESCALATION" in output


def test_no_automated_reply_to_toxic_content(demo):
    db, _result, _output = demo
    with db.session() as session:
        scores = session.exec(select(ClassificationRow)).all()
        auto_replied = {a.interaction_id for a in session.exec(select(ActionRow).where(ActionRow.type == "auto_reply"))}
        # Hides the playbooks asked for (a hold for review is done as a hide where the platform has no hold).
        hidden = {a.interaction_id for a in session.exec(select(ActionRow).where(
            ActionRow.operation == "hide", ActionRow.type != "hold_for_review"))}
    toxic = {s.interaction_id for s in scores if s.toxicity >= 0.5}
    spam = {s.interaction_id for s in scores if s.intent == "spam"}
    assert toxic, "the sample has toxic comments; the classifier should find some"
    assert not auto_replied & (toxic | spam)
    assert hidden & toxic
    assert hidden <= toxic | spam


def test_demo_command_prints_the_digest(tmp_path, monkeypatch, capsys):
    from socialops.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--db", str(tmp_path / "demo.db")])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "KPI digest" in out and "instagram" in out and (tmp_path / "demo.db").exists()


def test_replaying_history_with_the_same_library_changes_nothing(demo):
    from moderation.pipeline.history import load_history
    from playbooks import replay
    from socialops.compose.core import build_library
    from socialops.config import Settings

    db, result, _output = demo
    history = list(load_history(db, start=datetime(2000, 1, 1, tzinfo=UTC)))
    report = replay(build_library(Settings()), history)  # the library the demo ran, calibrated thresholds and all
    assert report.total == result.processed
    assert report.changed == 0
    with db.session() as session:
        judged = session.exec(select(ApprovalRow.interaction_id, ApprovalRow.state)
                              .join(ActionRow, ActionRow.id == ApprovalRow.action_id).where(
            ActionRow.idempotency_key.contains("/plan/"),  # drafts a follow-up added are not the engine's answer
            ApprovalRow.state.in_(("approved", "edited", "rejected")))).all()
    drafts = report.precision["draft_reply"]
    # Replays judge per interaction and action type; an interaction with two judged drafts counts once.
    assert drafts.judged == len({interaction for interaction, _state in judged}) > 0
    assert 0 < drafts.wrong <= sum(1 for _i, state in judged if state == "rejected")


# --- issue 16: the demo week with each platform's real capabilities -------------------------------------------

def test_real_capabilities_leave_no_dead_letter_and_no_fallback(demo):
    """The planner chooses among the operations each platform really offers before anything is sent."""
    from socialops.demo.figures import moderation_figures

    db, result, output = demo
    figures = moderation_figures(db)
    assert "real capabilities" in output
    assert figures.dead_letters == 0 and figures.capability_dead_letters == 0
    assert figures.fallbacks == 0  # nothing reached the outbox that the platform would refuse
    with db.session() as session:
        rows = session.exec(select(ActionRow, InteractionRow.platform)
                            .join(InteractionRow, InteractionRow.id == ActionRow.interaction_id)).all()
    performed = {(platform, action.operation) for action, platform in rows if action.operation}
    assert ("youtube", "hide") not in performed  # YouTube has no hide: heldForReview instead
    assert not {("instagram", "hold"), ("facebook", "hold"), ("tiktok", "hold"), ("tiktok", "delete"),
                ("tiktok", "dm")} & performed
    holds = [(platform, action.operation) for action, platform in rows if action.type == "hold_for_review"]
    assert holds and all(op == ("hold" if platform == "youtube" else "hide") for platform, op in holds
                         if op is not None)


def test_toxic_comments_leave_public_view_and_get_a_review_card(demo):
    from moderation.storage.tables import ReviewRow
    from socialops.demo.figures import moderation_figures

    db, _result, output = demo
    figures = moderation_figures(db)
    with db.session() as session:
        reviews = session.exec(select(ReviewRow)).all()
        removing = session.exec(select(ActionRow).where(ActionRow.operation.in_(("hide", "hold")),
                                                        ActionRow.type != "undo")).all()
        toxic_comments = session.exec(select(ClassificationRow.interaction_id).join(
            InteractionRow, InteractionRow.id == ClassificationRow.interaction_id).where(
            ClassificationRow.toxicity >= 0.5, InteractionRow.kind == "comment")).all()
        escalated = set(session.exec(select(EscalationRow.interaction_id)).all())
    assert figures.review_cards == len(reviews) > 0 and "review #" in output
    assert {a.interaction_id for a in removing} <= {r.interaction_id for r in reviews}  # every hide/hold reviewed
    hidden_or_held = {a.interaction_id for a in removing}
    # Every toxic comment left public view, on every platform, or (a self-harm comment the library answers with
    # care instead of hiding) reached a person.
    assert set(toxic_comments) <= hidden_or_held | escalated
    assert len(set(toxic_comments) & hidden_or_held) >= len(toxic_comments) - 1
    assert {r.state for r in reviews} - {"pending"}  # the scripted moderator acted on the cards


def test_no_lead_lost_to_spam_and_one_page_per_interaction(demo):
    from socialops.demo.figures import moderation_figures

    db, _result, _output = demo
    figures = moderation_figures(db)
    assert figures.leads_lost_to_spam == 0
    with db.session() as session:
        per_interaction = session.execute(
            sa.select(EscalationRow.interaction_id, sa.func.count()).group_by(EscalationRow.interaction_id)).all()
    assert per_interaction and max(count for _i, count in per_interaction) == 1


def test_alerts_name_the_comment(demo):
    _db, _result, output = demo
    alerts = [line for line in output.splitlines() if "Toxic content hidden" in line]
    assert alerts and all(" by @" in line and "“" in line for line in alerts)
