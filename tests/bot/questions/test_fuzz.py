"""Property-based fuzzing of the question parser: any text, including date-shaped and KPI-shaped pieces glued
together at random, gives an Interpretation (answerable or with a reason), never an exception, and an answerable
one always has a KPI and a period that has started."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.questions import interpret
from moderation.measure.kpis import DEFINITIONS

KPIS = [d.name for d in DEFINITIONS]
NOW = datetime.fromisoformat("2026-02-28T23:30:00+01:00")  # the end of a short month, late in the day
PIECES = ["response rate", "taux de réponse", "FRT", "leads", "insta", "fb", "tt", "yt", "from", "to", "du", "au",
          "between", "and", "entre", "le", "31", "29", "30", "02/29", "29/02", "13/13", "0/0", "nov", "février",
          "feb 30", "2024", "last", "week", "mois", "dernier", "vs", "en hausse", "next", "#", "campagne", "-", "/",
          "12h", "48 hours", "two", "deux", "semaine du", "since", "depuis", "1er", "3rd", "9999 days", "0 days",
          "goal", "objectif", "😀", "\u200b", "\x00"]
text = st.one_of(st.text(max_size=80), st.lists(st.sampled_from(PIECES), max_size=10).map(" ".join))


@settings(max_examples=400, deadline=None)
@given(text)
def test_any_text_gives_an_interpretation_never_an_exception(question: str) -> None:
    found = interpret(question, now=NOW, tz="Europe/Paris", kpis=KPIS, campaigns=["black-friday"])
    if found.answerable and not found.goals:
        assert found.kpi in KPIS and found.period is not None
        assert found.period.start <= NOW and found.period.start < found.period.end
    if not found.answerable:
        assert found.problem
