"""A whole Slack stack per test: the fake Web API, the services, and the Bolt app served over HTTP mode."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.approvals import ApprovalService
from bot.dedupe import InboundDedupe
from bot.escalations import EscalationService
from bot.hub import ChatHub
from bot.kpi_questions import KpiResponder
from bot.oncall import Level, OnCall, Policy, QuietHours, Rotation
from bot.slack.app import SlackComponent, build_app
from bot.slack.approvers import SlackApprovers
from bot.slack.client import build_web_client
from bot.slack.deps import SlackDeps
from bot.slack.surface import SlackSurface
from moderation.runtime.timers import Timers
from moderation.storage import Database
from socialops.compose.core import authorizer
from socialops.config import Approvers, Settings
from tests.bot.slack.slack_fake import FakeSlack, form, sign
from tests.bot.slack.slack_seed import EventKpiSource

SECRET = "test-signing-secret"
APPROVER, LEAD, OUTSIDER = "UAPPROVER", "ULEAD", "UOUTSIDER"
CHANNELS = {"approvals": "CAPPROVALS", "escalations": "CESCALATE", "digest": "CDIGEST", "alerts": "CALERTS"}
PEOPLE = {"alice": "UALICE", "bob": "UBOB", "carol": "UCAROL"}
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 11:00 in Paris


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def oncall_config(quiet: bool = False) -> OnCall:
    rotation = Rotation("community", ("alice", "bob"), timezone="Europe/Paris", start=datetime(2026, 11, 16).date())
    policy = Policy("community", (Level(("rotation:community",), 15), Level(("carol",), 30)), repeats=0)
    quiet_hours = QuietHours(datetime.strptime("22:00", "%H:%M").time(), datetime.strptime("08:00", "%H:%M").time(),
                             "Europe/Paris") if quiet else None
    return OnCall(policies={"community": policy}, rotations={"community": rotation}, quiet_hours=quiet_hours)


class SlackStack:
    def __init__(self, db: Database, fake: FakeSlack, clock: Clock, timers: Timers | None, *,
                 mode: str = "http") -> None:
        self.db, self.fake, self.clock, self.timers = db, fake, clock, timers
        self.slept: list[float] = []

        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        self.client = build_web_client("xoxb-test", base_url=fake.api_url, sleep=sleep,
                                       backoff=FixedValueRetryIntervalCalculator(0.01))
        self.surface = SlackSurface(self.client, channels=CHANNELS, people=PEOPLE, clock=clock)
        settings = Settings(approvers=Approvers(slack_users=(APPROVER,), slack_usergroup="SLEADS"))
        self.approvals = ApprovalService(db, authorizer(settings))
        self.escalations = EscalationService(db, oncall_config(), [self.surface], timers=timers, clock=clock)
        self.hub = ChatHub(db, [self.surface], escalations=self.escalations)
        self.deps = SlackDeps(hub=self.hub, approvals=self.approvals, escalations=self.escalations,
                              approvers=SlackApprovers(self.client, users=(APPROVER,), usergroup="SLEADS"),
                              surface=self.surface, dedupe=InboundDedupe(db),
                              kpis=KpiResponder(EventKpiSource(db, clock.now)))
        if mode == "socket":  # no signing secret: Socket Mode traffic comes over the authenticated websocket
            self.app = build_app(self.deps, signing_secret=None, http_mode=False)
            self.component = SlackComponent(self.app, mode="socket", app_token="xapp-1-test")
        else:
            self.app = build_app(self.deps, signing_secret=SECRET, http_mode=True)
            self.component = SlackComponent(self.app, mode="http", host="127.0.0.1", port=0)
        self.stopping = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.http: aiohttp.ClientSession | None = None

    async def start(self) -> SlackStack:
        self.task = asyncio.create_task(self.component.run(self.stopping))
        await asyncio.wait_for(self.component.ready.wait(), 10)
        self.http = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        self.stopping.set()
        if self.task:
            await self.task
        if self.http:
            await self.http.close()
        await self.client.session.close() if self.client.session else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.component.bound_port}/slack/events"

    async def post(self, body: str, content_type: str, *, timestamp: int | None = None,
                   headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        signed = sign(SECRET, body, timestamp)
        async with self.http.post(self.url, data=body, headers={"Content-Type": content_type, **signed,
                                                                **(headers or {})}) as response:
            await response.read()
            return response

    async def interact(self, payload: dict[str, Any], **kw: Any) -> aiohttp.ClientResponse:
        return await self.post(form(payload), "application/x-www-form-urlencoded", **kw)

    async def click(self, action_id: str, value: int, *, user: str = APPROVER, channel: str = "CAPPROVALS",
                    ts: str = "1700000000.000001") -> aiohttp.ClientResponse:
        return await self.interact({
            "type": "block_actions", "user": {"id": user, "username": user.lower()}, "api_app_id": "A1",
            "token": "legacy", "trigger_id": f"trigger-{user}", "team": {"id": "T1"},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel},
            "channel": {"id": channel}, "message": {"ts": ts, "text": "card"},
            "response_url": f"{self.fake.url}/respond/r1",
            "actions": [{"type": "button", "action_id": action_id, "block_id": f"b{value}", "value": str(value),
                         "action_ts": "1700000000.1"}]})

    async def submit(self, callback_id: str, metadata: dict[str, Any], block_id: str, action_id: str, text: str,
                     *, user: str = APPROVER) -> aiohttp.ClientResponse:
        return await self.interact({
            "type": "view_submission", "user": {"id": user}, "api_app_id": "A1", "team": {"id": "T1"},
            "trigger_id": "t2", "view": {
                "id": "V1", "type": "modal", "callback_id": callback_id, "private_metadata": json.dumps(metadata),
                "state": {"values": {block_id: {action_id: {"type": "plain_text_input", "value": text}}}}}})

    async def command(self, text: str, *, user: str = LEAD) -> aiohttp.ClientResponse:
        from urllib.parse import urlencode

        body = urlencode({"command": "/kpi", "text": text, "user_id": user, "channel_id": "CKPI", "team_id": "T1",
                          "trigger_id": "t3", "response_url": f"{self.fake.url}/respond/kpi", "api_app_id": "A1"})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], *, event_id: str, retry: int | None = None) -> aiohttp.ClientResponse:
        body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event": event,
                           "event_id": event_id, "event_time": 1700000000, "token": "legacy"})
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return await self.post(body, "application/json", headers=headers)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    server = await FakeSlack().start()
    server.usergroups["SLEADS"] = [LEAD]
    yield server
    await server.stop()


@pytest.fixture
async def stack(db: Database, fake: FakeSlack, clock: Clock) -> AsyncIterator[SlackStack]:
    running = await SlackStack(db, fake, clock, timers=None).start()
    yield running
    await running.stop()


@pytest.fixture
async def socket_stack(db: Database, fake: FakeSlack, clock: Clock) -> AsyncIterator[SlackStack]:
    """The same stack in Socket Mode: the fake opens the websocket and pushes envelopes over it."""
    running = await SlackStack(db, fake, clock, timers=None, mode="socket").start()
    yield running
    await running.stop()


@pytest.fixture
async def timed_stack(db: Database, fake: FakeSlack, clock: Clock) -> AsyncIterator[SlackStack]:
    """With persistent timers; the scheduler is started paused so jobs only run when a test fires them."""
    timers = Timers(db)
    timers.scheduler.start(paused=True)
    running = await SlackStack(db, fake, clock, timers=timers).start()
    running.escalations.register()
    yield running
    await running.stop()
    timers.shutdown()
