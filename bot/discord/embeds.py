"""Renders the surface-independent views (bot.views) as Discord embeds, within Discord's size limits."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import discord

from bot.format import minutes as _minutes
from bot.format import pct as _pct
from bot.kpi_questions import KpiReply, format_value, goal_met
from bot.views import ApprovalCard, DigestView, EscalationPage, KpiAnswer, KpiLine, PauseCard, ReviewCard

# Discord rejects a whole message when one embed limit is exceeded, so every text is cut to fit.
TITLE_MAX, DESCRIPTION_MAX, FIELD_MAX, FIELDS_MAX, CONTENT_MAX, EMBED_MAX = 256, 4096, 1024, 25, 2000, 6000
CHART_FILENAME = "digest.png"

STATE_COLOUR = {
    "pending": discord.Colour.blurple(), "approved": discord.Colour.green(), "edited": discord.Colour.gold(),
    "rejected": discord.Colour.red(), "escalated": discord.Colour.purple(),
    "open": discord.Colour.red(), "acknowledged": discord.Colour.orange(), "resolved": discord.Colour.green(),
}
LEVEL_EMOJI = {"urgent": "🚨", "priority": "⚠️", "normal": "🔔"}
_DISCORD_ACTOR = re.compile(r"^discord:(\d+)$")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit(embed: discord.Embed, limit: int = EMBED_MAX) -> discord.Embed:
    """Shrink the longest texts (description first, then fields from the last) until the whole embed fits."""
    excess = len(embed) - limit
    if excess > 0 and embed.description:
        embed.description = cut(embed.description, max(200, len(embed.description) - excess))
    for index in reversed(range(len(embed.fields))):
        excess = len(embed) - limit
        if excess <= 0:
            break
        field = embed.fields[index]
        value = str(field.value)
        embed.set_field_at(index, name=field.name, value=cut(value, max(50, len(value) - excess)),
                           inline=bool(field.inline))
    return embed


def actor(who: str | None) -> str:
    """A person as the card shows them: a Discord user becomes a mention; other surfaces stay as recorded."""
    if not who:
        return "someone"
    match = _DISCORD_ACTOR.match(who)
    return f"<@{match.group(1)}>" if match else who


def _quote(text: str, limit: int = FIELD_MAX) -> str:
    return cut("\n".join(f"> {line}" for line in (text or "—").splitlines()) or "> —", limit)


def approval_content(card: ApprovalCard) -> str:
    """The plain-text line sent with the embed: what notifications and embed-less clients show."""
    if card.state == "pending":
        return cut(f"Draft #{card.approval_id} waits for approval: {card.platform} {card.kind} from @{card.author}",
                   CONTENT_MAX)
    return cut(f"Draft #{card.approval_id} {card.state} by {actor(card.decided_by)}", CONTENT_MAX)


def approval_embed(card: ApprovalCard) -> discord.Embed:
    embed = discord.Embed(
        title=cut(f"Draft #{card.approval_id} · {card.platform} {card.kind} from @{card.author}", TITLE_MAX),
        description=_quote(card.text, DESCRIPTION_MAX),
        colour=STATE_COLOUR.get(card.state, discord.Colour.default()),
        url=card.link or None,
    )
    scores = (f"intent **{card.intent}** ({card.intent_confidence:.0%}) · toxicity {card.toxicity:.2f} · "
              f"{card.sentiment}" + (f" · {card.lang}" if card.lang else ""))
    embed.add_field(name="Scores", value=cut(scores, FIELD_MAX), inline=False)
    terms = card.explanation.get("top_terms") if card.explanation else None
    if isinstance(terms, list | tuple) and terms:
        embed.add_field(name="Why", value=cut(", ".join(str(t) for t in terms[:10]), FIELD_MAX), inline=False)
    if card.reason or card.rule:
        rule = f"{card.reason} ({card.rule})" if card.reason and card.rule else card.reason or card.rule
        embed.add_field(name="Rule", value=cut(rule, FIELD_MAX), inline=False)
    embed.add_field(name="Draft", value=cut(card.draft or "—", FIELD_MAX), inline=False)
    if card.state == "edited" and card.final_text:
        embed.add_field(name="Sent instead", value=cut(card.final_text, FIELD_MAX), inline=False)
    if card.state == "pending":
        for number, alternative in enumerate(card.alternatives, start=1):
            name = f"Alternative {number} ({alternative.source})" + (
                "" if alternative.sendable else f", over {alternative.over_limit} characters: shorten it with Edit")
            embed.add_field(name=name[:256], value=cut(alternative.text, FIELD_MAX), inline=False)
        if card.due_at:
            embed.add_field(name="Respond before", value=discord.utils.format_dt(card.due_at, "R"), inline=True)
        embed.set_footer(text=f"draft #{card.approval_id} · approvers only")
    else:
        when = f" {discord.utils.format_dt(card.decided_at, 'R')}" if card.decided_at else ""
        why = card.verdict_reason
        embed.add_field(name=card.state.capitalize(), inline=False,
                        value=cut(f"by {actor(card.decided_by)}{when}" + (f"\nreason: {why}" if why else ""),
                                  FIELD_MAX))
    if card.post_id:
        embed.add_field(name="Post", value=cut(card.post_id, FIELD_MAX), inline=True)
    return fit(embed)


def escalation_content(page: EscalationPage, mentions: Iterable[str]) -> str:
    emoji = LEVEL_EMOJI.get(page.level, "🔔")
    who = " ".join(mentions) or f"team {page.team}"
    if page.state == "open":
        return cut(f"{emoji} {who} escalation #{page.escalation_id} ({page.level}): {page.platform} @{page.author}",
                   CONTENT_MAX)
    return cut(f"{emoji} escalation #{page.escalation_id} {page.state}", CONTENT_MAX)


def escalation_embed(page: EscalationPage) -> discord.Embed:
    embed = discord.Embed(
        title=cut(f"Escalation #{page.escalation_id} · {page.level} · {page.platform} @{page.author}", TITLE_MAX),
        description=_quote(page.text, DESCRIPTION_MAX),
        colour=STATE_COLOUR.get(page.state, discord.Colour.red()),
    )
    embed.add_field(name="Reason", value=cut(page.reason or "—", FIELD_MAX), inline=False)
    if page.worst:
        embed.add_field(name="Worst comments on the post", value=cut("\n".join(f"> {w}" for w in page.worst),
                                                                     FIELD_MAX), inline=False)
    if page.link:
        embed.url = page.link
    embed.add_field(name="Team", value=cut(page.team, FIELD_MAX), inline=True)
    if page.oncall:
        embed.add_field(name="On call", value=cut(", ".join(page.oncall), FIELD_MAX), inline=True)
    if page.acknowledged_by:
        embed.add_field(name="Acknowledged", value=f"by {actor(page.acknowledged_by)}", inline=True)
    if page.resolved_by:
        embed.add_field(name="Resolved", value=f"by {actor(page.resolved_by)}", inline=True)
    if page.state == "open" and page.next_page_at:
        embed.add_field(name="Next level paged", value=discord.utils.format_dt(page.next_page_at, "R"), inline=True)
    if page.state == "open" and page.deferred_until:
        embed.add_field(name="Quiet hours: paged", value=discord.utils.format_dt(page.deferred_until, "R"),
                        inline=True)
    embed.set_footer(text=f"escalation #{page.escalation_id} · step {page.step} · {page.state}")
    return fit(embed)


def _kpi_row(line: KpiLine) -> str:
    return (f"volume {line.volume} ({line.comments} comments, {line.dms} DMs) · response {_pct(line.response_rate)}"
            f" · first response {_minutes(line.first_response_minutes)} · escalations {line.escalations}"
            f" ({_pct(line.escalation_rate)}) · 👍 {_pct(line.positive)} 👎 {_pct(line.negative)}"
            f" · hidden {line.hidden}")


def digest_embed(digest: DigestView) -> discord.Embed:
    embed = discord.Embed(title=cut(digest.title, TITLE_MAX), description=cut(digest.window, DESCRIPTION_MAX),
                          colour=discord.Colour.blurple())
    # The "all" total goes first; a digest with more platforms than embed fields keeps the total.
    lines = sorted(digest.lines, key=lambda line: line.platform != "all")
    for line in lines[: FIELDS_MAX - 2]:
        embed.add_field(name=line.platform, value=cut(_kpi_row(line), FIELD_MAX), inline=False)
    if not digest.lines and not digest.sections:
        embed.add_field(name="No activity", value="nothing was received in this window", inline=False)
    embed.add_field(name="Waiting on people", inline=False,
                    value=f"{digest.pending_approvals} drafts to approve · {digest.open_escalations} open escalations")
    if digest.notes:
        embed.add_field(name="Notes", value=cut("\n".join(f"• {n}" for n in digest.notes), FIELD_MAX), inline=False)
    for section in digest.sections[:8]:
        value = "\n".join(f"• {line}" for line in section.lines) or section.empty
        embed.add_field(name=cut(section.title, 256), value=cut(value, FIELD_MAX), inline=False)
    if digest.chart_png:
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    return fit(embed)


def digest_files(digest: DigestView) -> list[discord.File]:
    if not digest.chart_png:
        return []
    return [discord.File(io.BytesIO(digest.chart_png), filename=CHART_FILENAME, description="KPI trend chart")]


def kpi_embed(answer: KpiAnswer) -> discord.Embed:
    question = answer.question
    scope = question.platform or "all platforms"
    window = question.window_label or f"last {question.window_days} days"
    embed = discord.Embed(title=cut(f"{answer.label} · {scope} · {window}", TITLE_MAX),
                          description=cut(answer.text, DESCRIPTION_MAX) if answer.text else None,
                          colour=discord.Colour.teal())
    embed.add_field(name="Now", value=format_value(answer.value, answer.unit), inline=True)
    embed.add_field(name="Previous period", value=format_value(answer.previous, answer.unit), inline=True)
    if answer.goal is not None:
        met = goal_met(answer)
        mark = "" if met is None else (" ✓" if met else " ✗")
        embed.add_field(name="Goal", value=format_value(answer.goal, answer.unit) + mark, inline=True)
    return fit(embed)


def goals_embed(reply: KpiReply) -> discord.Embed:
    """Goals from the KPI layer (one line each), or the metrics that carry a goal for simpler sources."""
    embed = discord.Embed(title="Goals", colour=discord.Colour.teal())
    if reply.goals_text:
        embed.description = cut(reply.goals_text, DESCRIPTION_MAX)
        return fit(embed)
    for answer in list(reply.answers)[:FIELDS_MAX]:
        scope = answer.question.platform or "all"
        met = goal_met(answer)
        mark = "" if met is None else ("✓ " if met else "✗ ")
        embed.add_field(name=cut(f"{mark}{answer.label} ({scope})", 256), inline=False,
                        value=f"{format_value(answer.value, answer.unit)} against a goal of "
                              f"{format_value(answer.goal, answer.unit)} · previous "
                              f"{format_value(answer.previous, answer.unit)}")
    if not embed.fields:
        embed.description = "No goals are configured."
    return fit(embed)


def oncall_embed(who: Mapping[str, tuple[str | None, str | None, datetime | None]],
                 mention: Callable[[str], str]) -> discord.Embed:
    """Each rotation: who is on call now, who is next and from when."""
    embed = discord.Embed(title="On call", colour=discord.Colour.orange())
    for rotation, (now, upcoming, handover) in list(who.items())[:FIELDS_MAX]:
        value = f"now: {mention(now) if now else 'nobody'}"
        if upcoming:
            value += f"\nnext: {mention(upcoming)}" + (f" {discord.utils.format_dt(handover, 'R')}" if handover else "")
        embed.add_field(name=cut(rotation, 256), value=cut(value, FIELD_MAX), inline=False)
    if not embed.fields:
        embed.description = "No on-call rotation is configured."
    return fit(embed)


_REVIEW_DONE = {"hide": "hidden", "hold": "held for review", "none": "not hidden: for a person"}
_REVIEW_STATE = {"kept": "kept hidden", "restored": "restored", "deleted": "deleted", "banned": "author banned"}


def review_content(card: ReviewCard) -> str:
    return cut(f"🛡️ review #{card.review_id}: {card.platform} @{card.author} "
               f"{_REVIEW_STATE.get(card.state, _REVIEW_DONE.get(card.operation, card.operation))}", CONTENT_MAX)


def review_embed(card: ReviewCard) -> discord.Embed:
    embed = discord.Embed(
        title=cut(f"Review #{card.review_id} · {card.platform} {card.kind} "
                  f"{_REVIEW_DONE.get(card.operation, card.operation)}", TITLE_MAX),
        description=_quote(card.text, DESCRIPTION_MAX),
        colour=discord.Colour.orange() if card.state == "pending" else discord.Colour.dark_grey(),
        url=card.link,
    )
    embed.add_field(name="Author", value=cut(f"@{card.author}", FIELD_MAX), inline=True)
    if card.post_id:
        embed.add_field(name="Post", value=cut(card.post_id, FIELD_MAX), inline=True)
    embed.add_field(name="Scores", value=f"{card.intent} ({card.intent_confidence:.0%}) · toxicity "
                                         f"{card.toxicity:.2f} · {card.sentiment}", inline=False)
    embed.add_field(name="Why", value=cut(f"{card.reason} ({card.rule})", FIELD_MAX), inline=False)
    if card.words:
        embed.add_field(name="Words", value=cut(", ".join(card.words), FIELD_MAX), inline=False)
    if card.state != "pending":
        embed.add_field(name="Decided", value=f"{_REVIEW_STATE.get(card.state, card.state)} by "
                                              f"{actor(card.decided_by)}", inline=False)
    return fit(embed)


def pause_content(card: PauseCard) -> str:
    if card.paused:
        return cut(f"⏸ automation paused for {card.label}: {card.reason}", CONTENT_MAX)
    return cut(f"▶️ automation resumed for {card.label} by {actor(card.actor)}", CONTENT_MAX)
