"""A hand-made week of interactions for the Europe/Paris team (business hours Mon-Fri 9-18, SLA 120/30 min).

Every expected figure in test_definitions.py is computed by hand from the comments below.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation.domain import Interaction
from moderation.ingest.store import to_row
from moderation.measure.events import EventAction, record_event
from moderation.storage import Database

A = EventAction
PERSON = "camille"
# Monday 16 November 2026, Paris is UTC+1 in November.
MONDAY = datetime(2026, 11, 16, tzinfo=UTC)
TZ = "Europe/Paris"


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock time in November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


def add(db: Database, ext: str, kind: str, at: datetime, events: list[tuple], *, platform: str = "instagram",
        campaign: str | None = None, sentiment: str | None = "neutral", post: str | None = "p1") -> None:
    interaction = Interaction(platform=platform, kind=kind, external_id=ext, author_id=f"a-{ext}", text="hello",
                              post_id=post if kind == "comment" else None, created_at=at, campaign=campaign)
    with db.session() as session:
        row = to_row(interaction, source="test")
        session.add(row)
        record_event(session, row, A.received, occurred_at=at)
        if sentiment:
            record_event(session, row, A.classified, occurred_at=at + timedelta(seconds=2),
                         data={"sentiment": sentiment, "intent": "other"})
        for action, offset, actor in events:
            record_event(session, row, action, occurred_at=at + offset, actor=actor)


def build_week(db: Database) -> None:
    m = timedelta(minutes=1)
    # c1: comment Mon 10:00, automated reply after 5 min. Deflected, SLA met.
    add(db, "c1", "comment", paris(16, 10), [(A.response_sent, 5 * m, "automation")], sentiment="positive")
    # c2: comment Mon 10:00, draft approved at +60, sent +61 and a second reply at +121 by a person. SLA met.
    add(db, "c2", "comment", paris(16, 10), [(A.reply_drafted, m, "automation"), (A.reply_approved, 60 * m, PERSON),
                                             (A.response_sent, 61 * m, PERSON), (A.response_sent, 121 * m, PERSON)],
        sentiment="negative", post="p2")
    # c3: toxic comment Mon 11:00 hidden at +1 min, unhidden by a person later. Removed: not answerable.
    add(db, "c3", "comment", paris(16, 11), [(A.hidden, m, "automation"), (A.unhidden, 300 * m, PERSON)],
        sentiment="negative", post="p2")
    # d1: DM Fri 20 17:50, edited draft sent Mon 23 09:15: after the week's end, before AS_OF; it still counts
    # for the week the DM arrived in. Lead, then converted.
    d1_at = paris(20, 17, 50)
    d1_reply = paris(23, 9, 15) - d1_at  # 2 days 15 h 25 min wall clock, 25 business minutes
    add(db, "d1", "dm", d1_at, [(A.reply_drafted, m, "automation"), (A.reply_edited, d1_reply - m, PERSON),
                                (A.response_sent, d1_reply, PERSON), (A.lead_created, 2 * m, "automation"),
                                (A.converted, d1_reply + 60 * m, PERSON)])
    # d2: DM at 23:30 UTC Sunday 15 = 00:30 Paris Monday 16: inside the week (midnight crossing), never answered,
    # escalated and not resolved. SLA breached.
    add(db, "d2", "dm", datetime(2026, 11, 15, 23, 30, tzinfo=UTC), [(A.escalated, m, "automation")],
        sentiment="negative")
    # c4: facebook comment (campaign spring) Tue 12:00, automated reply stamped 2 min BEFORE the comment.
    add(db, "c4", "comment", paris(17, 12), [(A.response_sent, -2 * m, "automation")], platform="facebook",
        campaign="spring", sentiment="positive")
    # c5: facebook comment (spring) Wed 20:00, draft rejected, held then released by a person.
    add(db, "c5", "comment", paris(18, 20), [(A.reply_drafted, m, "automation"), (A.reply_rejected, 30 * m, PERSON),
                                             (A.held, 31 * m, "automation"), (A.released, 90 * m, PERSON)],
        platform="facebook", campaign="spring")
    # c6: youtube comment Thu 10:00, never answered: 20 business hours by AS_OF. SLA breached.
    add(db, "c6", "comment", paris(19, 10), [], platform="youtube")
    # c0: 22:30 UTC Sunday 15 = 23:30 Paris Sunday: the day before the window, answered by automation.
    add(db, "c0", "comment", datetime(2026, 11, 15, 22, 30, tzinfo=UTC),
        [(A.response_sent, 10 * m, "automation")], sentiment="positive")


AS_OF = paris(23, 12)  # Monday 23 noon: the figures are read then
