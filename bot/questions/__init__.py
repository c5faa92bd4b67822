"""KPI questions in English and French, parsed once for every chat surface and `socialops ask`."""

from bot.questions.parser import DEFAULT_PERIOD, Interpretation, interpret
from bot.questions.periods import KINDS, Period, PeriodError, resolve

__all__ = ["DEFAULT_PERIOD", "KINDS", "Interpretation", "Period", "PeriodError", "interpret", "resolve"]
