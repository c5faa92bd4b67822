"""The KPI commands end to end on the hand-made week in a SQLite file (CliRunner, no network)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from moderation.storage import Database
from socialops.cli import cli

WORKED = ["roi", "--no-kpis", "--tools-cost", "600", "--hours-saved", "20", "--hourly-cost", "35", "--extra-sales",
          "15", "--margin", "18", "--cpm", "1200", "300000", "--cpv", "800", "200000", "--cpa", "2000", "100",
          "--engagement", "3600", "120000"]


@pytest.fixture
def env(week_cli, tmp_path):  # type: ignore[no-untyped-def]
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_roi_worked_example(env) -> None:  # type: ignore[no-untyped-def]
    out = run(*WORKED)
    for expected in ("$700.00", "$270.00", "total value                     $970.00", "net gain", "$370.00",
                     "CPM                             $4.00", "$0.004", "CPA                             $20.00",
                     "engagement rate by impressions  3.0%"):
        assert expected in out


def test_kpis_and_report_formats(env) -> None:  # type: ignore[no-untyped-def]
    out = run("kpis", "--window", "7d", "--end", "2026-11-23")
    assert "2026-11-16 → 2026-11-23 (7 days, Europe/Paris)" in out and "facebook" in out
    spring = run("kpis", "--window", "7d", "--end", "2026-11-23", "--campaign", "spring")
    assert "instagram" not in spring
    rows = list(csv.DictReader(io.StringIO(run("report", "--window", "7d", "--end", "2026-11-23", "--format",
                                               "csv"))))
    volume = [r for r in rows if r["scope"] == "window" and r["platform"] == "all" and r["kpi"] == "volume"]
    assert volume[0]["value"] == "8"
    assert len([r for r in rows if r["scope"] == "day" and r["kpi"] == "volume" and r["platform"] == "all"]) == 7
    assert "| Volume |" in run("report", "--window", "7d", "--end", "2026-11-23", "--format", "md")
    run("report", "--window", "7d", "--end", "2026-11-23", "--format", "png", "--out", str(env / "r.png"))
    assert (env / "r.png").read_bytes().startswith(b"\x89PNG")


def test_goals_commands(env) -> None:  # type: ignore[no-untyped-def]
    out = run("goals", "add", "--template", "comment-response-rate", "--deadline", "2026-12-31", "--owner", "lea",
              "--start", "2026-11-23")
    # 30 days before: c0 c1 c2 c4 answered, c6 not (c3 c5 removed; d1 is a DM) -> 80%, +10 points
    assert "#1 Answer more comments" in out and "baseline 80%" in out and "target 90%" in out
    assert "#1" in run("goals", "list")
    assert "#1" in run("goals", "show", "1")
    assert "CLOSED" in run("goals", "close", "1")
    bad = CliRunner().invoke(cli, ["goals", "close", "7"])
    assert bad.exit_code != 0


def test_roi_scales_monthly_costs_to_the_window_and_uses_recorded_revenue(env) -> None:  # type: ignore[no-untyped-def]
    """The issue's example: $8,000 a month over a 7-day window is $1,839.84, not $8,000; the margin comes from
    the recorded orders' amounts."""
    from datetime import timedelta

    from moderation.domain.attribution import interaction_ref
    from moderation.measure.conversions import Order, import_orders
    from moderation.storage.tables import InteractionRow

    (env / "socialops.yaml").write_text("team: {timezone: Europe/Paris}\nroi: {support_monthly_cost: 8000, "
                                        "tools_monthly_cost: 600, margin_rate: 0.4}\n", encoding="utf-8")
    db = Database()
    with db.session() as session:
        at = session.get(InteractionRow, "instagram:d1").created_at + timedelta(hours=1)
    report = import_orders(db, [(1, Order(order_id="o-1", time=at, amount=250.0,
                                          utm_content=interaction_ref("instagram:d1")), None)])
    db.dispose()
    assert report.attributed == 1
    out = run("roi", "--window", "7d", "--end", "2026-11-23")
    assert "monthly costs scaled to 7 days: tools $600.00 -> $137.99, support $8,000.00 -> $1,839.84" in out
    assert "6 interactions handled" in out and "$250.00 recorded revenue" in out
    assert "cost per handled interaction  $306.64" in out  # 1,839.84 / 6
    assert "$250.00 revenue x 40.0% margin = $100.00" in out


def test_goal_with_typed_baseline_and_precise_target(env) -> None:  # type: ignore[no-untyped-def]
    out = run("goals", "add", "--kpi", "comment_conversion_rate", "--target", "3.5%", "--baseline", "2.25%",
              "--deadline", "2027-03-31", "--owner", "lea", "--start", "2026-11-23")
    assert "baseline 2.25% (typed)" in out and "target 3.50%" in out and "not enough data" in out
    out = run("goals", "add", "--kpi", "dm_first_response_minutes", "--target", "12h", "--baseline", "36h",
              "--deadline", "2027-03-31", "--owner", "lea", "--start", "2026-11-23")
    assert "baseline 36.0 h (typed)" in out and "target 12.0 h" in out
    out = run("goals", "add", "--kpi", "comment_conversion_rate", "--target", "3.5%", "--deadline", "2027-03-31",
              "--owner", "lea", "--start", "2026-11-23")
    assert "target 3.5%" in out and "off track" not in out
