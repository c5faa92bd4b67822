"""The console chat surface: approval requests, escalations, notices and the digest, readable in a terminal."""

from __future__ import annotations

import itertools

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.format import minutes as _minutes
from bot.format import pct as _pct
from bot.surface import SurfaceRef
from bot.views import ApprovalCard, DigestView, EscalationPage, KpiTrend, PauseCard, ReviewCard

LEVEL_STYLE = {"urgent": "bold red", "priority": "yellow", "normal": "cyan"}
REVIEW_WORD = {"keep": "keep", "restore": "restore", "delete": "delete", "ban_author": "ban"}


class ConsoleSurface:
    """Writes to a rich Console. `quiet` keeps cards to one line each (the demo shows hundreds)."""

    name = "console"

    def __init__(self, console: Console | None = None, *, quiet: bool = False) -> None:
        self.console = console or Console()
        self.quiet = quiet
        self._ids = itertools.count(1)

    async def post_approval(self, card: ApprovalCard) -> SurfaceRef:
        ref = {"message": next(self._ids)}
        if self.quiet:
            self.console.print(f"[bold]draft #{card.approval_id}[/] {card.platform} @{card.author}: "
                               f"[dim]{_short(card.text)}[/] -> [green]{_short(card.draft)}[/]")
            return ref
        body = Text()
        body.append(f"{card.platform} {card.kind} from @{card.author}", style="bold")
        if card.post_id:
            body.append(f" on post {card.post_id}")
        body.append(f"\n“{card.text}”\n\n")
        body.append(f"intent {card.intent} ({card.intent_confidence:.0%}) · toxicity {card.toxicity:.2f} · "
                    f"{card.sentiment} · {card.lang}\n", style="dim")
        if card.reason:
            body.append(f"why: {card.reason} ({card.rule})\n", style="dim")
        body.append("draft: ", style="bold")
        body.append(card.draft, style="green")
        for number, alternative in enumerate(card.alternatives, start=1):
            how = (f"[use {card.approval_id} {number}]" if alternative.sendable else
                   f"longer than {card.platform} allows ({alternative.over_limit} characters): shorten it with edit")
            body.append(f"\nor send instead ({alternative.source}) {how}: ", style="bold")
            body.append(alternative.text, style="cyan")
        if card.due_at:
            body.append(f"\nrespond before {card.due_at:%Y-%m-%d %H:%M} UTC", style="dim")
        body.append(f"\n[approve {card.approval_id}] [edit {card.approval_id} <text>] "
                    f"[reject {card.approval_id} <reason>] [escalate {card.approval_id}]", style="dim")
        self.console.print(Panel(body, title=f"Approval #{card.approval_id}", border_style="green"))
        return ref

    async def update_approval(self, card: ApprovalCard, ref: SurfaceRef) -> None:
        style = {"approved": "green", "edited": "yellow", "rejected": "red", "escalated": "magenta"}.get(card.state)
        detail = f": “{_short(card.final_text or '')}”" if card.state == "edited" else ""
        self.console.print(f"  [{style or 'white'}]draft #{card.approval_id} {card.state}[/] by "
                           f"{card.decided_by}{detail}")

    async def post_escalation(self, page: EscalationPage) -> SurfaceRef:
        style = LEVEL_STYLE.get(page.level, "cyan")
        who = ", ".join(page.oncall) or f"team {page.team}"
        line = (f"[{style}]ESCALATION #{page.escalation_id} {page.level.upper()}[/] → {who}: {page.platform} "
                f"@{page.author} “{_short(page.text)}” ({page.reason})" + (f" {page.link}" if page.link else ""))
        self.console.print(line)
        for worst in page.worst:
            self.console.print(f"   worst: {_short(worst)}")
        return {"message": next(self._ids)}

    async def update_escalation(self, page: EscalationPage, ref: SurfaceRef) -> None:
        self.console.print(f"  escalation #{page.escalation_id} {page.state}")

    async def post_review(self, card: ReviewCard) -> SurfaceRef:
        ref = {"message": next(self._ids)}
        what = {"hide": "hidden", "hold": "held", "none": "not hidden, for a person"}.get(card.operation,
                                                                                          card.operation)
        verbs = " ".join(f"[{REVIEW_WORD[option]} {card.review_id}]" for option in card.options)
        if self.quiet:
            self.console.print(f"[bold]review #{card.review_id}[/] {card.platform} @{card.author} ({what}): "
                               f"[dim]{_short(card.text)}[/] — {card.rule}")
            return ref
        body = Text()
        body.append(f"{card.platform} {card.kind} from @{card.author}", style="bold")
        if card.post_id:
            body.append(f" on post {card.post_id}")
        if card.link:
            body.append(f" {card.link}")
        body.append(f"\n“{card.text}”\n\n")
        body.append(f"{what} · intent {card.intent} ({card.intent_confidence:.0%}) · toxicity {card.toxicity:.2f} · "
                    f"{card.sentiment}\n", style="dim")
        body.append(f"why: {card.reason} ({card.rule})\n", style="dim")
        if card.words:
            body.append(f"words: {', '.join(card.words)}\n", style="dim")
        body.append(verbs, style="dim")
        self.console.print(Panel(body, title=f"Review #{card.review_id}", border_style="yellow"))
        return ref

    async def update_review(self, card: ReviewCard, ref: SurfaceRef) -> None:
        self.console.print(f"  review #{card.review_id} {card.state} by {card.decided_by}")

    async def post_pause(self, card: PauseCard) -> None:
        if card.paused:
            self.console.print(f"[bold red]PAUSED[/] automation for {card.label} ({card.reason}) "
                               f"[dim][resume {card.scope}][/]")
        else:
            self.console.print(f"[green]RESUMED[/] automation for {card.label} by {card.actor}")

    async def notify(self, channel: str, text: str) -> None:
        self.console.print(f"[dim]#{channel}[/] {text}")

    async def post_digest(self, digest: DigestView) -> None:
        self.console.print(f"[bold]{digest.title}[/] — {digest.window}")
        if digest.lines:
            self.console.print(platform_table(digest))
        elif not digest.sections:
            self.console.print("nothing received in this window")
        self.console.print(f"pending approvals: {digest.pending_approvals} · open escalations: "
                           f"{digest.open_escalations}")
        if digest.trends:
            self.console.print(trends_table(digest))
        for goal in digest.goals:
            style = {"on track": "green", "at risk": "yellow", "off track": "red"}.get(goal.status, "white")
            self.console.print(f"goal #{goal.goal_id} {goal.title} ({goal.owner}, by {goal.deadline:%Y-%m-%d}): "
                               f"{fmt(goal.current, goal.unit)} now, target {fmt(goal.target, goal.unit)}, "
                               f"projected {fmt(goal.projection, goal.unit)} → [{style}]{goal.status}[/]")
        if digest.negative_posts:
            posts = ", ".join(f"{p.platform} {p.post_id} ({p.negative}/{p.comments})" for p in digest.negative_posts)
            self.console.print(f"most negative posts: {posts}")
        for esc in digest.escalations:
            self.console.print(f"open escalation #{esc.escalation_id} {esc.level} {esc.platform}: "
                               f"{_short(esc.reason, 60)} ({esc.state})")
        for note in digest.notes:
            self.console.print(f"• {note}")
        for section in digest.sections:
            self.console.print(f"[bold]{section.title}[/]")
            for line in section.lines or (section.empty,):
                self.console.print(f"  • {line}", highlight=False)


def platform_table(digest: DigestView) -> Table:
    """Per platform, in 80 columns: the figures a lead reads first."""
    table = Table(box=None, pad_edge=False)
    for column in ("platform", "msgs", "DMs", "answered", "1st reply", "escal.", "negative", "hidden"):
        table.add_column(column, justify="left" if column == "platform" else "right")
    for line in digest.lines:
        table.add_row(line.platform, str(line.volume), str(line.dms), _pct(line.response_rate),
                      _minutes(line.first_response_minutes), _pct(line.escalation_rate), _pct(line.negative),
                      str(line.hidden))
    return table


def fmt(value: float | None, unit: str) -> str:
    if unit == "%":
        return _pct(value)
    if unit == "min":
        return _minutes(value)
    return "—" if value is None else f"{value:,.0f}"


def trend_text(trend: KpiTrend) -> str:
    """▲ better, ▼ worse, = flat, and "—" when there is nothing to compare with."""
    change = trend.change
    if change is None:
        return "—"
    arrow = {True: "[green]better[/]", False: "[red]worse[/]", None: ""}[trend.improved]
    if trend.improved is None and trend.higher_is_better is None and change:
        arrow = "up" if change > 0 else "down"
    return (("▲ " if change > 0 else "▼ " if change < 0 else "= ") + arrow).strip()


def trends_table(digest: DigestView, title: str = "Against the previous period") -> Table:
    table = Table(title=title, box=None, pad_edge=False, title_justify="left")
    for column in ("KPI", "now", "before", "trend", "goal"):
        table.add_column(column, justify="left" if column in ("KPI", "trend") else "right")
    for trend in digest.trends:
        table.add_row(trend.label, fmt(trend.value, trend.unit), fmt(trend.previous, trend.unit), trend_text(trend),
                      fmt(trend.goal, trend.unit) if trend.goal is not None else "")
    return table


def _short(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
