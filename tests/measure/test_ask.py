"""`socialops ask` end to end on the hand-made week in a SQLite file: the JSON contract, stdin, --now."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from moderation.measure.kpis import BY_NAME, KpiSettings, Window, compute
from moderation.storage import Database
from socialops.cli import cli
from tests.measure.scenario import paris

FIELDS = ["question", "kpi", "platform", "campaign", "start", "end", "compare", "value", "answer"]
NOW = "2026-11-23T12:00:00+01:00"  # Monday noon, Paris


@pytest.fixture
def env(week_cli, tmp_path):  # type: ignore[no-untyped-def]
    return week_cli


def ask(*args: str, stdin: str | None = None) -> list[dict]:
    result = CliRunner().invoke(cli, ["ask", "--json", "--now", NOW, *args], input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def expected(url: str, kpi: str, start, end, **scope) -> float | None:  # type: ignore[no-untyped-def]
    """The KPI layer's own figure for that literal window: what the answer must say."""
    db = Database(url)
    window = Window("w", start, end, 7, "Europe/Paris")
    with db.session() as session:
        table = compute(session, [window], settings=KpiSettings(timezone="Europe/Paris"), as_of=paris(23, 12),
                        **scope)
    db.dispose()
    return BY_NAME[kpi].value(table.window(window))


def test_last_week_is_last_week_in_json(env) -> None:  # type: ignore[no-untyped-def]
    [answer] = ask("response rate last week")
    assert list(answer) == FIELDS
    assert answer["start"] == "2026-11-16T00:00:00+01:00" and answer["end"] == "2026-11-23T00:00:00+01:00"
    assert (answer["kpi"], answer["platform"], answer["campaign"], answer["compare"]) == (
        "response_rate", None, None, False)
    # c3 hidden and c5 held are not answerable; c1 c2 d1 c4 answered, d2 c6 not: 4 of 6.
    assert answer["value"] == pytest.approx(4 / 6, abs=1e-6)
    assert answer["value"] == pytest.approx(expected(env, "response_rate", paris(16, 0), paris(23, 0)), abs=1e-6)
    assert "last week (16–22 Nov 2026): 66.7%, worse than the period before" in answer["answer"]


def test_stdin_one_question_per_line_in_both_languages(env) -> None:  # type: ignore[no-untyped-def]
    lines = "volume facebook campagne spring du 16 au 22 novembre\n\nfollower count on insta\nhow are our goals\n"
    french, refused, goals = ask("-", stdin=lines)
    assert (french["kpi"], french["platform"], french["campaign"]) == ("volume", "facebook", "spring")
    assert french["value"] == 2 and french["answer"].startswith("Volume · Facebook, campagne spring")
    assert refused["value"] is None and refused["kpi"] is None and refused["start"] is None
    assert "follower" in refused["answer"]
    assert goals["kpi"] is None and goals["value"] is None and "No active goal" in goals["answer"]


def test_yesterday_is_not_today(env) -> None:  # type: ignore[no-untyped-def]
    """Sunday 22 had nothing; today (Monday morning) neither; the week's Thursday had c6 only."""
    yesterday, thursday = ask("-", stdin="volume yesterday\nvolume on Nov 19\n")
    assert yesterday["start"] == "2026-11-22T00:00:00+01:00" and yesterday["value"] == 0
    assert thursday["value"] == 1 and thursday["end"] == "2026-11-20T00:00:00+01:00"


def test_text_mode_and_a_bad_clock(env) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["ask", "--now", NOW, "taux", "de", "réponse", "la", "semaine", "dernière"])
    assert result.exit_code == 0 and "Taux de réponse · toutes plateformes" in result.output
    bad = CliRunner().invoke(cli, ["ask", "--now", "yesterday-ish", "leads"])
    assert bad.exit_code != 0 and "--now" in str(bad.exception)


def test_goals_by_kpi_and_platform_or_by_title(env) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from moderation.measure.goals import add_goal
    from tests.measure.test_definitions import SETTINGS

    db = Database(env)
    start = paris(16, 0)
    add_goal(db, kpi="leads", target=5, platform="instagram", starts_at=start, deadline=start + timedelta(days=40),
             owner="lea", settings=SETTINGS, title="More Instagram leads")
    add_goal(db, kpi="sla_compliance", target=0.95, starts_at=start, deadline=start + timedelta(days=40),
             owner="sam", settings=SETTINGS, title="Meet the response SLA")
    db.dispose()
    every, instagram, titled = ask("-", stdin="how are our goals\nobjectif leads IG\nhow is the meet the response "
                                              "SLA goal doing\n")
    assert every["answer"].startswith("2 active goal(s):") and "More Instagram leads" in every["answer"]
    assert (instagram["kpi"], instagram["platform"], instagram["value"]) == ("leads", "instagram", None)
    assert instagram["answer"].startswith("1 objectif(s) actif(s) :") and "More Instagram leads" in instagram["answer"]
    assert "Meet the response SLA" in titled["answer"] and "More Instagram leads" not in titled["answer"]


def test_bad_bytes_and_a_bom_do_not_stop_the_run(env) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(cli, ["ask", "--json", "--now", NOW, "-"],
                                input=b"\xef\xbb\xbfvolume yesterday\r\n\xff\xfe\x00 junk\nleads last week\n")
    assert result.exit_code == 0, result.output
    first, junk, last = (json.loads(line) for line in result.output.splitlines())
    assert first["question"] == "volume yesterday" and first["kpi"] == "volume"
    assert junk["value"] is None and junk["kpi"] is None
    assert last["kpi"] == "leads" and last["start"] == "2026-11-16T00:00:00+01:00"
