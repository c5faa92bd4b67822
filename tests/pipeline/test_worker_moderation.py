"""The worker end to end on the issue-16 paths: the Messenger lead that a spam score used to swallow, a hold on
Instagram done as hide + review card, a hold on YouTube held, and a campaign that pauses then resumes itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from moderation.act.outbox import Outbox
from moderation.domain import Interaction, Kind, Platform, Scores, Sentiment
from moderation.domain.ports import NoHumans
from moderation.ingest.store import store_interactions
from moderation.measure.events import EventAction
from moderation.pipeline.worker import ModerationWorker, WorkerSettings
from moderation.platforms.sandbox.outbound import sandbox_connectors
from moderation.storage.tables import ActionRow, EscalationRow, EventRow, InteractionRow, ReviewRow
from playbooks import load_library

T = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


class ScriptedClassifier:
    """Scores by text: what the test needs is the classifier's mistake, reproduced exactly."""

    name, version = "scripted", "test"

    def __init__(self, scores: dict[str, Scores]) -> None:
        self.scores = scores

    def classify(self, texts: Sequence[str], *, explain: bool = False) -> list[Scores]:
        neutral = Scores(intent="other", intent_confidence=0.9, toxicity=0.02, sentiment=Sentiment.neutral, lang="en")
        return [self.scores.get(text, neutral) for text in texts]


def _msg(platform: Platform, kind: Kind, external_id: str, text: str, at: datetime, **kw: object) -> Interaction:
    return Interaction(platform=platform, kind=kind, external_id=external_id, author_id=str(kw.pop("author", "u1")),
                       author_name="Camille", text=text, created_at=at, **kw)  # type: ignore[arg-type]


async def test_a_spam_scored_lead_dm_reaches_sales_and_borderline_comments_leave_view(db) -> None:
    lead = "We are 80 people, budget 20k euros"
    borderline = "honestly you lot are a bit useless"
    scores = {
        lead: Scores(intent="spam", intent_confidence=0.40, toxicity=0.05, sentiment=Sentiment.neutral, lang="en"),
        borderline: Scores(intent="complaint", intent_confidence=0.6, toxicity=0.6, sentiment=Sentiment.negative,
                           lang="en"),
    }
    store_interactions(db, [
        _msg(Platform.facebook, Kind.dm, "m1", lead, T),
        _msg(Platform.instagram, Kind.comment, "c1", borderline, T, author="u2", post_id="p1"),
        _msg(Platform.youtube, Kind.comment, "y1", borderline, T, author="u3", post_id="v1"),
    ], source="test")
    library = load_library(None).with_thresholds(auto_hide=0.8, review=0.5)
    worker = ModerationWorker(db, ScriptedClassifier(scores), library, NoHumans(), WorkerSettings(),
                              clock=lambda: T + timedelta(minutes=1))
    assert (await worker.process_batch()).processed == 3
    sandboxes = sandbox_connectors()
    await Outbox(db, sandboxes).drain()

    with db.session() as session:
        actions = session.exec(select(ActionRow)).all()
        escalations = session.exec(select(EscalationRow)).all()
        reviews = {r.interaction_id: r for r in session.exec(select(ReviewRow)).all()}
    assert not [a for a in actions if a.state == "dead" or a.fallback_of]
    lead_actions = {a.type for a in actions if a.interaction_id == "facebook:m1"}
    assert not lead_actions & {"hold_for_review", "hide"} and "facebook:m1" not in reviews
    assert [(e.interaction_id, e.team) for e in escalations] == [("facebook:m1", "sales")]
    assert sandboxes[Platform.instagram].hidden == {"c1"} and reviews["instagram:c1"].operation == "hide"
    assert sandboxes[Platform.youtube].held == {"y1"} and reviews["youtube:y1"].operation == "hold"


async def test_a_campaign_pauses_then_resumes_itself(db) -> None:
    texts = {f"bad {n}": Scores(intent="complaint", intent_confidence=0.9, toxicity=0.1,
                                sentiment=Sentiment.negative, lang="en") for n in range(5)}
    burst = [_msg(Platform.instagram, Kind.comment, f"b{n}", f"bad {n}" if n < 5 else f"fine {n}",
                  T + timedelta(minutes=n), author=f"a{n}", post_id=f"p{n}", campaign="spring") for n in range(20)]
    # Three hours later, thirty calm comments: the negative share of the last 50 falls to 5/50, not over 10%.
    calm = [_msg(Platform.instagram, Kind.comment, f"c{n}", f"calm {n}", T + timedelta(hours=3, minutes=n),
                 author=f"c{n}", post_id=f"q{n}", campaign="spring") for n in range(30)]
    store_interactions(db, burst + calm, source="test")
    clock = {"now": T}
    worker = ModerationWorker(db, ScriptedClassifier(texts), load_library(None), NoHumans(), WorkerSettings(),
                              clock=lambda: clock["now"])
    clock["now"] = T + timedelta(minutes=25)
    await worker.process_batch(until=T + timedelta(minutes=25))
    clock["now"] = T + timedelta(hours=4)
    await worker.process_batch()
    with db.session() as session:
        events = session.exec(select(EventRow).where(EventRow.name.contains("automation_"))
                              .order_by(EventRow.id)).all()
        assert session.exec(select(InteractionRow).where(InteractionRow.status != "done")).all() == []
    assert [e.name for e in events] == [f"instagram.comment_{EventAction.automation_paused.value}",
                                        f"instagram.comment_{EventAction.automation_resumed.value}"]
    assert [e.interaction_id for e in events] == ["instagram:b19", "instagram:c29"]
    assert "back at 10% of the last 50" in events[1].data["reason"] and events[1].data["scope"] == "spring"
