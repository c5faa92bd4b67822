"""The demo's summary, printed first and in 80 columns: what happened by kind of message, the KPIs, and what
needs a person now."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlmodel import select

from bot.console import fmt, trend_text
from bot.views import DigestView
from moderation.pipeline.context import paused_campaign_events
from moderation.storage import Database
from moderation.storage.tables import ActionRow, ApprovalRow, ClassificationRow, EscalationRow
from socialops.config import Knowledge
from socialops.demo.questions import question_outcomes

if TYPE_CHECKING:
    from socialops.demo.runner import DemoResult

SUMMARY_KPIS = ("volume", "response_rate", "first_response_minutes", "sla_compliance", "escalation_rate",
                "negative_share", "automated_reply_share", "automation_success_rate", "moderation_actions")
# Bookkeeping, not something a person would call "what it did" to a message.
NOT_SHOWN = frozenset({"tag", "notify"})
# Short names for what was done, so a row of the table stays on one line.
ACTION_WORDS = {"auto_reply": "auto-reply", "send_dm": "DM", "hide": "hide", "delete": "delete", "hold": "hold",
                "escalate": "escalate", "tag": "tag", "create_lead": "lead", "notify": "notify",
                "follow_up": "follow-up", "pause_automation": "pause", "hold_for_review": "hold",
                "draft approved": "draft ✓",
                "draft edited": "draft ✎", "draft rejected": "draft ✗", "draft escalated": "draft ↑",
                "draft pending": "draft …"}


def _what_was_done(db: Database) -> tuple[Counter[str], dict[str, Counter[str]], Counter[str]]:
    with db.session() as session:
        intents = dict(session.exec(select(ClassificationRow.interaction_id, ClassificationRow.intent)).all())
        toxic = Counter(intents.get(i, "?") for i, t in session.exec(
            select(ClassificationRow.interaction_id, ClassificationRow.toxicity)) if t >= 0.5)
        approval_states = dict(session.exec(select(ApprovalRow.action_id, ApprovalRow.state)).all())
        done: dict[str, Counter[str]] = {}
        for action in session.exec(select(ActionRow)).all():
            kind = f"draft {approval_states.get(action.id, 'pending')}" if action.type == "draft_reply" \
                else action.type
            if action.state in ("cancelled",) and action.type != "draft_reply":
                continue
            done.setdefault(intents.get(action.interaction_id, "?"), Counter())[ACTION_WORDS.get(kind, kind)] += 1
    return Counter(intents.values()), done, toxic


def print_summary(console: Console, db: Database, result: DemoResult, digest: DigestView, end: datetime, *,
                  sandbox: str = "sandbox") -> None:
    volume, done, toxic = _what_was_done(db)
    console.rule("[bold]socialops demo")
    platforms = len([line for line in digest.lines if line.platform != "all"])
    console.print(f"A week of Maison Lumière's messages ({result.ingest.stored}, English and French, {platforms} "
                  "platforms) went\nthrough classify → playbooks, a scripted community manager and on-call "
                  f"person,\nin {result.seconds:.0f} s, on a {sandbox}.",
                  highlight=False)
    console.print()
    table = Table(title="What happened, by kind of message", title_justify="left", box=None, pad_edge=False,
                  title_style="bold")
    for column in ("kind", "msgs", "toxic", "what socialops did (most often first)"):
        table.add_column(column, justify="right" if column in ("msgs", "toxic") else "left", no_wrap=True)
    for intent, count in volume.most_common():
        shown = [(word, n) for word, n in done.get(intent, Counter()).most_common() if word not in NOT_SHOWN]
        did = " · ".join(f"{n} {word}" for word, n in shown[:3]) or "tagged only"
        table.add_row(intent, str(count), str(toxic.get(intent, 0)), did)
    console.print(table)
    console.print("[dim]draft ✓ approved as written, ✎ edited, ✗ rejected, ↑ escalated by the manager[/]")
    console.print()
    if f := result.figures:
        console.print(f"[bold]Moderation[/]: {f.toxic_removed} of {f.toxic} toxic items hidden or held · "
                      f"{f.review_cards} review cards · {f.dead_letters} dead letters · {f.leads_lost_to_spam} of "
                      f"{f.lead_dms} lead DMs lost to spam", highlight=False)
    questions: Counter[str] = sum(question_outcomes(db).values(), Counter())
    needed = Knowledge.model_fields["auto_send_after"].default  # the demo runs on the defaults
    console.print(f"[bold]Questions[/] (pricing, purchase, product): {questions['answered']} answered with a fact, "
                  f"{questions['drafted']} drafted with a fact ({questions['warming up']} of them sure, held until "
                  f"people have approved that answer {needed} times unedited), {questions['unanswered']} "
                  f"unanswered ({questions['one click']} of them with a fact to send one click away), "
                  f"{questions['fell through']} fell through", highlight=False)
    console.print()
    trends = {t.name: t for t in digest.trends}
    kpis = Table(title="KPIs, last 7 days, against the 7 days before", title_justify="left", box=None,
                 pad_edge=False, title_style="bold")
    for column in ("KPI", "now", "before", "trend", "goal"):
        kpis.add_column(column, justify="left" if column in ("KPI", "trend") else "right", no_wrap=True)
    for name in SUMMARY_KPIS:
        if trend := trends.get(name):
            kpis.add_row(trend.label, fmt(trend.value, trend.unit), fmt(trend.previous, trend.unit),
                         trend_text(trend), fmt(trend.goal, trend.unit) if trend.goal is not None else "")
    console.print(kpis)
    console.print()
    console.print("[bold]Needs a person now[/]")
    for line in needs_a_person(db):
        console.print(f"  • {line}", highlight=False)
    console.print()
    console.print('Ask: socialops ask "taux de réponse insta hier"  ·  full log: --verbose', highlight=False)


def needs_a_person(db: Database) -> list[str]:
    with db.session() as session:
        escalations = session.execute(sa.select(EscalationRow.level, sa.func.count())
                                      .where(EscalationRow.state != "resolved")
                                      .group_by(EscalationRow.level)).all()
        unacknowledged = session.scalar(sa.select(sa.func.count()).where(EscalationRow.state == "open"))
        drafts = session.scalar(sa.select(sa.func.count()).where(ApprovalRow.state == "pending"))
        dead = session.scalar(sa.select(sa.func.count()).where(ActionRow.state == "dead"))
        paused = sorted(campaign for campaign, _, _, is_paused in paused_campaign_events(session) if is_paused)
    by_level = dict(escalations)
    total = sum(by_level.values())
    levels = ", ".join(f"{n} {level}" for level, n in sorted(by_level.items()))
    lines = [f"{total} escalation{'s' * (total != 1)} not resolved ({levels}), {unacknowledged} not acknowledged"
             if total else "no escalation open"]
    lines.append(f"{drafts} draft{'s' * (drafts != 1)} waiting for approval" if drafts else
                 "no draft waiting for approval")
    lines.append(f"{dead} action{'s' * (dead != 1)} failed for good (socialops actions list --state dead)" if dead
                 else "no failed action")
    if paused:
        lines.append(f"automation paused on {len(paused)} campaign{'s' * (len(paused) != 1)}: {', '.join(paused)}")
    return lines
