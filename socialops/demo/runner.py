"""Runs the demo: ingest the bundled week, classify, decide, act on the sandbox, ask the scripted manager,
then print a summary a person reads (what happened, KPIs, what needs a person now); the full log on request."""

from __future__ import annotations

import io
import json
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import select

from bot.approvals import ApprovalService
from bot.cards import approval_card
from bot.console import ConsoleSurface
from bot.digest import build_digest
from bot.escalations import EscalationService
from bot.hub import ChatHub
from bot.reviews import ReviewService
from bot.views import ApprovalCard
from moderation.act.follow_ups import due_follow_ups, fire_follow_up
from moderation.act.outbox import Outbox
from moderation.act.reviews import ReviewVerdict
from moderation.domain import as_utc, utcnow
from moderation.ingest.importer import IngestReport, ingest_file
from moderation.measure.kpis import KpiSettings
from moderation.pipeline.worker import ModerationWorker
from moderation.platforms.registry import AccountCapabilities
from moderation.platforms.sandbox.outbound import sandbox_connectors
from moderation.storage import Database, redact_url
from moderation.storage.tables import (
    ActionRow,
    ApprovalRow,
    ClassificationRow,
    EscalationRow,
    InteractionRow,
    ReviewRow,
)
from socialops.compose.core import (
    authorizer,
    build_classifier,
    build_knowledge,
    build_library,
    build_oncall,
    worker_settings,
)
from socialops.config import Settings
from socialops.demo.clock import ReplayClock
from socialops.demo.figures import ModerationFigures, moderation_figures
from socialops.demo.questions import demo_settings, load_captions, print_questions
from socialops.demo.script import MANAGER, ONCALL, choose, choose_oncall, choose_review
from socialops.demo.summary import print_summary

SAMPLE = Path(__file__).with_name("sample.jsonl")
REPLAY_SLICE = timedelta(minutes=2)


@dataclass
class DemoResult:
    ingest: IngestReport
    processed: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    sandbox_calls: int = 0
    seconds: float = 0.0
    figures: ModerationFigures | None = None
    log: str = ""  # every draft, escalation and notice of the run, as the console surface showed them


def shifted_sample(sample: Path, end: datetime, target: Path) -> None:
    """Copy the sample with its times moved so that its week ends just before `end`."""
    records = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines() if line.strip()]
    latest = max(datetime.fromisoformat(r["time"].replace("Z", "+00:00")) for r in records)
    offset = (end - timedelta(minutes=30)) - latest
    with target.open("w", encoding="utf-8") as out:
        for record in records:
            at = datetime.fromisoformat(record["time"].replace("Z", "+00:00")) + offset
            out.write(json.dumps({**record, "time": at.isoformat()}, ensure_ascii=False) + "\n")


def fresh_sqlite(path: Path) -> Database:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return Database(f"sqlite:///{path}")


async def run_demo(db: Database, console: Console, *, sample: Path = SAMPLE, batch_size: int = 32,
                   settings: Settings | None = None, permissive: bool = False,
                   planner_capabilities: AccountCapabilities | None = None, verbose: bool = False) -> DemoResult:
    """Run the demo on an empty database (the command passes a fresh SQLite file; tests also PostgreSQL).

    The sandbox allows what each real platform allows (so the demo shows what a team would see);
    `permissive` lets it do everything instead (opt-in, named as such). `planner_capabilities` (benches only)
    lets the planner believe other capabilities than the sandbox has, to show what a mismatch costs.
    `console` gets the summary first; the run's log (hundreds of drafts and escalations) is recorded apart,
    returned in the result and printed after the summary when `verbose`."""
    started = time.perf_counter()
    settings = settings or demo_settings()
    end = utcnow()
    screen = console
    # The log keeps each line whole (a file and --verbose); only the summary is written for 80 columns.
    console = Console(record=True, file=io.StringIO(), width=max(screen.width, 160), force_terminal=False)
    console.rule("[bold]socialops demo — full log")
    sandbox = ("permissive sandbox (every operation allowed)" if permissive
               else "sandbox with each platform's real capabilities")
    console.print(f"database: {redact_url(db.url)} · platforms: {sandbox} (nothing leaves this machine)")

    with tempfile.TemporaryDirectory() as tmp:
        replay = Path(tmp) / "sample.jsonl"
        shifted_sample(sample, end, replay)
        report = await db.run(ingest_file, db, replay, source="demo")
    console.print(f"1. ingest {sample.name}: {report.summary()}")
    result = DemoResult(ingest=report)

    with screen.status("loading the classifier and the playbooks…"):
        classifier = build_classifier(settings)
        library = build_library(settings)
    console.print("2. classifier and playbook library loaded")

    clock = ReplayClock(end - timedelta(days=8))
    connectors = sandbox_connectors(permissive=permissive)
    load_captions(connectors)
    knowledge = build_knowledge(settings, classifier, db, connectors, library)
    surface = ConsoleSurface(console, quiet=True)
    channels = settings.chat.channels.model_dump()
    escalations = EscalationService(db, build_oncall(settings), [surface], clock=clock,
                                    alerts_channel=channels["alerts"])
    hub = ChatHub(db, [surface], channels=channels, escalations=escalations)
    capabilities = planner_capabilities or (AccountCapabilities.permissive() if permissive
                                            else AccountCapabilities.real())
    worker = ModerationWorker(db, classifier, library, hub, worker_settings(settings), name="demo", clock=clock,
                              knowledge=knowledge, capabilities=capabilities)
    outbox = Outbox(db, connectors, clock=clock, base_delay=0.0, alert=lambda text, _row: hub.notify("alerts", text))
    approvals = ApprovalService(db, authorizer(settings))
    reviews = ReviewService(db, authorizer(settings))
    reviewed: set[int] = set()
    decided: set[int] = set()
    handled: set[int] = set()

    console.print("3. worker: classify → playbooks → sandbox actions and console approvals")
    progress = Progress(TextColumn("   {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=screen, transient=True)
    with progress:
        task = progress.add_task("interactions", total=report.stored)
        while True:
            upcoming = await db.run(_next_pending_time, db)
            if upcoming is None:
                break
            # Time moves in short slices, so automated answers come minutes after the comment, as live.
            clock.set(upcoming + REPLAY_SLICE)
            batch = await worker.process_batch(batch_size, until=clock())
            result.processed += batch.processed
            await _run_due_follow_ups(db, clock, hub, settings)
            await outbox.drain()
            await _scripted_manager(db, approvals, hub, outbox, clock, decided, result)
            await _scripted_oncall(db, escalations, clock, handled, result)
            await _scripted_moderator(db, reviews, hub, outbox, clock, reviewed, result)
            await hub.remind_reviews(now=clock(), after_minutes=settings.review.reminder_minutes,
                                     max_reminders=settings.review.max_reminders)
            progress.advance(task, batch.processed + batch.failed)
        clock.set(end)
        await _run_due_follow_ups(db, clock, hub, settings)
        await outbox.drain()

    result.sandbox_calls = sum(c.calls for c in connectors.values())
    result.actions = await db.run(_action_counts, db)
    result.figures = await db.run(moderation_figures, db)
    console.rule("[bold]What happened, by kind of message")
    await db.run(_print_outcomes, db, console)
    f = result.figures
    console.print(f"moderation: {f.toxic_removed} of {f.toxic} toxic items hidden or held · {f.review_cards} "
                  f"review cards · {f.dead_letters} dead letters ({f.capability_dead_letters} refused by a platform)"
                  f" · {f.leads_lost_to_spam} of {f.lead_dms} lead DMs lost to spam")
    console.rule("[bold]Questions: answered from the knowledge base, drafted, unanswered")
    await db.run(print_questions, db, console)
    console.rule("[bold]KPI digest")
    digest = await db.run(build_digest, db, end=end, days=7, title="Maison Lumière — last 7 days",
                          settings=KpiSettings.from_settings(settings), chart=False)
    await surface.post_digest(digest)
    result.seconds = time.perf_counter() - started
    console.print(f"done in {result.seconds:.1f} s · {result.sandbox_calls} sandbox platform calls")
    result.log = console.export_text()
    print_summary(screen, db, result, digest, end, sandbox=sandbox)
    if verbose:
        screen.print(result.log, markup=False, highlight=False, end="")
    return result


# The demo runs the real async path, so its database steps run in the database's threads like everywhere else.

def _action_counts(db: Database) -> Counter[str]:
    with db.session() as session:
        return Counter(f"{row.type}:{row.state}" for row in session.exec(select(ActionRow)).all())


def _next_pending_time(db: Database) -> datetime | None:
    with db.session() as session:
        first = session.exec(select(InteractionRow.created_at).where(InteractionRow.status == "pending")
                             .order_by(InteractionRow.created_at).limit(1)).first()
    return as_utc(first) if first else None


async def _run_due_follow_ups(db: Database, clock: ReplayClock, hub: ChatHub, settings: Settings) -> None:
    for action_id in await db.run(due_follow_ups, db, clock()):
        work = await db.run(fire_follow_up, db, action_id, now=clock(),
                            approval_minutes=settings.sla.approval_minutes)
        for approval_id in work.approvals:
            await hub.approval_requested(approval_id)


async def _scripted_manager(db: Database, approvals: ApprovalService, hub: ChatHub, outbox: Outbox,
                            clock: ReplayClock, decided: set[int], result: DemoResult) -> None:
    batch_time = clock()
    for approval_id in await db.run(_pending_approvals, db):
        if approval_id in decided:
            continue
        decided.add(approval_id)
        card, created = await db.run(_card_and_time, db, approval_id)
        choice = choose(card)
        clock.set(created + choice.delay)
        decided_row = await hub.decide(approvals, approval_id, choice.verdict, surface="console", user=MANAGER,
                                       final_text=choice.text, reason=choice.reason, at=clock())
        result.verdicts[decided_row.approval.state] += 1
        await outbox.drain()
    clock.set(batch_time)


def _pending_approvals(db: Database) -> list[int]:
    with db.session() as session:
        return list(session.exec(select(ApprovalRow.id).where(ApprovalRow.state == "pending")).all())


def _card_and_time(db: Database, approval_id: int) -> tuple[ApprovalCard, datetime]:
    with db.session() as session:
        card = approval_card(session, approval_id)
        created = session.get(InteractionRow, session.get(ApprovalRow, approval_id).interaction_id).created_at
    return card, as_utc(created)


def _open_escalations(db: Database) -> list[tuple[int, datetime]]:
    with db.session() as session:
        return list(session.exec(select(EscalationRow.id, EscalationRow.created_at).where(
            EscalationRow.state == "open")).all())


async def _scripted_oncall(db: Database, escalations: EscalationService, clock: ReplayClock, handled: set[int],
                           result: DemoResult) -> None:
    """The on-call person acknowledges each page within minutes and resolves most within hours."""
    batch_time = clock()
    for escalation_id, created in await db.run(_open_escalations, db):
        if escalation_id in handled:
            continue
        handled.add(escalation_id)
        choice = choose_oncall(escalation_id)
        clock.set(as_utc(created) + choice.acknowledge_after)
        await escalations.acknowledge(escalation_id, ONCALL)
        result.verdicts["escalation acknowledged"] += 1
        if choice.resolve_after is not None:
            clock.set(as_utc(created) + choice.resolve_after)
            await escalations.resolve(escalation_id, ONCALL)
            result.verdicts["escalation resolved"] += 1
    clock.set(batch_time)


async def _scripted_moderator(db: Database, reviews: ReviewService, hub: ChatHub, outbox: Outbox,
                              clock: ReplayClock, reviewed: set[int], result: DemoResult) -> None:
    """The moderator goes through the review queue within the hour: keeps, restores, deletes, bans."""
    batch_time = clock()
    for review_id in await db.run(_pending_reviews, db):
        if review_id in reviewed:
            continue
        reviewed.add(review_id)
        card = await db.run(hub.review_view, review_id)
        choice = choose_review(card)
        clock.set(max(batch_time, (card.created_at or batch_time) + choice.delay))
        row = await hub.decide_review(reviews, review_id, ReviewVerdict(choice.verdict), surface="console",
                                      user=MANAGER, at=clock())
        result.verdicts[f"review {row.state}"] += 1
        await outbox.drain()
    clock.set(batch_time)


def _pending_reviews(db: Database) -> list[int]:
    with db.session() as session:
        return list(session.exec(select(ReviewRow.id).where(ReviewRow.state == "pending")).all())


def _print_outcomes(db: Database, console: Console) -> None:
    from rich.table import Table

    with db.session() as session:
        intents = dict(session.exec(select(ClassificationRow.interaction_id, ClassificationRow.intent)).all())
        toxic = {i for i, t in session.exec(select(ClassificationRow.interaction_id, ClassificationRow.toxicity))
                 if t >= 0.5}
        actions = session.exec(select(ActionRow)).all()
        approval_states = dict(session.exec(select(ApprovalRow.action_id, ApprovalRow.state)).all())
    by_intent: dict[str, Counter[str]] = {}
    rules: dict[str, Counter[str]] = {}
    for action in actions:
        intent = intents.get(action.interaction_id, "?")
        label = action.fallback_of and f"{action.operation} (fallback from {action.fallback_of})" or action.type
        if action.type == "draft_reply":
            label = f"draft → {approval_states.get(action.id, '?')}"
        by_intent.setdefault(intent, Counter())[label] += 1
        if action.rule:
            rules.setdefault(intent, Counter())[action.rule] += 1
    volume = Counter(intents.values())
    table = Table(show_lines=False)
    for column in ("intent", "messages", "toxic", "what socialops did", "main rules (why)"):
        table.add_column(column)
    for intent, count in volume.most_common():
        toxic_count = sum(1 for i, label in intents.items() if label == intent and i in toxic)
        did = ", ".join(f"{n} {label}" for label, n in by_intent.get(intent, Counter()).most_common()) or "nothing"
        why = ", ".join(rule for rule, _ in rules.get(intent, Counter()).most_common(2)) or "no rule matched"
        table.add_row(intent, str(count), str(toxic_count), did, why)
    console.print(table)
