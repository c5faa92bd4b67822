"""The question parser on a dev list phrased apart from the bench's labelled set (bench/data/kpi_questions.json)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.questions import interpret
from moderation.measure.kpis import DEFINITIONS

KPIS = [d.name for d in DEFINITIONS]
TZ = "Europe/Paris"
NOW = datetime.fromisoformat("2026-12-02T10:15:00+01:00")  # a Wednesday
CAMPAIGNS = ["black-friday", "spring-drop"]


def ask(text: str):  # type: ignore[no-untyped-def]
    return interpret(text, now=NOW, tz=TZ, kpis=KPIS, campaigns=CAMPAIGNS)


def span(found) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return found.period.start.isoformat(), found.period.end.isoformat()


@pytest.mark.parametrize(("text", "kpi", "platform"), [
    ("what was our FRT on instagram", "first_response_minutes", "instagram"),
    ("yo whats the reply rate on yt", "response_rate", "youtube"),
    ("combien de messages privés sur insta", "dm_volume", "instagram"),
    ("how many comments got hidden", "hidden", None),
    ("nombre de commentaires supprimés", "deleted", None),
    ("avg first response time DMs", "dm_first_response_minutes", None),
    ("delai moyen de réponse facebook", "average_response_minutes", "facebook"),
    ("how fast do we answer on tiktok", "average_response_minutes", "tiktok"),
    ("% of DMs answered", "dm_response_rate", None),
    ("share of automated replies", "automated_reply_share", None),
    ("how many replies did the bot send", "automated_replies", None),
    ("réponses manuelles", "human_replies", None),
    ("taux de conversion des DM", "dm_conversion_rate", None),
    ("comment conversion rate insta", "comment_conversion_rate", "instagram"),
    ("held for review", "held", None),
    ("inbox volume on fb messenger", "dm_volume", "facebook"),
    ("combien d'escalades", "escalations", None),
    ("taux d'escalade", "escalation_rate", None),
    ("temps de 1ère réponse insta", "first_response_minutes", "instagram"),
    ("lead capture rate", "lead_capture_rate", None),
    ("responce rate tiktok", "response_rate", "tiktok"),  # a typo
    ("What percentage of DMs got a reply", "dm_response_rate", None),
    ("what % of comments got a response", "comment_response_rate", None),
    ("Quel pourcentage de DM a reçu une réponse", "dm_response_rate", None),
    ("How quickly did we respond to DMs", "dm_first_response_minutes", None),
    ("what's our reply rate looking like", "response_rate", None),  # "like" is not "likes"
    ("how many conversations", "volume", None),  # not corrected to "conversions"
    ("taux de rép insta", "response_rate", "instagram"),
    ("tps de 1ère rép", "first_response_minutes", None),
    ("how many dms on the gram", "dm_volume", "instagram"),
    ("chiffre d'affaires instagram", "revenue", "instagram"),  # measured from the recorded orders (issue 19)
    ("average order value", "value_per_conversion", None),
    ("assisted conversions on tiktok", "assisted_conversions", "tiktok"),
    ("time to moderate on yt", "time_to_moderate_minutes", "youtube"),
    ("taux de réponse aux commentaires et aux DM", "response_rate", None),  # both channels: the overall rate
    ("how many comments and dms", "volume", None),
])
def test_kpi_and_platform_in_either_language(text: str, kpi: str, platform: str | None) -> None:
    found = ask(text)
    assert found.answerable, found.problem
    assert (found.kpi, found.platform) == (kpi, platform)


@pytest.mark.parametrize(("text", "kind", "start", "end"), [
    ("response rate", "last_7_days", "2026-11-25T10:15:00+01:00", "2026-12-02T10:15:00+01:00"),
    ("response rate this wk", "this_week", "2026-11-30T00:00:00+01:00", "2026-12-02T10:15:00+01:00"),
    ("taux de réponse la semaine passée", "last_week", "2026-11-23T00:00:00+01:00", "2026-11-30T00:00:00+01:00"),
    ("leads last mth", "last_month", "2026-11-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00"),
    ("leads so far this month", "this_month", "2026-12-01T00:00:00+01:00", "2026-12-02T10:15:00+01:00"),
    ("leads en 30j", "last_30_days", "2026-11-02T10:15:00+01:00", "2026-12-02T10:15:00+01:00"),
    ("leads 24h", "last_24_hours", "2026-12-01T10:15:00+01:00", "2026-12-02T10:15:00+01:00"),
    ("leads avant-hier", "day", "2026-11-30T00:00:00+01:00", "2026-12-01T00:00:00+01:00"),
    ("taux de réponse aux DM sur les 2 dernières semaines", "last_n_days", "2026-11-18T10:15:00+01:00",
     "2026-12-02T10:15:00+01:00"),
    ("leads from tiktok between 11/20 and 11/27", "range", "2026-11-20T00:00:00+01:00", "2026-11-28T00:00:00+01:00"),
    ("leads du 20/11 au 27/11", "range", "2026-11-20T00:00:00+01:00", "2026-11-28T00:00:00+01:00"),
    ("conversions nov 1-15", "range", "2026-11-01T00:00:00+01:00", "2026-11-16T00:00:00+01:00"),
    ("escalation rate 1st-15th november", "range", "2026-11-01T00:00:00+01:00", "2026-11-16T00:00:00+01:00"),
    ("response rate from November 3rd to 9th", "range", "2026-11-03T00:00:00+01:00", "2026-11-10T00:00:00+01:00"),
    ("response rate 2026-11-01 to 2026-11-07", "range", "2026-11-01T00:00:00+01:00", "2026-11-08T00:00:00+01:00"),
    ("response rate in october", "month", "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00"),
    ("leads since Nov 20", "range", "2026-11-20T00:00:00+01:00", "2026-12-02T10:15:00+01:00"),
    # Asked in early December, the 25th-31st December not yet come: last year's.
    ("response rate 12/25 - 12/31", "range", "2025-12-25T00:00:00+01:00", "2026-01-01T00:00:00+01:00"),
    ("response rate last two weeks", "last_n_days", "2026-11-18T10:15:00+01:00", "2026-12-02T10:15:00+01:00"),
    ("taux de réponse des trois derniers jours", "last_n_days", "2026-11-29T10:15:00+01:00",
     "2026-12-02T10:15:00+01:00"),
    ("leads sur la dernière quinzaine", "last_n_days", "2026-11-18T10:15:00+01:00", "2026-12-02T10:15:00+01:00"),
    ("response rate for the week of Nov 9", "range", "2026-11-09T00:00:00+01:00", "2026-11-16T00:00:00+01:00"),
    ("taux de réponse semaine du 11 novembre", "range", "2026-11-09T00:00:00+01:00", "2026-11-16T00:00:00+01:00"),
    ("frt over the last 48 hours", "last_n_days", "2026-11-30T10:15:00+01:00", "2026-12-02T10:15:00+01:00"),
    ("response rate from Nov 3 2025 to Nov 9 2025", "range", "2025-11-03T00:00:00+01:00",
     "2025-11-10T00:00:00+01:00"),
    ("response rate nov 3rd-9th", "range", "2026-11-03T00:00:00+01:00", "2026-11-10T00:00:00+01:00"),
    # "1st" is a date here, not a first response.
    ("response rate Nov 1st through Nov 15th", "range", "2026-11-01T00:00:00+01:00", "2026-11-16T00:00:00+01:00"),
    ("response rate from the 1st to the 2nd", "range", "2026-12-01T00:00:00+01:00", "2026-12-03T00:00:00+01:00"),
    ("taux de réponse du 20 au 25", "range", "2026-11-20T00:00:00+01:00", "2026-11-26T00:00:00+01:00"),
    ("response rate Nov 3–9", "range", "2026-11-03T00:00:00+01:00", "2026-11-10T00:00:00+01:00"),  # an en dash
    ("response rate between the 3rd and the 9th of November", "range", "2026-11-03T00:00:00+01:00",
     "2026-11-10T00:00:00+01:00"),
    ("taux de réponse du lundi 9 au dimanche 15 novembre", "range", "2026-11-09T00:00:00+01:00",
     "2026-11-16T00:00:00+01:00"),
    ("taux de réponse du 03.11 au 09.11", "range", "2026-11-03T00:00:00+01:00", "2026-11-10T00:00:00+01:00"),
    ("response rate November 2025", "month", "2025-11-01T00:00:00+01:00", "2025-12-01T00:00:00+01:00"),
])
def test_periods(text: str, kind: str, start: str, end: str) -> None:
    found = ask(text)
    assert found.answerable, found.problem
    assert found.period.kind == kind and span(found) == (start, end)


def test_month_and_day_order_follows_the_language() -> None:
    english, french = ask("leads 03/11"), ask("leads le 03/11")
    assert english.period.start.date().isoformat() == "2026-03-11"
    assert french.period.start.date().isoformat() == "2026-11-03"
    assert ask("leads 25/11").period.start.day == 25  # a day above 12 is a day whatever the language


@pytest.mark.parametrize(("text", "compare", "kind"), [
    ("taux de réponse cette semaine vs la semaine dernière", True, "this_week"),
    ("are we answering faster than last week?", True, "this_week"),
    ("leads trend", True, "last_7_days"),
    ("leads yesterday", False, "yesterday"),
    ("response rate vs last month", True, "this_month"),
])
def test_comparisons(text: str, compare: bool, kind: str) -> None:
    found = ask(text)
    assert (found.compare, found.period.kind) == (compare, kind)


@pytest.mark.parametrize(("text", "problem"), [
    ("response rate on X", "other_platform"),
    ("réponses sur pinterest", "other_platform"),
    ("what's our follower growth", "not_measured"),
    ("combien de vues sur youtube", "not_measured"),
    ("cost per conversation", "not_measured"),
    ("response rate Q3", "unsupported"),
    ("response rate this year", "unsupported"),
    ("response rate on monday", "unsupported"),
    ("frt tomorrow", "future"),
    ("leads du 30 février au 2 mars", "invalid"),
    ("instagram vs facebook response rate", "several_platforms"),
    ("leads campagne inconnue", "unknown_campaign"),
    ("response rate for the campaign", "which_campaign"),  # a campaign without its name: asked which
    ("leads campaign last week", "which_campaign"),
    ("how's our sentiment this week", "which_kpi"),
    ("combien de DMs non répondus", "not_measured"),
    ("unanswered comments today", "not_measured"),
    ("response rate 2025", "unsupported"),
    ("frt over the last 12 hours", "unsupported"),
    ("response rate first week of november", "unsupported"),
    ("response rate yesterday afternoon", "unsupported"),  # never the whole day for part of it
    ("taux de réponse hier soir", "unsupported"),
    ("what was our profit this month", "not_measured"),
    ("leads and conversions this month", "which_kpi"),  # one figure a question: asked which
    ("response rate and first response time last week", "which_kpi"),
    ("hello", "no_kpi"),
    ("", "empty"),
    ("🙂🙂", "empty"),
])
def test_refused_with_a_reason(text: str, problem: str) -> None:
    found = ask(text)
    assert not found.answerable and found.problem == problem


def test_goals_by_name_or_kpi() -> None:
    assert ask("goal status").goals
    found = ask("sla and response time goals")
    assert found.goals and found.kpi is None  # two KPIs named: every goal
    found = ask("on track for the SLA target?")
    assert found.goals and found.kpi == "sla_compliance"
    found = ask("objectifs instagram")
    assert found.goals and found.platform == "instagram" and found.lang == "fr"


def test_campaign_by_slug_with_or_without_the_word() -> None:
    assert ask("response rate for black-friday").campaign == "black-friday"
    found = ask("how many leads did we capture for black friday")  # not a Friday
    assert found.campaign == "black-friday" and found.period.kind == "last_7_days"
    assert ask("campaign spring-drop leads last month").campaign == "spring-drop"
    assert interpret("leads #summer24", now=NOW, tz=TZ, kpis=KPIS).campaign == "summer24"  # no list: taken as said
    assert ask("leads de la campagne spring ce mois").campaign == "spring-drop"  # the first word of one slug


def test_garbage_never_raises() -> None:
    for text in ("/" * 500, "31/31 au 45/99", "from to and", "12345678901234567890 days", "\x00\x01", "nov 99"):
        ask(text)
