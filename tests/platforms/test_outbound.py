"""Outbound actions through the real connectors against the loopback platform fake: storms, hangs, crashes.
After every scenario: every action is done (or deliberately dead), and nothing was applied twice."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import select

from moderation.act.outbox import Outbox, enqueue
from moderation.act.undo import CannotUndo, retry_action, undo_action
from moderation.domain import Interaction, Kind, Platform
from moderation.ingest.store import store_interactions
from moderation.measure.events import event_name
from moderation.platforms.base import Operation
from moderation.platforms.facebook.outbound import FacebookConnector
from moderation.platforms.instagram.outbound import InstagramConnector
from moderation.platforms.rate_limit import RateLimit, RateLimiter
from moderation.platforms.tiktok.outbound import TikTokConnector
from moderation.platforms.youtube.outbound import QuotaLedger, YouTubeConnector
from moderation.storage.tables import ActionRow, EventRow, InteractionRow, QuotaUsageRow
from tests.platforms.fake_platforms import TOKEN

ACCOUNT = "17841400000000000"


def instagram(client, url, **kw):  # type: ignore[no-untyped-def]
    return InstagramConnector(client, account_id=ACCOUNT, token=TOKEN, base_url=f"{url}/graph", **kw)


def store(db, platform=Platform.instagram, external_id="c1", kind=Kind.comment, post_id="m1", **kw):  # type: ignore[no-untyped-def]
    interaction = Interaction(platform=platform, kind=kind, external_id=external_id, author_id="u1", text="hello?",
                              post_id=post_id, created_at="2025-11-22T10:00:00Z", **kw)
    store_interactions(db, [interaction], source="test")
    return interaction.id


def add_action(db, interaction_id: str, operation: Operation, key: str, text: str | None = None,
               params: dict | None = None) -> int:
    with db.session() as session:
        row = enqueue(session, session.get(InteractionRow, interaction_id), operation, key=key,
                      action_type=operation.value, text=text, params=params)
        session.flush()
        return row.id  # type: ignore[return-value]


async def drain(outbox: Outbox, clock, rounds: int = 40) -> None:  # type: ignore[no-untyped-def]
    for _ in range(rounds):
        await outbox.run_once()
        clock.advance(3600)  # every backoff and Retry-After is due after an hour of fake time


def action(db, action_id: int) -> ActionRow:
    with db.session() as session:
        return session.get(ActionRow, action_id)


def events(db, name: str) -> list[EventRow]:
    with db.session() as session:
        return list(session.exec(select(EventRow).where(EventRow.name == name)).all())


def make_outbox(db, connector, clock, **kw) -> Outbox:  # type: ignore[no-untyped-def]
    return Outbox(db, {connector.platform: connector}, clock=clock, base_delay=1.0,
                  rate_limiter=RateLimiter({}, clock=clock.monotonic), **kw)


@pytest.mark.parametrize("storm", [["500"] * 3, ["apply-then-500"], ["hang"], ["apply-then-hang"],
                                   ["429"] * 8, ["429-date", "429", "500", "apply-then-hang"]],
                         ids=["500-storm", "applied-then-500", "hang", "applied-then-hang", "429-storm", "mixed"])
async def test_reply_lands_exactly_once_whatever_the_platform_does(sqlite_db, fake, platform_url, client, clock,
                                                                   storm) -> None:
    fake.script = list(storm)
    interaction_id = store(sqlite_db)
    action_id = add_action(sqlite_db, interaction_id, Operation.reply, "k-reply", text="24 euros, in store!")
    outbox = make_outbox(sqlite_db, instagram(client, platform_url), clock)
    await drain(outbox, clock)
    row = action(sqlite_db, action_id)
    assert row.state == "done", row.last_error
    assert fake.reply_counts() == {("c1", "24 euros, in store!"): 1}
    fake.assert_nothing_doubled()
    sent = events(sqlite_db, "instagram.comment_response_sent")
    assert len(sent) == 1 and sent[0].data["external_ref"] == fake.replies["c1"][0]["id"]
    if storm[0].startswith("apply"):
        assert row.result.get("reconciled") is True
    if storm == ["429"] * 8:
        assert row.attempts == 1 and row.result["rate_limited"] == 8  # a 429 does not spend an attempt


async def test_dm_timed_out_after_sending_is_not_sent_again(sqlite_db, fake, platform_url, client, clock) -> None:
    fake.script = ["apply-then-hang"]
    interaction_id = store(sqlite_db, kind=Kind.dm, external_id="mid.1", post_id=None)
    action_id = add_action(sqlite_db, interaction_id, Operation.dm, "k-dm", text="Could you share your order number?")
    await drain(make_outbox(sqlite_db, instagram(client, platform_url), clock), clock)
    assert action(sqlite_db, action_id).state == "done"
    assert len(fake.messages) == 1
    fake.assert_nothing_doubled()


async def test_restart_resumes_and_checks_a_call_cut_off_by_a_crash(sqlite_db, fake, platform_url, client,
                                                                    clock) -> None:
    interaction_id = store(sqlite_db)
    action_id = add_action(sqlite_db, interaction_id, Operation.reply, "k-crash", text="On its way!")
    # The previous process posted the reply, then died before recording it: the row is left in flight.
    fake.add_reply("c1", "On its way!", ACCOUNT)
    with sqlite_db.session() as session:
        row = session.get(ActionRow, action_id)
        row.state, row.updated_at = "in_flight", clock() - timedelta(minutes=10)
        session.add(row)
    await drain(make_outbox(sqlite_db, instagram(client, platform_url), clock), clock, rounds=3)
    row = action(sqlite_db, action_id)
    assert row.state == "done" and row.result["reconciled"] is True
    assert fake.reply_counts() == {("c1", "On its way!"): 1}


async def test_dead_letter_alerts_then_retry_sends_once(sqlite_db, fake, platform_url, client, clock) -> None:
    fake.script = ["500"] * 3
    alerts: list[str] = []

    async def alert(text: str, _row: ActionRow) -> None:
        alerts.append(text)

    interaction_id = store(sqlite_db)
    action_id = add_action(sqlite_db, interaction_id, Operation.reply, "k-dead", text="Thanks!")
    outbox = make_outbox(sqlite_db, instagram(client, platform_url), clock, max_attempts=3, alert=alert)
    await drain(outbox, clock, rounds=5)
    assert action(sqlite_db, action_id).state == "dead" and len(alerts) == 1
    assert events(sqlite_db, "instagram.comment_action_dead_lettered")
    retry_action(sqlite_db, action_id, "lead")
    await drain(outbox, clock, rounds=3)
    assert action(sqlite_db, action_id).state == "done"
    assert fake.reply_counts() == {("c1", "Thanks!"): 1}


async def test_hide_then_undo_is_an_unhide_event(sqlite_db, fake, platform_url, client, clock) -> None:
    interaction_id = store(sqlite_db)
    action_id = add_action(sqlite_db, interaction_id, Operation.hide, "k-hide")
    outbox = make_outbox(sqlite_db, instagram(client, platform_url), clock)
    await drain(outbox, clock, rounds=2)
    assert fake.hidden == {"c1": True}
    result = undo_action(sqlite_db, action_id, "camille")
    assert action(sqlite_db, action_id).state == "reversed"
    with pytest.raises(CannotUndo):
        undo_action(sqlite_db, action_id, "camille")
    await drain(outbox, clock, rounds=2)
    assert fake.hidden == {"c1": False}
    reversal = action(sqlite_db, result.reversal_id)
    assert reversal.state == "done" and reversal.actor == "camille"
    unhidden = events(sqlite_db, event_name("instagram", "comment", "unhidden"))
    assert len(unhidden) == 1 and unhidden[0].actor == "camille" and unhidden[0].data["reverses"] == action_id
    assert fake.effects[("hide", "c1")] == 1 and fake.effects[("unhide", "c1")] == 1


async def test_undo_before_it_ran_cancels(sqlite_db) -> None:
    interaction_id = store(sqlite_db)
    action_id = add_action(sqlite_db, interaction_id, Operation.hide, "k-early")
    assert undo_action(sqlite_db, action_id, "camille").reversal_id is None
    assert action(sqlite_db, action_id).state == "cancelled"
    reply_id = add_action(sqlite_db, interaction_id, Operation.reply, "k-reply", text="hi")
    with pytest.raises(CannotUndo):
        undo_action(sqlite_db, reply_id, "camille")


async def test_capability_fallback_is_recorded(sqlite_db, fake, platform_url, client, clock) -> None:
    interaction_id = store(sqlite_db, platform=Platform.facebook)
    action_id = add_action(sqlite_db, interaction_id, Operation.delete, "k-delete")
    connector = FacebookConnector(client, account_id="104", token=TOKEN, base_url=f"{platform_url}/graph",
                                  allowed=frozenset({Operation.hide, Operation.unhide, Operation.reply}))
    await drain(make_outbox(sqlite_db, connector, clock), clock, rounds=2)
    row = action(sqlite_db, action_id)
    assert (row.state, row.operation, row.fallback_of) == ("done", "hide", "delete")
    hidden = events(sqlite_db, "facebook.comment_hidden")
    assert hidden[0].data["fallback_of"] == "delete"
    assert hidden[0].data["fallbacks"][0]["to"] == "hide"
    assert fake.hidden == {"c1": True} and not fake.deleted


async def test_youtube_reply_hold_reject_and_quota(sqlite_db, fake, platform_url, client, clock) -> None:
    ids = [store(sqlite_db, platform=Platform.youtube, external_id=f"yt{i}", post_id="vid") for i in range(3)]
    quota = QuotaLedger(sqlite_db, "UCchannel", clock=clock)
    fake.account_id = "UCchannel"
    connector = YouTubeConnector(client, account_id="UCchannel", token=TOKEN, base_url=f"{platform_url}/youtube/v3",
                                 quota=quota)
    reply = add_action(sqlite_db, ids[0], Operation.reply, "y-reply", text="Link in the description!")
    hide = add_action(sqlite_db, ids[1], Operation.hide, "y-hide")  # no hide on YouTube: held for review
    delete = add_action(sqlite_db, ids[2], Operation.delete, "y-delete", params={"ban_author": True})
    fake.script = ["apply-then-500"]
    await drain(make_outbox(sqlite_db, connector, clock), clock, rounds=4)
    assert [action(sqlite_db, i).state for i in (reply, hide, delete)] == ["done"] * 3
    assert fake.status == {"yt1": "heldForReview", "yt2": "rejected+ban"}
    assert fake.reply_counts() == {("yt0", "Link in the description!"): 1}
    # insert (50, answer lost) + list to check (1) + two moderation calls (50 each)
    with sqlite_db.session() as session:  # fake time may cross the Pacific midnight: sum the days
        assert sum(row.units for row in session.exec(select(QuotaUsageRow)).all()) == 151
    undo_action(sqlite_db, hide, "camille")
    await drain(make_outbox(sqlite_db, connector, clock), clock, rounds=2)
    assert fake.status["yt1"] == "published"
    assert events(sqlite_db, "youtube.comment_released")


async def test_youtube_quota_spent_defers_without_calling(sqlite_db, fake, platform_url, client, clock) -> None:
    interaction_id = store(sqlite_db, platform=Platform.youtube, external_id="yt9")
    quota = QuotaLedger(sqlite_db, "UCchannel", daily_limit=60, clock=clock)
    connector = YouTubeConnector(client, account_id="UCchannel", token=TOKEN, base_url=f"{platform_url}/youtube/v3",
                                 quota=quota)
    first = add_action(sqlite_db, interaction_id, Operation.hold, "q1")
    second = add_action(sqlite_db, interaction_id, Operation.release, "q2")
    outbox = make_outbox(sqlite_db, connector, clock)
    await outbox.run_once()
    assert action(sqlite_db, first).state == "done"
    row = action(sqlite_db, second)
    assert row.state == "pending" and row.result["rate_limited"] == 1 and row.attempts == 0
    assert "quota" in row.last_error
    with sqlite_db.session() as session:
        assert session.exec(select(QuotaUsageRow)).one().units == 50
    assert fake.calls["POST /youtube/v3/comments/setModerationStatus"] == 1


async def test_tiktok_reply_and_hide_need_the_video(sqlite_db, fake, platform_url, client, clock) -> None:
    with_video = store(sqlite_db, platform=Platform.tiktok, external_id="tt1", post_id="vid7")
    without_video = store(sqlite_db, platform=Platform.tiktok, external_id="tt2", post_id=None)
    fake.account_id = "biz1"
    connector = TikTokConnector(client, account_id="biz1", token=TOKEN, base_url=f"{platform_url}/tiktok")
    reply = add_action(sqlite_db, with_video, Operation.reply, "t-reply", text="Lien en bio !")
    hide = add_action(sqlite_db, with_video, Operation.delete, "t-delete")  # cannot delete others': hidden
    orphan = add_action(sqlite_db, without_video, Operation.hide, "t-orphan")
    fake.script = ["apply-then-hang"]
    await drain(make_outbox(sqlite_db, connector, clock), clock, rounds=4)
    assert action(sqlite_db, reply).state == "done"
    assert (action(sqlite_db, hide).state, action(sqlite_db, hide).operation) == ("done", "hide")
    assert fake.hidden == {"tt1": True}
    dead = action(sqlite_db, orphan)
    assert dead.state == "dead" and "video id" in dead.last_error
    fake.assert_nothing_doubled()


async def test_tokens_never_reach_errors_or_logs(sqlite_db, fake, platform_url, client, clock, caplog) -> None:
    fake.echo_token_in_errors = True
    interaction_id = store(sqlite_db)
    action_id = add_action(sqlite_db, interaction_id, Operation.reply, "k-secret", text="hi")
    connector = instagram(client, platform_url)
    assert TOKEN not in repr(connector)
    with caplog.at_level(logging.DEBUG):
        await drain(make_outbox(sqlite_db, connector, clock), clock, rounds=2)
    row = action(sqlite_db, action_id)
    assert row.state == "dead"
    assert "REDACTED" in row.last_error and TOKEN not in row.last_error
    assert TOKEN not in caplog.text
    with sqlite_db.session() as session:
        assert all(TOKEN not in str(e.data) for e in session.exec(select(EventRow)).all())


async def test_rate_limiter_defers_without_spending_attempts(sqlite_db, fake, platform_url, client, clock) -> None:
    interaction_id = store(sqlite_db)
    ids = [add_action(sqlite_db, interaction_id, Operation.hide if i % 2 else Operation.unhide, f"rl{i}")
           for i in range(4)]
    outbox = Outbox(db := sqlite_db, {Platform.instagram: instagram(client, platform_url)}, clock=clock,
                    rate_limiter=RateLimiter({"instagram": RateLimit(per_second=1.0, burst=2)}, clock=clock.monotonic))
    await outbox.run_once()
    states = [action(db, i).state for i in ids]
    assert states.count("done") == 2 and states.count("pending") == 2
    assert all(action(db, i).attempts <= 1 for i in ids)
    clock.advance(5)
    await outbox.run_once()
    assert [action(db, i).state for i in ids] == ["done"] * 4
    assert sum(fake.effects.values()) == 4


async def test_youtube_ban_author_is_rejected_with_ban(sqlite_db, fake, platform_url, client, clock) -> None:
    """Issue 16: "ban author" is an operation of its own on YouTube (comments.setModerationStatus, banAuthor)."""
    interaction_id = store(sqlite_db, platform=Platform.youtube, external_id="yt9", post_id="vid")
    connector = YouTubeConnector(client, account_id="UCchannel", token=TOKEN, base_url=f"{platform_url}/youtube/v3")
    assert connector.supports(Operation.ban_author)
    ban = add_action(sqlite_db, interaction_id, Operation.ban_author, "y-ban")
    await drain(make_outbox(sqlite_db, connector, clock), clock, rounds=2)
    assert action(sqlite_db, ban).state == "done"
    assert fake.status == {"yt9": "rejected+ban"}
    assert events(sqlite_db, "youtube.comment_deleted")
