"""The console surface answers `/kpi <question>` with the same parser and answers as Slack and Discord."""

from __future__ import annotations

import io

from bot.console_input import HELP, ConsoleInput
from bot.kpi_answers import KpiAnswers
from bot.kpi_questions import KpiResponder
from tests.measure.scenario import AS_OF, build_week
from tests.measure.test_definitions import SETTINGS


async def test_console_kpi_command(db) -> None:  # type: ignore[no-untyped-def]
    build_week(db)
    said: list[str] = []
    console = ConsoleInput(hub=None, approvals=None, user="lea", say=said.append,  # type: ignore[arg-type]
                           stream=io.StringIO(), kpis=KpiResponder(KpiAnswers(db, SETTINGS, clock=lambda: AS_OF)))
    await console.handle("/kpi volume facebook last week")
    await console.handle("kpi taux de réponse la semaine dernière")
    await console.handle("/kpi followers on insta")
    english, french, refused = said
    assert english.startswith("Volume · Facebook · last week (16–22 Nov 2026): 2")
    assert french.startswith("Taux de réponse · toutes plateformes · la semaine dernière (16–22 nov. 2026) : 66,7 %")
    assert refused.startswith("I understood: Instagram. I do not measure “followers”")
    assert "/kpi" in HELP
