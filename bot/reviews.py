"""The review queue in chat: approver-only verdicts on hidden or held items, and Resume on paused guardrails.

Surface-independent, like `bot.approvals`: Slack, Discord and the console call these with the identity they
verified; the record (`moderation.act.reviews`, `moderation.act.pauses`) makes each verdict happen once."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.approvals import Authorizer
from moderation.act.pauses import PauseError, PauseState, set_paused
from moderation.act.reviews import ReviewError, ReviewVerdict, decide_review
from moderation.storage import Database
from moderation.storage.tables import ReviewRow

logger = logging.getLogger(__name__)

NOT_AN_APPROVER = "Only the configured approvers can review moderated items or resume automation."


class ReviewRefused(ReviewError):
    pass


class ReviewService:
    def __init__(self, db: Database, authorize: Authorizer) -> None:
        self.db = db
        self.authorize = authorize

    def decide(self, review_id: int, verdict: ReviewVerdict, *, surface: str, user: str,
               authorized_as: str | None = None, at: datetime | None = None) -> ReviewRow:
        if not self.authorize(surface, authorized_as or user):
            raise ReviewRefused(NOT_AN_APPROVER)
        return decide_review(self.db, review_id, verdict, actor=f"{surface}:{user}", at=at)

    def resume(self, scope: str, *, surface: str, user: str, authorized_as: str | None = None,
               reason: str = "resumed from chat", at: datetime | None = None) -> PauseState:
        if not self.authorize(surface, authorized_as or user):
            raise ReviewRefused(NOT_AN_APPROVER)
        try:
            return set_paused(self.db, scope, paused=False, actor=f"{surface}:{user}", reason=reason, at=at)
        except PauseError as exc:
            raise ReviewError(str(exc)) from None
