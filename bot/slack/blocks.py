"""Render out: the view models (approval cards, escalation pages, digests, KPI answers) as Block Kit JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.format import minutes as _minutes
from bot.format import pct as _pct
from bot.kpi_questions import KpiReply, format_value, goal_met
from bot.reminders import sla_left
from bot.views import ApprovalCard, DigestView, EscalationPage, KpiAnswer, PauseCard, ReviewCard

Block = dict[str, Any]

APPROVE = "approval.approve"
EDIT = "approval.edit"
REJECT = "approval.reject"
ESCALATE = "approval.escalate"
USE_ALTERNATIVE = ("approval.use.1", "approval.use.2")  # "Send this instead", one per alternative reply
ACKNOWLEDGE = "escalation.acknowledge"
RESOLVE = "escalation.resolve"
REVIEW_PREFIX = "review."
REVIEW_ACTIONS = {"keep": "review.keep", "restore": "review.restore", "delete": "review.delete",
                  "ban_author": "review.ban_author"}
RESUME = "guardrail.resume"
EDIT_MODAL = "approval.edit_submit"
REJECT_MODAL = "approval.reject_submit"
FINAL_BLOCK, FINAL_INPUT = "final", "text"
REASON_BLOCK, REASON_INPUT = "reason", "text"

_VERDICT_LINE = {"approved": "✅ Approved", "edited": "✏️ Edited and approved", "rejected": "🚫 Rejected",
                 "escalated": "🚨 Escalated"}
_LEVEL_ICON = {"urgent": "🔴", "priority": "🟠", "normal": "🔵"}


def escape(text: str) -> str:
    """Slack mrkdwn control characters in user text (a comment could otherwise ping @channel)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def _md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": _cut(text, 3000)}


def _section(text: str) -> Block:
    return {"type": "section", "text": _md(text)}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [_md(text) for text in texts if text][:10]}


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in escape(_cut(text, 2500)).splitlines() or [""])


def slack_date(at: datetime, fmt: str = "{date_short_pretty} {time}") -> str:
    """Shown in each reader's own timezone by Slack; the fallback is UTC."""
    return f"<!date^{int(at.timestamp())}^{fmt}|{at:%Y-%m-%d %H:%M} UTC>"


def actor(name: str | None, people: Mapping[str, str] = {}) -> str:
    """"slack:U123" -> a mention; other surfaces' actors and on-call names as readable text."""
    if not name:
        return "someone"
    if name.startswith("slack:"):
        return f"<@{name.split(':', 1)[1]}>"
    if name in people:
        return f"<@{people[name]}>"
    surface, _, user = name.partition(":")
    return f"{escape(user)} ({surface})" if user else escape(name)


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "button", "text": _plain(text, 75), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def _explanation(card: ApprovalCard) -> str:
    items = [f"{key}: {_cut(str(value), 80)}" for key, value in list(card.explanation.items())[:4]]
    return escape(" · ".join(items))


def approval_blocks(card: ApprovalCard, *, now: datetime) -> list[Block]:
    where = f"on post `{escape(card.post_id)}`" if card.post_id else ""
    link = f" (<{card.link}|open>)" if card.link else ""
    blocks: list[Block] = [
        {"type": "header", "text": _plain(f"Draft #{card.approval_id} · {card.platform} {card.kind}")},
        _section(f"*@{escape(card.author)}* {where}{link}\n{_quote(card.text)}"),
        _context(f"intent *{escape(card.intent)}* ({card.intent_confidence:.0%}) · toxicity {card.toxicity:.2f}"
                 f" · {escape(card.sentiment)} · {escape(card.lang or '?')}",
                 f"why: {escape(card.reason)} ({escape(card.rule)})" if card.reason or card.rule else "",
                 _explanation(card)),
        _section(f"*Draft reply*\n{_quote(card.draft)}"),
    ]
    if card.state == "pending":
        if card.due_at is not None:
            blocks.append(_context(f"⏱ respond before {slack_date(card.due_at)} — SLA {sla_left(card.due_at, now)}"))
        value = str(card.approval_id)
        for alternative, action_id in zip(card.alternatives, USE_ALTERNATIVE, strict=False):
            heading = (f"*Or send instead* (`{escape(alternative.source)}`)" if alternative.sendable else
                       f"*Another answer* (`{escape(alternative.source)}`), longer than {card.platform} allows "
                       f"({alternative.over_limit} characters): shorten it with Edit")
            section: Block = {"type": "section", "text": _md(f"{heading}\n{_quote(alternative.text)}")}
            if alternative.sendable:
                section["accessory"] = _button("Send this instead", action_id, value)
            blocks.append(section)
        blocks.append({"type": "actions", "block_id": f"approval:{card.approval_id}", "elements": [
            _button("Approve", APPROVE, value, "primary"), _button("Edit", EDIT, value),
            _button("Reject", REJECT, value, "danger"), _button("Escalate", ESCALATE, value)]})
        return blocks
    if card.state == "edited" and card.final_text is not None:
        blocks.append(_section(f"*Sent instead*\n{_quote(card.final_text)}"))
    when = f" at {slack_date(card.decided_at)}" if card.decided_at else ""
    reason = f": {escape(card.verdict_reason)}" if card.verdict_reason and card.state in ("rejected",
                                                                                          "escalated") else ""
    blocks.append(_context(f"{_VERDICT_LINE.get(card.state, card.state)} by {actor(card.decided_by)}{when}{reason}"))
    return blocks


def approval_text(card: ApprovalCard) -> str:
    """The notification and screen-reader fallback for the card."""
    return f"Draft #{card.approval_id} for {card.platform} @{card.author} ({card.state})"


def escalation_blocks(page: EscalationPage, *, people: Mapping[str, str] = {}) -> list[Block]:
    icon = _LEVEL_ICON.get(page.level, "⚪")
    blocks: list[Block] = [
        {"type": "header", "text": _plain(f"{icon} {page.level.upper()} escalation #{page.escalation_id}")},
    ]
    if page.state == "open":
        if page.deferred_until is not None:
            blocks.append(_section(f"Quiet hours: team *{escape(page.team)}* is paged at "
                                   f"{slack_date(page.deferred_until)} unless someone picks this up first."))
        elif page.oncall:
            who = " ".join(actor(name, people) for name in page.oncall)
            blocks.append(_section(f"{who} — you are on call (page {page.step + 1}). Please acknowledge."))
        else:
            blocks.append(_section(f"For team *{escape(page.team)}* (no one on call is configured)."))
    link = f" (<{page.link}|open>)" if page.link else ""
    blocks.append(_section(f"*{escape(page.platform)}* @{escape(page.author)}{link}\n{_quote(page.text)}\n"
                           f"*Why:* {escape(page.reason or '—')}"))
    if page.worst:
        blocks.append(_section("*Worst comments on the post*\n" + "\n".join(_quote(w) for w in page.worst)))
    value = str(page.escalation_id)
    if page.state == "open":
        if page.next_page_at is not None:
            blocks.append(_context(f"Next level paged at {slack_date(page.next_page_at, '{time}')} "
                                   "if not acknowledged."))
        blocks.append({"type": "actions", "block_id": f"escalation:{page.escalation_id}", "elements": [
            _button("Acknowledge", ACKNOWLEDGE, value, "primary"), _button("Resolve", RESOLVE, value)]})
    elif page.state == "acknowledged":
        blocks.append(_context(f"👀 Acknowledged by {actor(page.acknowledged_by, people)}"))
        blocks.append({"type": "actions", "block_id": f"escalation:{page.escalation_id}",
                       "elements": [_button("Resolve", RESOLVE, value, "primary")]})
    else:
        ack = f" · acknowledged by {actor(page.acknowledged_by, people)}" if page.acknowledged_by else ""
        blocks.append(_context(f"✅ Resolved by {actor(page.resolved_by, people)}{ack}"))
    return blocks


def escalation_text(page: EscalationPage, *, people: Mapping[str, str] = {}) -> str:
    who = " ".join(actor(name, people) for name in page.oncall)
    return f"{page.level} escalation #{page.escalation_id} ({page.state}) {who}".strip()


def digest_blocks(digest: DigestView) -> list[Block]:
    blocks: list[Block] = [{"type": "header", "text": _plain(digest.title)}, _context(escape(digest.window))]
    for line in digest.lines[:20]:
        blocks.append(_section(
            f"*{escape(line.platform)}* — {line.volume} received ({line.comments} comments, {line.dms} DMs) · "
            f"response rate {_pct(line.response_rate)} · first response {_minutes(line.first_response_minutes)}"
            f" · escalations {line.escalations} · negative {_pct(line.negative)} · hidden {line.hidden}"))
    if not digest.lines and not digest.sections:
        blocks.append(_section("Nothing received in this window."))
    blocks.append(_context(f"pending approvals: *{digest.pending_approvals}* · "
                           f"open escalations: *{digest.open_escalations}*"))
    if digest.notes:
        blocks.append(_section("\n".join(f"• {escape(note)}" for note in digest.notes[:30])))
    for section in digest.sections[:10]:  # Slack allows 50 blocks a message
        body = "\n".join(f"• {escape(line)}" for line in section.lines[:15]) or f"_{escape(section.empty)}_"
        blocks.append(_section(f"*{escape(section.title)}*\n{body}"))
    return blocks


def kpi_answer_blocks(answer: KpiAnswer) -> list[Block]:
    question = answer.question
    scope = f"{question.platform or 'all platforms'} · {question.window_label or f'last {question.window_days} days'}"
    details = []
    if answer.previous is not None:
        details.append(f"previous period {format_value(answer.previous, answer.unit)}")
    if answer.goal is not None:
        met = goal_met(answer)
        mark = "" if met is None else (" ✅" if met else " ⚠️")
        details.append(f"goal {format_value(answer.goal, answer.unit)}{mark}")
    blocks = [_section(f"*{escape(answer.label)}* ({escape(scope)}): *{format_value(answer.value, answer.unit)}*")]
    if details:
        blocks.append(_context(" · ".join(details)))
    return blocks


def kpi_reply_blocks(reply: KpiReply) -> list[Block]:
    if reply.help or not reply.answers:
        return [_section(escape(reply.text))]
    return [block for answer in reply.answers[:20] for block in kpi_answer_blocks(answer)]


def _modal(callback_id: str, title: str, submit: str, metadata: dict[str, Any], block: Block) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback_id, "title": _plain(title, 24), "submit": _plain(submit, 24),
            "close": _plain("Cancel", 24), "private_metadata": json.dumps(metadata), "blocks": [block]}


def edit_modal(card: ApprovalCard, metadata: dict[str, Any]) -> dict[str, Any]:
    field = {"type": "input", "block_id": FINAL_BLOCK, "label": _plain(f"Reply to @{card.author}"),
             "element": {"type": "plain_text_input", "action_id": FINAL_INPUT, "multiline": True,
                         "initial_value": _cut(card.draft, 3000), "max_length": 3000}}
    return _modal(EDIT_MODAL, f"Edit draft #{card.approval_id}", "Send", metadata, field)


def reject_modal(card: ApprovalCard, metadata: dict[str, Any]) -> dict[str, Any]:
    field = {"type": "input", "block_id": REASON_BLOCK, "label": _plain("Why is this draft rejected?"),
             "element": {"type": "plain_text_input", "action_id": REASON_INPUT, "multiline": True,
                         "max_length": 1000}}
    return _modal(REJECT_MODAL, f"Reject draft #{card.approval_id}", "Reject", metadata, field)


_REVIEW_BUTTON = {"keep": ("Keep hidden", "primary"), "restore": ("Restore", None), "delete": ("Delete", "danger"),
                  "ban_author": ("Ban author", "danger")}
_REVIEW_LINE = {"kept": "🙈 Kept hidden", "restored": "↩️ Restored", "deleted": "🗑 Deleted",
                "banned": "⛔ Author banned"}
_DONE = {"hide": "hidden", "hold": "held for review", "none": "not hidden (a DM, or no way to hide it): for a person"}


def review_blocks(card: ReviewCard) -> list[Block]:
    """A moderated item: what, where, why (rule and the words behind the scores), and the verdicts allowed."""
    where = f"on post `{escape(card.post_id)}`" if card.post_id else ""
    link = f" (<{card.link}|open>)" if card.link else ""
    keep_label = "Keep hidden" if card.operation != "none" else "Done"
    blocks: list[Block] = [
        {"type": "header", "text": _plain(f"Review #{card.review_id} · {card.platform} {card.kind} "
                                          f"{_DONE.get(card.operation, card.operation)}")},
        _section(f"*@{escape(card.author)}* {where}{link}\n{_quote(card.text)}"),
        _context(f"intent *{escape(card.intent)}* ({card.intent_confidence:.0%}) · toxicity {card.toxicity:.2f}"
                 f" · {escape(card.sentiment)}",
                 f"why: {escape(card.reason)} ({escape(card.rule)})",
                 f"words: {escape(', '.join(card.words))}" if card.words else ""),
    ]
    if card.state == "pending":
        value = str(card.review_id)
        buttons = []
        for option in card.options:
            label, style = _REVIEW_BUTTON[option]
            buttons.append(_button(keep_label if option == "keep" else label, REVIEW_ACTIONS[option], value, style))
        blocks.append({"type": "actions", "block_id": f"review:{card.review_id}", "elements": buttons})
        return blocks
    when = f" at {slack_date(card.decided_at)}" if card.decided_at else ""
    blocks.append(_context(f"{_REVIEW_LINE.get(card.state, card.state)} by {actor(card.decided_by)}{when}"))
    return blocks


def review_text(card: ReviewCard) -> str:
    return f"Review #{card.review_id}: {card.platform} @{card.author} ({card.state})"


def pause_blocks(card: PauseCard) -> list[Block]:
    if not card.paused:
        return [_section(f"▶️ Automation resumed for *{escape(card.label)}* by {actor(card.actor)}"
                         + (f": {escape(card.reason)}" if card.reason else ""))]
    return [
        _section(f"⏸ *Automation paused for {escape(card.label)}* since {slack_date(card.since)}\n"
                 f"{escape(card.reason)}\nReplies become drafts for approval until it resumes (automatically once "
                 "the negative share is back under the limit, or now)."),
        {"type": "actions", "block_id": f"pause:{card.scope}"[:255],
         "elements": [_button("Resume", RESUME, card.scope[:2000], "primary")]},
    ]
