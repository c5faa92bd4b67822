"""A Slack click is acknowledged while a worker batch holds its transaction open on the same event loop."""

from __future__ import annotations

import asyncio
import threading
import time

from bot.slack import blocks
from moderation.domain import DecisionContext, Interaction, Kind, Plan, Platform, Scores
from moderation.ingest.store import store_interactions
from moderation.pipeline.worker import ModerationWorker
from moderation.storage.tables import ApprovalRow, InteractionRow
from playbooks import load_library
from tests.bot.slack.conftest import APPROVER, NOW
from tests.bot.slack.slack_seed import seed_approval
from tests.scale.support import KeywordClassifier

HOLD_LIMIT = 15.0  # the batch lets go by itself after this, so a broken run fails instead of hanging


class HeldEngine:
    """The real playbook library, but each decision (taken inside the batch transaction, with the batch's rows
    locked) waits until the test lets it go: the stand-in for a slow batch."""

    def __init__(self) -> None:
        self.library = load_library(None)
        self.version = self.library.version
        self.inside = threading.Event()
        self.release = threading.Event()

    def decide(self, interaction: Interaction, scores: Scores, context: DecisionContext) -> Plan:
        self.inside.set()
        self.release.wait(HOLD_LIMIT)
        return self.library.decide(interaction, scores, context)


def _comment(external_id: str, text: str) -> Interaction:
    return Interaction(platform=Platform.instagram, kind=Kind.comment, external_id=external_id, author_id="a1",
                       author_name="sam", text=text, post_id="p1", created_at=NOW)


async def test_approve_is_acknowledged_within_3_s_while_a_batch_transaction_is_open(stack):
    approval_id = seed_approval(stack.db, at=NOW)
    with stack.db.session() as session:  # the seeded comment is decided already: the batch takes only the new one
        row = session.get(InteractionRow, session.get(ApprovalRow, approval_id).interaction_id)
        row.status = "done"
        session.add(row)
    await stack.hub.approval_requested(approval_id)
    comment = _comment("c-batch", "how much is the lamp in blue?")
    store_interactions(stack.db, [comment], source="test")
    engine = HeldEngine()
    worker = ModerationWorker(stack.db, KeywordClassifier(), engine, stack.hub, name="held")
    batch = asyncio.create_task(worker.process_batch())
    try:
        # Polled with short sleeps on the loop: a worker that decided on the event loop would keep this
        # coroutine from running until its transaction ended.
        deadline = time.monotonic() + HOLD_LIMIT
        while not engine.inside.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert engine.inside.is_set(), "the batch never reached its decisions"
        started = time.perf_counter()
        response = await stack.click(blocks.APPROVE, approval_id)
        acked = time.perf_counter() - started
        assert response.status == 200
        assert not batch.done() and not engine.release.is_set(), "the batch transaction ended before the ack"
        assert acked < 3.0, f"acknowledged after {acked:.2f} s"
    finally:
        engine.release.set()
    result = await asyncio.wait_for(batch, HOLD_LIMIT)
    assert (result.processed, result.failed) == (1, 0)
    # The verdict itself is applied after the ack (on SQLite once the batch has committed) and shown on the card.
    updates = await stack.fake.wait_for("chat.update")
    assert f"Approved by <@{APPROVER}>" in str(updates[0].params["blocks"])
    with stack.db.session() as session:
        assert session.get(ApprovalRow, approval_id).state == "approved"
        assert session.get(InteractionRow, comment.id).status == "done"
