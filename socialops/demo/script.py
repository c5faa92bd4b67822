"""The demo's stand-in community manager: a deterministic choice per draft so the whole loop shows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from bot.approvals import Verdict
from bot.views import ApprovalCard, ReviewCard

MANAGER = "demo-manager"
ONCALL = "console:demo-oncall"


@dataclass(frozen=True)
class ScriptedChoice:
    verdict: Verdict
    delay: timedelta  # how long after the comment the manager acts
    text: str | None = None
    reason: str | None = None


def choose(card: ApprovalCard) -> ScriptedChoice:
    """Mostly approve, sometimes edit (a warmer sign-off), reject what looks off, escalate angry ones."""
    roll = int(hashlib.sha256(str(card.approval_id).encode()).hexdigest(), 16) % 100
    delay = timedelta(minutes=4 + roll % 50)
    if card.sentiment == "negative" and roll < 40:
        return ScriptedChoice(Verdict.escalate, delay, reason="angry customer: a lead should answer")
    if roll < 65:
        return ScriptedChoice(Verdict.approve, delay)
    if roll < 88:
        sign_off = " — Léa, Maison Lumière" if card.lang == "fr" else " — Lea at Maison Lumière"
        return ScriptedChoice(Verdict.edit, delay, text=card.draft.rstrip() + sign_off)
    return ScriptedChoice(Verdict.reject, delay, reason="off-brand tone for this post")


@dataclass(frozen=True)
class OncallChoice:
    acknowledge_after: timedelta
    resolve_after: timedelta | None  # None: still open at the end of the week


def choose_oncall(escalation_id: int) -> OncallChoice:
    """Acknowledge within 3-20 minutes; resolve 85% of escalations within 1-6 hours, leave the rest open."""
    roll = int(hashlib.sha256(f"oncall-{escalation_id}".encode()).hexdigest(), 16) % 100
    resolve = None if roll >= 85 else timedelta(minutes=60 + roll * 3)
    return OncallChoice(acknowledge_after=timedelta(minutes=3 + roll % 18), resolve_after=resolve)


@dataclass(frozen=True)
class ReviewChoice:
    verdict: str  # keep | restore | delete | ban_author
    delay: timedelta


def choose_review(card: ReviewCard) -> ReviewChoice:
    """The moderator: restores what was not harmful after all, deletes or bans some of the worst, keeps the rest."""
    roll = int(hashlib.sha256(f"review-{card.review_id}".encode()).hexdigest(), 16) % 100
    delay = timedelta(minutes=10 + roll % 80)
    if card.operation != "none" and card.toxicity < 0.5 and card.intent != "spam":
        return ReviewChoice("restore", delay)  # held as borderline, reads fine: back in public view
    if card.toxicity >= 0.9 and roll < 25 and "ban_author" in card.options:
        return ReviewChoice("ban_author", delay)
    if card.toxicity >= 0.8 and roll < 30 and "delete" in card.options:
        return ReviewChoice("delete", delay)
    return ReviewChoice("keep", delay)
