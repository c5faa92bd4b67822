"""`socialops ask`: KPI questions in English or French from the command line, as text or JSON (a public contract)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from socialops.commands.kpis import CONFIG

FIELDS = ("question", "kpi", "platform", "campaign", "start", "end", "compare", "value", "answer")


def answer_object(question: str, reply: Any) -> dict[str, Any]:
    """The `--json` object: interpretation fields are null when there is no figure (refused or asked back)."""
    found = reply.interpretation
    refused = found is None or not found.answerable
    period = None if refused or found.goals else found.period
    value = reply.value
    return {
        "question": question,
        "kpi": None if refused else found.kpi,
        "platform": None if refused else found.platform,
        "campaign": None if refused else found.campaign,
        "start": period.start.isoformat() if period else None,
        "end": period.end.isoformat() if period else None,
        "compare": False if refused else bool(found.compare),
        "value": None if value is None else round(float(value), 6),
        "answer": reply.text,
    }


def _now(text: str | None, tz: str) -> datetime | None:
    from zoneinfo import ZoneInfo

    from socialops.errors import UserError

    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--now {text!r}: use an ISO 8601 datetime such as 2026-11-19T14:30:00+01:00") from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(tz))


def _stdin_lines():  # type: ignore[no-untyped-def]
    """One question a line; bytes that are not UTF-8 become U+FFFD instead of stopping the run."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stdin (tests)
        yield from (line.strip() for line in sys.stdin)
        return
    for raw in stream:
        yield raw.decode("utf-8", errors="replace").lstrip("\ufeff").strip()


def register(group: click.Group) -> None:
    @group.command("ask")
    @CONFIG
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per question (see README).")
    @click.option("--now", "now_text", default=None, metavar="ISO",
                  help="Answer as if it were this moment (ISO 8601; without an offset: the team's timezone).")
    @click.argument("words", nargs=-1)
    def ask(config_path: Path | None, as_json: bool, now_text: str | None, words: tuple[str, ...]) -> None:
        """Answer a KPI question (WORDS), e.g. `socialops ask "response rate insta last week"`.

        With `-` as WORDS, reads one question per line from stdin. English and French; periods:
        today, yesterday, this/last week, last 7/30 days, last 24 hours, this/last month, explicit dates."""
        import logging

        from bot.kpi_answers import KpiAnswers
        from bot.kpi_questions import KpiResponder
        from socialops.commands.kpis import context
        from socialops.errors import UserError

        if not words:
            raise UserError('ask a question: socialops ask "response rate last week" (or - to read stdin)')
        _, db, kpi_settings = context(config_path)
        now = _now(now_text, kpi_settings.timezone)
        source = KpiAnswers(db, kpi_settings, **({"clock": lambda: now} if now else {}))
        responder = KpiResponder(source)
        questions = _stdin_lines() if words == ("-",) else iter([" ".join(words)])
        log = logging.getLogger("socialops.commands.ask")
        for question in questions:
            if not question:
                continue
            try:
                reply = responder.ask(question, now=now)
                out = answer_object(question, reply)
            except Exception as exc:  # noqa: BLE001 - one bad question must not stop the others
                log.exception("socialops.ask.failed")
                out = {**dict.fromkeys(FIELDS), "question": question, "compare": False,
                       "answer": f"error: {exc.__class__.__name__}: {exc}"}
            if as_json:
                click.echo(json.dumps(out, ensure_ascii=False))
            else:
                click.echo(out["answer"])
        db.dispose()
