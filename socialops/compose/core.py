"""The pieces every process is built from, out of the validated settings: classifier, playbook library,
worker settings, approvers, on-call, platform connectors, rate limits, the webhook app."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from moderation.pipeline.worker import WorkerSettings

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence
    from pathlib import Path

    from starlette.applications import Starlette

    from bot.approvals import Authorizer
    from bot.oncall import OnCall
    from moderation.classifier.base import TextClassifier
    from moderation.domain import Interaction, Platform
    from moderation.knowledge.stage import KnowledgeStage
    from moderation.pipeline.worker import DecisionEngine
    from moderation.platforms.base import PlatformConnector
    from moderation.platforms.directory import ConnectorDirectory
    from moderation.platforms.rate_limit import RateLimiter
    from moderation.platforms.registry import AccountCapabilities, ConnectorOptions
    from moderation.platforms.spec import Poller
    from moderation.storage import Database
    from playbooks import Library
    from socialops.config import Settings

logger = logging.getLogger(__name__)

def build_classifier(settings: Settings) -> TextClassifier:
    from moderation.classifier import load_classifier

    return load_classifier(encoder=settings.classifier.encoder, models_dir=settings.classifier.models_dir)


def load_playbooks(folder: Path | None) -> Library:
    """Playbooks as written, with each platform's own text limits (from the platform registry) as defaults."""
    from moderation.platforms.registry import text_limits
    from playbooks import load_library

    return load_library(folder).with_text_limits(text_limits())


def build_library(settings: Settings) -> DecisionEngine:
    """The team's playbooks as written; the bundled library takes the thresholds calibrated with the model
    (auto-hide at >= 0.90 precision on held-out data, a lower review threshold) in place of its YAML defaults."""
    library = load_playbooks(settings.playbooks_dir)
    if settings.playbooks_dir is not None:
        return library
    from moderation.classifier import thresholds

    calibrated = thresholds(settings.classifier.models_dir)
    return library.with_thresholds(auto_hide=calibrated["auto_hide"], review=calibrated["review"])


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


def account_capabilities(settings: Settings) -> AccountCapabilities:
    """What each configured account may do (its platform's real capabilities unless narrowed; every operation
    for `sandbox: permissive`); platforms without a configured account: their real capabilities."""
    from moderation.platforms.registry import AccountCapabilities

    return AccountCapabilities.of_accounts(settings.accounts)


def authorizer(settings: Settings) -> Authorizer:
    """Who may approve on each surface. Slack user groups and Discord roles are resolved by their adapters,
    which pass the group or role they verified as `authorized_as` (`group:<id>`; on Discord every role of the
    member is offered as `role:<name>` and `role:<id>`, so `approvers.discord_role` may be either)."""
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


def build_oncall(settings: Settings) -> OnCall:
    """The on-call configuration as the pure objects bot/oncall.py answers from."""
    from datetime import time

    from bot.oncall import Level, OnCall, Override, Policy, QuietHours, Rotation
    from moderation.domain import WEEKDAYS

    tz = settings.team.timezone

    def aware(value):  # type: ignore[no-untyped-def]
        from zoneinfo import ZoneInfo

        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))

    config = settings.oncall
    rotations = {
        name: Rotation(name, r.members, timezone=tz, handoff_day=WEEKDAYS.index(r.handoff_day),
                       handoff_time=time.fromisoformat(r.handoff_time), start=r.start,
                       overrides=tuple(Override(o.person, aware(o.start), aware(o.end)) for o in r.overrides))
        for name, r in config.rotations.items()
    }
    policies = {name: Policy(name, tuple(Level(level.targets, level.wait_minutes) for level in p.levels), p.repeats)
                for name, p in config.policies.items()}
    quiet = (QuietHours(time.fromisoformat(config.quiet_hours.start), time.fromisoformat(config.quiet_hours.end), tz)
             if config.quiet_hours else None)
    return OnCall(policies=policies, rotations=rotations, quiet_hours=quiet,
                  urgent_levels=frozenset(config.urgent_levels))


def slack_channels(settings: Settings) -> dict[str, str]:
    """Logical channel names, and the team-wide names chat.channels gives them, -> Slack channel ids."""
    generic = settings.chat.channels.model_dump()
    specific = settings.chat.slack.channels.model_dump()
    mapping: dict[str, str] = {}
    for key, name in generic.items():
        target = specific.get(key) or name
        mapping[key] = target
        mapping[name] = target
    return mapping


def connector_options(settings: Settings) -> ConnectorOptions:
    from moderation.platforms.registry import ConnectorOptions

    c = settings.connectors
    return ConnectorOptions(graph_base_url=c.graph_base_url, graph_api_version=c.graph_api_version,
                            youtube_base_url=c.youtube_base_url, tiktok_base_url=c.tiktok_base_url,
                            timeout_seconds=c.timeout_seconds, youtube_daily_quota=c.youtube_daily_quota)


def build_platform_connectors(settings: Settings, db: Database) -> ConnectorDirectory:
    """The configured accounts' connectors; tokens come from the environment or the secrets file."""
    from moderation.platforms.registry import build_connectors

    return build_connectors(settings.accounts, secret=settings.secret, options=connector_options(settings), db=db)


def build_pollers(settings: Settings, db: Database) -> list[Poller]:
    from moderation.ingest.store import store_interactions
    from moderation.platforms.registry import build_pollers as pollers_for

    def store(interactions: Sequence[Interaction], source: str) -> int:
        return store_interactions(db, interactions, source=source).stored

    return pollers_for(settings.accounts, db, secret=settings.secret, store=store,
                       options=connector_options(settings))


def rate_limiter(settings: Settings) -> RateLimiter:
    """Each platform's declared limit, then the configuration's overrides."""
    from moderation.platforms.rate_limit import RateLimit, RateLimiter
    from moderation.platforms.registry import rate_limits

    limits = rate_limits()
    for platform, limit in settings.connectors.rate_limits.items():
        limits[platform.value] = RateLimit(per_second=limit.per_second, burst=limit.burst)
    return RateLimiter(limits)


def build_webhook_app(settings: Settings, db: Database,
                      alert: Callable[[str], Awaitable[None]] | None = None) -> Starlette:
    """The receiver with its secrets resolved now, so a missing secret stops the start, not the first delivery;
    `alert` hears of inbound dead letters."""
    from moderation.ingest.webhooks import WebhookOptions, WebhookSecrets, create_webhook_app

    hooks = settings.webhooks
    secrets = WebhookSecrets(
        meta_verify_token=settings.secret(hooks.verify_token_env),
        meta_app_secret=settings.secret(hooks.app_secret_env),
        tiktok_client_secret=_tiktok_secret(settings),
    )
    options = WebhookOptions(max_body_bytes=hooks.max_body_bytes, max_header_bytes=hooks.max_header_bytes,
                             max_headers=hooks.max_headers,
                             tiktok_tolerance_seconds=hooks.tiktok_tolerance_seconds,
                             own_account_ids=tuple(account.id for account in settings.accounts))
    return create_webhook_app(db, secrets, options, extra_routes=_shop_routes(settings, db), alert=alert)


def _shop_routes(settings: Settings, db: Database) -> list:  # type: ignore[type-arg]
    """The shops' order webhooks whose secret is set; a shop without one has no endpoint (nothing unsigned in)."""
    import os
    from datetime import timedelta

    from moderation.measure.shop_webhooks import shop_routes
    from socialops.config import ConfigError

    conversions = settings.conversions
    secrets = {}
    for shop, env in (("shopify", conversions.shopify_secret_env), ("woocommerce", conversions.woocommerce_secret_env)):
        if env and (os.environ.get(env) or settings.secrets_file):
            try:
                secrets[shop] = settings.secret(env)
            except ConfigError:  # not in the secrets file either: no endpoint
                continue
    return shop_routes(db, secrets, window=timedelta(days=conversions.attribution_days),
                       max_body=settings.webhooks.max_body_bytes)


def _tiktok_secret(settings: Settings) -> str:
    from moderation.domain import Platform
    from socialops.config import ConfigError

    env = settings.webhooks.tiktok_secret_env
    if not env:
        return ""
    try:
        return settings.secret(env)
    except ConfigError:
        if any(a.platform == Platform.tiktok and not a.sandbox for a in settings.accounts):
            raise
        return ""  # no TikTok account: its endpoint refuses every delivery


def _judge(settings: Settings, encoder: str) -> tuple[Any, Any]:
    """The retrieval judge for `encoder` saved next to the classifier's encoder, and that encoder (None: the
    classifier's). Without the encoder's package, the judge trained on the classifier's encoder alone (logged);
    without any judge file, none (the rules alone)."""
    from moderation.classifier.settings import ClassifierSettings
    from moderation.knowledge.judge import CLASSIFIER_ENCODER, Judge, judge_encoder, judge_file

    models_dir = ClassifierSettings.resolve(None, settings.classifier.models_dir).models_dir
    judge = Judge.load(models_dir / judge_file(encoder))
    if judge is None:
        return None, None
    try:
        return judge, judge_encoder(judge.encoder)
    except ImportError:
        logger.warning("socialops.knowledge.judge_unavailable", extra={"encoder": judge.encoder,
                                                                        "instead": CLASSIFIER_ENCODER})
        return Judge.load(models_dir / judge_file(CLASSIFIER_ENCODER)), None


def build_knowledge(settings: Settings, classifier: TextClassifier, db: Database | None = None,
                    connectors: Mapping[Platform, PlatformConnector] | None = None,
                    library: Library | None = None) -> KnowledgeStage | None:
    """The knowledge stage when `knowledge:` is configured: both files validated in full now (a mistake stops
    the start with file and line), retrieval over the classifier's own encoder and a judge reading its own
    (`knowledge.judge`)."""
    if settings.knowledge is None:
        return None
    from moderation.knowledge.files import KnowledgeError, load_knowledge
    from moderation.knowledge.llm import build_writer
    from moderation.knowledge.posts import PostProducts
    from moderation.knowledge.retrieval import Retriever, Thresholds, classifier_embedder
    from moderation.knowledge.stage import KnowledgeStage
    from moderation.knowledge.trust import ApprovalTrust

    config = settings.knowledge
    base = load_knowledge(config.answers, config.catalogue)
    skus = {product.sku for product in base.products}
    unknown = [f"knowledge.{section}.{key}: unknown sku '{sku}' (not in {config.catalogue})"
               for section, mapping in (("posts", config.posts), ("campaigns", config.campaigns))
               for key, sku in mapping.items() if sku not in skus]
    if unknown:
        raise KnowledgeError(unknown)
    judge, judge_encoder = _judge(settings, config.judge) if config.judge != "off" else (None, None)
    retriever = Retriever(base, classifier_embedder(classifier),
                          thresholds=Thresholds(high=config.high, low=config.low), judge=judge,
                          judge_encoder=judge_encoder)

    def reader(platform: str, account_id: str | None) -> object | None:
        if connectors is None:
            return None
        from moderation.domain import Platform as _Platform

        find = getattr(connectors, "find", None)
        if find is not None:
            return find(_Platform(platform), account_id)
        return connectors.get(_Platform(platform))

    posts = PostProducts(db, retriever.caption_product, posts=config.posts, campaigns=config.campaigns,
                         reader=reader, caption_products=retriever.caption_products)
    names = [product.name for product in base.products]
    writer = (build_writer(settings.drafting, settings.secret, names) if settings.drafting.llm is not None
              else None)
    trust = ApprovalTrust(db, config.auto_send_after) if config.auto_send_after and db is not None else None
    # LLM wording keeps within the limits the playbooks render to: the library's, the one source of them (every
    # process passes its library; without one, as in tests of retrieval alone, wording is asked for no length).
    return KnowledgeStage(retriever, posts, intents=config.intents, writer=writer, any_question=config.any_question,
                          trust=trust, text_limit=library.settings.text_limit if library is not None else None)

