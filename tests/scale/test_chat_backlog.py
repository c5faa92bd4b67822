"""Slack answering 429 for a while: approvals and escalations reach the surface later, in their order.

Exercised through the ChatHub with a surface that refuses with a rate-limit error and then recovers (the
Slack adapter raises on 429 once the SDK's own retries are spent; the hub's ordered backlog does the rest)."""

from __future__ import annotations

from datetime import timedelta

from bot.hub import ChatHub
from moderation.domain import Interaction, Kind, Platform, utcnow
from moderation.ingest.store import store_interactions
from moderation.storage.tables import ActionRow, ApprovalRow, EscalationRow


class RateLimited(Exception):
    pass


class FlakySurface:
    """Answers 429 while `limited`; records what it showed, in order."""

    def __init__(self, name: str = "slack") -> None:
        self.name = name
        self.limited = False
        self.shown: list[tuple[str, int]] = []
        self.refused = 0

    def _gate(self) -> None:
        if self.limited:
            self.refused += 1
            raise RateLimited("HTTP 429 ratelimited (Retry-After: 30)")

    async def post_approval(self, card):
        self._gate()
        self.shown.append(("approval", card.approval_id))
        return {"channel": "C1", "ts": str(len(self.shown))}

    async def post_escalation(self, page):
        self._gate()
        self.shown.append(("escalation", page.escalation_id))
        return {"channel": "C2", "ts": str(len(self.shown))}

    async def update_approval(self, card, ref):
        self._gate()

    async def update_escalation(self, page, ref):
        self._gate()

    async def post_digest(self, digest):
        self._gate()

    async def notify(self, channel, text):
        self._gate()


def _requests(db, count: int, first: int = 0) -> list[tuple[str, int]]:
    """Alternating approvals and escalations, each created a second after the previous."""
    start = utcnow() - timedelta(hours=1)
    interactions = [Interaction(platform=Platform.youtube, kind=Kind.comment, external_id=f"c{i}", author_id=f"a{i}",
                                author_name="viewer", text=f"question {i}", created_at=start)
                    for i in range(first, first + count)]
    store_interactions(db, interactions, source="test")
    made = []
    with db.session() as session:
        for i, interaction in enumerate(interactions, start=first):
            at = start + timedelta(seconds=i)
            if i % 2 == 0:
                action = ActionRow(idempotency_key=f"k{i}", interaction_id=interaction.id, type="draft_reply",
                                   operation="reply", platform="youtube", state="awaiting_approval")
                session.add(action)
                session.flush()
                row = ApprovalRow(interaction_id=interaction.id, action_id=action.id, draft_text="Thanks!",
                                  created_at=at)
                session.add(row)
                session.flush()
                made.append(("approval", row.id))
            else:
                row = EscalationRow(interaction_id=interaction.id, reason="angry", created_at=at)
                session.add(row)
                session.flush()
                made.append(("escalation", row.id))
    return made


async def test_rate_limited_surface_gets_everything_later_in_order(db):
    slack, console = FlakySurface("slack"), FlakySurface("console")
    hub = ChatHub(db, [slack, console])
    made = _requests(db, 6)
    slack.limited = True
    for kind, row_id in made:  # the worker tells the hub while Slack is rate-limiting
        await (hub.approval_requested(row_id) if kind == "approval" else hub.escalation_opened(row_id))
    assert slack.shown == [] and slack.refused == 6
    assert console.shown == made, "the other surface is not held back"
    for _ in range(3):  # worker rounds during the limit: still nothing, nothing lost
        assert await hub.redeliver() == 0
    slack.limited = False
    later = _requests(db, 4, first=6)
    made += later
    for kind, row_id in later:  # new requests arrive first after the limit lifts...
        await (hub.approval_requested(row_id) if kind == "approval" else hub.escalation_opened(row_id))
    # ...and still come after the backlog: everything, once, in the order it happened.
    assert slack.shown == made
    assert console.shown == made
    assert await hub.redeliver() == 0, "nothing posted twice"
    with db.session() as session:
        refs = [session.get(ApprovalRow if k == "approval" else EscalationRow, i).surface_refs for k, i in made]
    assert all({"slack", "console"} <= set(ref) for ref in refs)


async def test_limit_in_the_middle_of_a_backlog_keeps_the_order(db):
    slack = FlakySurface()
    hub = ChatHub(db, [slack])
    made = _requests(db, 6)
    slack.limited = True
    await hub.redeliver()
    calls = 0
    original = slack.post_escalation

    async def limited_again_once(page):  # recovers, then one more 429 half-way through the backlog
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RateLimited("HTTP 429")
        return await original(page)

    slack.limited = False
    slack.post_escalation = limited_again_once
    assert await hub.redeliver() == 1  # the first approval, then the escalation is refused: stop there
    assert await hub.redeliver() == 5
    assert slack.shown == made
