"""Several accounts on one platform (an agency's brands): each interaction is answered as the account that
received it, through that account's own token, and never as another brand."""

from __future__ import annotations

import pytest
import yaml

from moderation.act.outbox import Outbox
from moderation.domain import Platform
from moderation.platforms.base import Operation
from moderation.platforms.directory import ConnectorDirectory
from moderation.platforms.meta.inbound import parse_meta_delivery
from moderation.platforms.rate_limit import RateLimiter
from moderation.platforms.registry import ConnectorOptions, build_connectors
from moderation.platforms.sandbox.outbound import SandboxPlatform
from moderation.storage.tables import InteractionRow
from socialops.config import Account, ConfigError, parse_settings
from tests.platforms.fake_platforms import TOKEN
from tests.platforms.test_outbound import action, add_action, drain, store

BRAND_A, BRAND_B = "17841400000000001", "17841400000000002"
TOKEN_B = "EAAG-second-brand-token-9876543210-SECRET"


def two_brands(client, url):  # type: ignore[no-untyped-def]
    accounts = [Account(platform=Platform.instagram, id=BRAND_A, token_env="BRAND_A_TOKEN"),
                Account(platform=Platform.instagram, id=BRAND_B, token_env="BRAND_B_TOKEN")]
    tokens = {"BRAND_A_TOKEN": TOKEN, "BRAND_B_TOKEN": TOKEN_B}
    return build_connectors(accounts, secret=tokens.__getitem__, client=client,
                            options=ConnectorOptions(graph_base_url=f"{url}/graph"))


def outbox(db, connectors, clock) -> Outbox:  # type: ignore[no-untyped-def]
    return Outbox(db, connectors, clock=clock, base_delay=1.0, rate_limiter=RateLimiter({}, clock=clock.monotonic))


def test_a_meta_delivery_records_which_account_received_each_item() -> None:
    comment = {"field": "comments", "value": {"id": "c1", "text": "prix ?", "from": {"id": "u1", "username": "u"},
                                              "media": {"id": "m1"}}}
    dm = {"sender": {"id": "u2"}, "recipient": {"id": BRAND_B}, "timestamp": 1732269600000,
          "message": {"mid": "mid.1", "text": "hello"}}
    report = parse_meta_delivery({"object": "instagram", "entry": [
        {"id": BRAND_A, "time": 1732269600, "changes": [comment]},
        {"id": BRAND_B, "time": 1732269600, "messaging": [dm]},
        {"id": "x" * 300, "time": 1732269600, "changes": [comment]},
    ]})
    assert [(i.external_id, i.account_id) for i in report.interactions] == [("c1", BRAND_A), ("mid.1", BRAND_B)]
    assert [where for where, _ in report.rejected] == ["entry[2].changes[0]"]  # an absurd id, not a crash


async def test_each_reply_goes_out_as_the_brand_that_received_the_comment(sqlite_db, fake, platform_url, client,
                                                                         clock) -> None:
    fake.tokens[TOKEN_B] = BRAND_B
    fake.tokens[TOKEN] = BRAND_A
    first = store(sqlite_db, external_id="c-a", account_id=BRAND_A)
    second = store(sqlite_db, external_id="c-b", account_id=BRAND_B)
    ids = [add_action(sqlite_db, first, Operation.reply, "k-a", text="merci A"),
           add_action(sqlite_db, second, Operation.reply, "k-b", text="merci B")]
    await drain(outbox(sqlite_db, two_brands(client, platform_url), clock), clock, rounds=3)
    assert [action(sqlite_db, i).state for i in ids] == ["done", "done"]
    assert [(r["text"], r["from"]) for r in fake.replies["c-a"]] == [("merci A", BRAND_A)]
    assert [(r["text"], r["from"]) for r in fake.replies["c-b"]] == [("merci B", BRAND_B)]


async def test_a_comment_for_an_account_we_do_not_run_is_dead_lettered_not_answered_as_another(
        sqlite_db, fake, platform_url, client, clock) -> None:
    stranger = store(sqlite_db, external_id="c-x", account_id="999")
    unknown = store(sqlite_db, external_id="c-y")  # no account recorded, and two brands could own it
    ids = [add_action(sqlite_db, stranger, Operation.reply, "k-x", text="?"),
           add_action(sqlite_db, unknown, Operation.reply, "k-y", text="?")]
    alerts: list[str] = []

    async def alert(message: str, *_: object) -> None:
        alerts.append(message)

    box = Outbox(sqlite_db, two_brands(client, platform_url), clock=clock, alert=alert)
    await drain(box, clock, rounds=2)
    rows = [action(sqlite_db, i) for i in ids]
    assert [row.state for row in rows] == ["dead", "dead"]
    assert "instagram account 999" in rows[0].last_error
    assert BRAND_A in rows[1].last_error and BRAND_B in rows[1].last_error
    assert not fake.replies and len(alerts) == 2


def test_the_directory_keeps_single_account_setups_working() -> None:
    single = ConnectorDirectory.of({Platform.youtube: SandboxPlatform(Platform.youtube, account_id="UC1")})
    assert single.find(Platform.youtube, None) is single[Platform.youtube]
    assert single.find(Platform.youtube, "UC1") is single[Platform.youtube]
    assert single.find(Platform.youtube, "UC2") is None
    assert single.find(Platform.tiktok, None) is None
    directory = ConnectorDirectory()
    directory.add(Platform.instagram, SandboxPlatform(Platform.instagram, account_id="a"))
    with pytest.raises(ValueError, match="configured twice"):
        directory.add(Platform.instagram, SandboxPlatform(Platform.instagram, account_id="a"))


def test_the_same_account_listed_twice_is_a_config_error() -> None:
    text = """
accounts:
  - {platform: instagram, id: "1", sandbox: true}
  - {platform: instagram, id: "2", sandbox: true}
  - {platform: instagram, id: "1", sandbox: true}
"""
    with pytest.raises(ConfigError, match="instagram account 1 is listed twice"):
        parse_settings(yaml.safe_load(text))


def test_stored_rows_keep_the_account(sqlite_db) -> None:
    interaction_id = store(sqlite_db, external_id="c-k", account_id=BRAND_B)
    with sqlite_db.session() as session:
        assert session.get(InteractionRow, interaction_id).account_id == BRAND_B
