"""The Slack pieces of one process: client and surface first (the hub fans out to them), the Bolt app after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.approvals import ApprovalService
from bot.dedupe import InboundDedupe
from bot.escalations import EscalationService
from bot.hub import ChatHub
from bot.kpi_questions import KpiResponder
from bot.slack.app import SlackComponent, build_app
from bot.slack.approvers import SlackApprovers
from bot.slack.client import build_web_client
from bot.slack.deps import SlackDeps
from bot.slack.surface import SlackSurface
from moderation.storage import Database


class SlackBundle:
    def __init__(self, *, bot_token: str, channels: Mapping[str, str], people: Mapping[str, str] = {},
                 approver_users: Iterable[str] = (), approver_group: str | None = None,
                 approvers_cache_seconds: float = 300, base_url: str | None = None) -> None:
        self.client = build_web_client(bot_token, base_url=base_url)
        self.surface = SlackSurface(self.client, channels=channels, people=people)
        self.approvers = SlackApprovers(self.client, users=approver_users, usergroup=approver_group,
                                        cache_seconds=approvers_cache_seconds)

    def component(self, db: Database, *, hub: ChatHub, approvals: ApprovalService, escalations: EscalationService,
                  kpis: KpiResponder | None, mode: str, signing_secret: str | None = None,
                  app_token: str | None = None, kpi_command: str = "/kpi", host: str = "0.0.0.0", port: int = 3000,
                  path: str = "/slack/events", bot_token_name: str = "the bot token",
                  app_token_name: str = "the app-level token") -> SlackComponent:
        deps = SlackDeps(hub=hub, approvals=approvals, escalations=escalations, approvers=self.approvers,
                         surface=self.surface, dedupe=InboundDedupe(db), kpis=kpis, kpi_command=kpi_command)
        app = build_app(deps, signing_secret=signing_secret, http_mode=mode == "http")
        return SlackComponent(app, mode=mode, app_token=app_token, host=host, port=port, path=path,
                              bot_token_name=bot_token_name, app_token_name=app_token_name)
