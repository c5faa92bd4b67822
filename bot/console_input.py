"""Reads approvers' commands typed into the console (approve 3, edit 3 new text, reject 3 reason, ...)."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Callable
from typing import TextIO

from bot.approvals import ApprovalError, ApprovalService, Verdict
from bot.hub import ChatHub
from bot.kpi_questions import KpiResponder
from bot.reviews import ReviewService
from moderation.act.reviews import ReviewError, ReviewVerdict

logger = logging.getLogger(__name__)

HELP = ("commands: approve N · edit N <new text> · use N K (send alternative K) · reject N <reason> · "
        "escalate N <reason> · "
        "keep|restore|delete|ban R (review item R) · resume <campaign or account:…> · digest · "
        "/kpi <question> (e.g. /kpi response rate insta last week) · help")
_REVIEW_COMMANDS = {"keep": "keep", "restore": "restore", "delete": "delete", "ban": "ban_author"}
KPI_COMMANDS = ("/kpi", "kpi", "ask", "/ask")


class ConsoleInput:
    name = "console-input"

    def __init__(self, hub: ChatHub, approvals: ApprovalService, *, user: str, say: Callable[[str], None],
                 digest: Callable[[], object] | None = None, stream: TextIO | None = None,
                 reviews: ReviewService | None = None, kpis: KpiResponder | None = None) -> None:
        self.hub = hub
        self.approvals = approvals
        self.reviews = reviews
        self.user = user
        self.say = say
        self.digest = digest
        self.stream = stream or sys.stdin
        self.kpis = kpis

    async def handle(self, line: str) -> None:
        words = line.strip().split(maxsplit=2)
        if not words:
            return
        command = words[0].lower()
        if command in KPI_COMMANDS and self.kpis is not None:
            question = line.strip()[len(words[0]):].strip()
            reply = await asyncio.to_thread(self.kpis.ask, question)  # KPI queries hit the database
            self.say(reply.text)
            return
        if command == "digest" and self.digest is not None:
            await self.digest()  # type: ignore[misc]
            return
        if self.reviews is not None and command in (*_REVIEW_COMMANDS, "resume") and len(words) >= 2:
            await self._review(command, words[1])
            return
        if command == "use" and len(words) == 3 and words[1].lstrip("#").isdigit() and words[2] in ("1", "2"):
            try:
                await self.hub.decide(self.approvals, int(words[1].lstrip("#")), Verdict.edit, surface="console",
                                      user=self.user, alternative=int(words[2]) - 1)
            except ApprovalError as exc:
                self.say(f"not done: {exc}")
            return
        if command not in {v.value for v in Verdict} or len(words) < 2 or not words[1].lstrip("#").isdigit():
            self.say(HELP)
            return
        rest = words[2] if len(words) > 2 else None
        verdict = Verdict(command)
        try:
            await self.hub.decide(self.approvals, int(words[1].lstrip("#")), verdict, surface="console",
                                  user=self.user, final_text=rest if verdict == Verdict.edit else None,
                                  reason=rest if verdict != Verdict.edit else None)
        except ApprovalError as exc:
            self.say(f"not done: {exc}")

    async def _review(self, command: str, target: str) -> None:
        assert self.reviews is not None
        try:
            if command == "resume":
                await self.hub.resume(self.reviews, target, surface="console", user=self.user)
            elif target.lstrip("#").isdigit():
                await self.hub.decide_review(self.reviews, int(target.lstrip("#")),
                                             ReviewVerdict(_REVIEW_COMMANDS[command]), surface="console",
                                             user=self.user)
            else:
                self.say(HELP)
        except ReviewError as exc:
            self.say(f"not done: {exc}")

    async def run(self, stopping: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str | None] = asyncio.Queue()

        def pump() -> None:
            # A daemon thread: a blocked readline must never hold the process open at shutdown.
            for line in self.stream:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=pump, name="console-input", daemon=True).start()
        self.say(HELP)
        while not stopping.is_set():
            getter = asyncio.ensure_future(lines.get())
            stopper = asyncio.ensure_future(stopping.wait())
            done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if getter not in done:
                getter.cancel()
                return
            line = getter.result()
            if line is None:
                return
            try:
                await self.handle(line)
            except Exception:  # noqa: BLE001 - a typo must not stop the console
                logger.exception("bot.console_input.failed")
