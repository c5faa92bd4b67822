"""Attribution, import throughput and export time on a generated week (issue 19).

    python bench/conversions_bench.py --runs 3       # 10,000 interactions, 2,000 orders, fresh SQLite in /tmp

The week: 10,000 interactions from 2,500 customers on four platforms (comments, DMs, story replies), 60% of them
answered by the brand, 300 leads with an email and a handle. 2,000 orders, each made by the generator from a
customer journey it knows, so the right answer is known without the attribution code:
  - attributable (1,300): the order carries the reference of a link we sent (`utm_content`, 650), a discount code
    we handed out (350), or the email (200) or handle (100) of a lead; the right interaction is the customer's last
    answered DM within 7 days before the order, else the one the order names;
  - not attributable (700): no tag, a tag we never issued, an email no lead gave, a link older than the window,
    or a link to a conversation that happened after the order.
Reports: share of the attributable orders attributed to the right interaction (target >= 98%), false matches
(attributed when they should not be, or to another interaction; target 0), import throughput (rows/s, median of
`--runs` imports of the same CSV into a cleared conversions table), and the time to export the week's
interactions as JSON Lines, CSV and Parquet (median).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from moderation.domain import Interaction, Kind, Platform  # noqa: E402
from moderation.domain.attribution import discount_code, interaction_ref  # noqa: E402
from moderation.domain.events import EventAction  # noqa: E402
from moderation.ingest.store import store_interactions  # noqa: E402
from moderation.measure.conversions import import_orders, read_orders  # noqa: E402
from moderation.measure.events import event_values  # noqa: E402
from moderation.measure.export import records  # noqa: E402
from moderation.storage import Database  # noqa: E402
from moderation.storage.tables import (  # noqa: E402
    ConversionRow,
    ConversionTouchRow,
    CrmDeliveryRow,
    EventRow,
    LeadRow,
)

WINDOW = timedelta(days=7)
PRIVATE = ("dm", "story_reply")


def generate(db: Database, seed: int, interactions: int, orders: int, start: datetime) -> tuple[list[dict], dict]:
    rng = random.Random(seed)
    platforms = list(Platform)
    customers = [(rng.choice(platforms).value, f"cust{n}") for n in range(interactions // 4)]
    items: list[Interaction] = []
    for n in range(interactions):
        platform, author = rng.choice(customers)
        kind = rng.choices([Kind.comment, Kind.dm, Kind.story_reply], weights=[6, 3, 1])[0]
        at = start + timedelta(seconds=rng.uniform(0, 7 * 86400))
        items.append(Interaction(platform=Platform(platform), kind=kind, external_id=f"x{n}", author_id=author,
                                 author_name=author, text=f"message {n}", created_at=at,
                                 post_id="p1" if kind == Kind.comment else None))
    for lo in range(0, len(items), 2000):
        store_interactions(db, items[lo:lo + 2000], source="bench")
    answered = {i.id for i in items if rng.random() < 0.6}
    with db.session() as session:
        rows = [event_values(i, EventAction.response_sent, occurred_at=i.created_at + timedelta(minutes=5))
                for i in items if i.id in answered]
        session.execute(sa.insert(EventRow), rows)
    by_author: dict[tuple[str, str], list[Interaction]] = {}
    for i in items:
        by_author.setdefault((i.platform.value, i.author_id), []).append(i)
    lead_authors = rng.sample(sorted(by_author), 300)
    leads = {}
    with db.session() as session:
        for platform, author in lead_authors:
            first = min(by_author[(platform, author)], key=lambda i: i.created_at)
            lead = LeadRow(key=f"{platform}:{author}", platform=platform, author_id=author, handle=f"@{author}",
                           interaction_id=first.id, last_interaction_id=first.id, email=f"{author}@mail.example",
                           fields={}, created_at=first.created_at, updated_at=first.created_at)
            session.add(lead)
            leads[(platform, author)] = first
    order_rows: list[dict] = []
    truth: dict[str, str | None] = {}

    def expected(customer: tuple[str, str], named: Interaction | None, at: datetime) -> str | None:
        touches = [i for i in by_author[customer] if at - WINDOW <= i.created_at <= at and i.id in answered]
        if named is not None and at - WINDOW <= named.created_at <= at and named not in touches:
            touches.append(named)
        if not touches:
            return None
        dms = sorted((i for i in touches if i.kind.value in PRIVATE), key=lambda i: (i.created_at, i.id))
        if dms:
            return dms[-1].id
        if named is not None and named in touches:
            return named.id
        return max(touches, key=lambda i: (i.created_at, i.id)).id

    answered_items = [i for i in items if i.id in answered]
    kinds = ["ref"] * 650 + ["code"] * 350 + ["email"] * 200 + ["handle"] * 100 + ["none"] * 140 + \
            ["foreign"] * 140 + ["stranger"] * 140 + ["stale"] * 140 + ["future"] * 140
    kinds = (kinds * (orders // len(kinds) + 1))[:orders]
    for n, how in enumerate(kinds):
        row = {"order_id": f"o{n}", "amount": round(rng.uniform(10, 300), 2), "currency": "EUR"}
        named = None
        if how in ("ref", "code"):
            named = rng.choice(answered_items)
            at = named.created_at + timedelta(hours=rng.uniform(0.1, 6 * 24))
            row["utm_content" if how == "ref" else "discount_code"] = (
                interaction_ref(named.id) if how == "ref" else discount_code(named.id))
            customer = (named.platform.value, named.author_id)
        elif how in ("email", "handle"):
            customer = rng.choice(lead_authors)
            named = leads[customer]
            at = named.created_at + timedelta(hours=rng.uniform(0.1, 6 * 24))
            row["customer_email" if how == "email" else "customer_handle"] = (
                f"{customer[1]}@mail.example" if how == "email" else f"@{customer[1]}")
        else:
            customer, at = None, start + timedelta(days=rng.uniform(0, 9))  # type: ignore[assignment]
            if how == "foreign":
                row["utm_content"] = f"so-{rng.getrandbits(40):010x}"[:11]
                row["discount_code"] = f"SUMMER{n}"
            elif how == "stranger":
                row["customer_email"] = f"nobody{n}@elsewhere.example"
            elif how == "stale":
                old = rng.choice(answered_items)
                at = old.created_at + WINDOW + timedelta(hours=rng.uniform(1, 48))
                row["utm_content"] = interaction_ref(old.id)
            elif how == "future":
                later = rng.choice(answered_items)
                at = later.created_at - timedelta(hours=rng.uniform(1, 48))
                row["utm_content"] = interaction_ref(later.id)
        row["time"] = at.isoformat()
        truth[row["order_id"]] = expected(customer, named, at) if customer else None
        order_rows.append(row)
    return order_rows, truth


def write_csv(rows: list[dict], path: Path) -> None:
    import csv

    columns = ("order_id", "time", "amount", "currency", "utm_source", "utm_medium", "utm_campaign", "utm_content",
               "discount_code", "customer_handle", "customer_email")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def clear(db: Database) -> None:
    with db.session() as session:
        for table in (ConversionTouchRow, ConversionRow, CrmDeliveryRow):
            session.execute(sa.delete(table))
        session.execute(sa.delete(EventRow).where(EventRow.name.like("%\\_converted", escape="\\")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--db", type=Path, default=Path("/tmp/socialops-conversions-bench.db"))
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{args.db}")
    t0 = time.perf_counter()
    rows, truth = generate(db, args.seed, args.interactions, args.orders, datetime(2026, 11, 16, tzinfo=UTC))
    generated = time.perf_counter() - t0
    csv_path = args.db.with_suffix(".orders.csv")
    write_csv(rows, csv_path)

    import_times, import_cpu = [], []
    for _ in range(args.runs):
        clear(db)
        t, c = time.perf_counter(), time.process_time()
        report = import_orders(db, read_orders(csv_path))
        import_times.append(time.perf_counter() - t)
        import_cpu.append(time.process_time() - c)
    with db.session() as session:
        got = dict(session.execute(sa.select(ConversionRow.order_id, ConversionRow.interaction_id)).all())
    attributable = [o for o, want in truth.items() if want is not None]
    correct = sum(got.get(o) == truth[o] for o in attributable)
    false_matches = sum(1 for o, want in truth.items() if got.get(o) is not None and got.get(o) != want)

    export_times: dict[str, list[float]] = {"jsonl": [], "csv": [], "parquet": []}
    export_cpu: dict[str, list[float]] = {"jsonl": [], "csv": [], "parquet": []}
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from socialops.commands.data_out import write_records

    for _ in range(args.runs):
        for fmt in export_times:
            out = args.db.with_suffix(f".interactions.{fmt}")
            t, c = time.perf_counter(), time.process_time()
            count = write_records(records("interactions", db), fmt, None, out)
            export_times[fmt].append(time.perf_counter() - t)
            export_cpu[fmt].append(time.process_time() - c)
            assert count == args.interactions
    db.dispose()
    print(json.dumps({
        "interactions": args.interactions, "orders": len(rows), "attributable": len(attributable),
        "attributed_correctly": correct, "share_correct": round(correct / len(attributable), 4),
        "false_matches": false_matches, "attributed_total": sum(v is not None for v in got.values()),
        "by_match": report.by_match, "import_seconds_median": round(statistics.median(import_times), 3),
        "import_rows_per_s": round(len(rows) / statistics.median(import_times)),
        "import_runs_s": [round(t, 3) for t in import_times],
        "import_cpu_seconds_median": round(statistics.median(import_cpu), 3),
        "import_rows_per_cpu_s": round(len(rows) / statistics.median(import_cpu)),
        "export_seconds_median": {k: round(statistics.median(v), 3) for k, v in export_times.items()},
        "export_cpu_seconds_median": {k: round(statistics.median(v), 3) for k, v in export_cpu.items()},
        "load_average": round(os.getloadavg()[0], 1),
        "generate_seconds": round(generated, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
