"""Number formats every chat surface shares, so a figure reads the same in the console, Slack and Discord."""

from __future__ import annotations


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def minutes(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} min" if value < 120 else f"{value / 60:.1f} h"
