"""Composition root: builds the components a process needs from the validated settings."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from moderation.worker import WorkerSettings

if TYPE_CHECKING:
    from bot.approvals import Authorizer
    from moderation.classifier.base import TextClassifier
    from moderation.worker import DecisionEngine
    from socialops.config import Settings


def build_classifier(settings: Settings) -> TextClassifier:
    from moderation.classifier import load_classifier

    return load_classifier(encoder=settings.classifier.encoder, models_dir=settings.classifier.models_dir)


def build_library(settings: Settings) -> DecisionEngine:
    from playbooks import load_library

    return load_library(settings.playbooks_dir)


def worker_settings(settings: Settings) -> WorkerSettings:
    hours = settings.team.business_hours
    return WorkerSettings(
        timezone=settings.team.timezone,
        business_hours=(hours.start, hours.end),
        business_days=hours.day_numbers,
        approval_minutes=settings.sla.approval_minutes,
        batch_size=settings.worker.batch_size,
        lease=timedelta(seconds=settings.worker.lease_seconds),
    )


def authorizer(settings: Settings) -> Authorizer:
    """Who may approve on each surface. Slack user groups and Discord roles are resolved by their adapters,
    which pass the group or role they verified as the user (`group:<id>`, `role:<name>`)."""
    approvers = settings.approvers
    allowed = {
        "console": set(approvers.console),
        "slack": set(approvers.slack_users) | ({f"group:{approvers.slack_usergroup}"} if approvers.slack_usergroup
                                               else set()),
        "discord": {f"role:{approvers.discord_role}"} if approvers.discord_role else set(),
    }

    def authorize(surface: str, user: str) -> bool:
        return user in allowed.get(surface, set())

    return authorize
