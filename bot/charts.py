"""Charts as PNG bytes (matplotlib, Agg backend: no display needed): KPI trends and the digest summary."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from bot.views import DigestView

Series = tuple[str, str, Sequence[tuple[date, float | None]]]  # label, unit, points


def trend_chart_png(series: Sequence[Series], *, title: str = "", columns: int = 2) -> bytes:
    """One small panel per KPI (a day per point); gaps where a day had no data."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.dates import DateFormatter

    panels = max(1, len(series))
    columns = min(columns, panels)
    rows = math.ceil(panels / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 2.6 * rows), squeeze=False)
    try:
        for index, axis in enumerate(axes.flat):
            if index >= len(series):
                axis.set_visible(False)
                continue
            label, unit, points = series[index]
            xs = [day for day, _ in points]
            scale = 100.0 if unit == "%" else 1.0
            ys = [math.nan if value is None else value * scale for _, value in points]
            if unit == "count":
                axis.bar(xs, [0 if math.isnan(y) else y for y in ys], color="#4c72b0")
            else:
                axis.plot(xs, ys, marker="o", color="#dd8452")
            axis.set_title(f"{label} ({'%' if unit == '%' else unit})", fontsize=9)
            axis.xaxis.set_major_formatter(DateFormatter("%d/%m"))
            axis.tick_params(labelsize=7)
            axis.grid(alpha=0.3)
        if title:
            figure.suptitle(title, fontsize=10)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()
    finally:
        plt.close(figure)


def digest_chart(digest: DigestView) -> bytes | None:
    """A PNG bar chart of volume and responses per platform (with response rate labels); None if no data."""
    lines = [line for line in digest.lines if line.platform != "all"]
    if not lines:
        return None
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.2), dpi=100)
    axes = figure.add_subplot()
    positions = range(len(lines))
    width = 0.4
    axes.bar([p - width / 2 for p in positions], [line.volume for line in lines], width, label="received")
    bars = axes.bar([p + width / 2 for p in positions], [line.responded for line in lines], width, label="responded")
    for bar, line in zip(bars, lines, strict=True):
        if line.response_rate is not None:
            axes.annotate(f"{line.response_rate:.0%}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                          ha="center", va="bottom", fontsize=8)
    axes.set_xticks(list(positions), [line.platform for line in lines])
    axes.set_title(f"{digest.title} — {digest.window}", fontsize=9)
    axes.legend(fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # Figure without pyplot: no global state, safe in a server
    return buffer.getvalue()


PLATFORM_COLOURS = {"instagram": "#c13584", "facebook": "#1877f2", "tiktok": "#00a3a3", "youtube": "#e62117"}
OTHER_COLOURS = ("#7f7f7f", "#8c564b", "#bcbd22", "#9467bd")
GOAL_COLOUR = "#333333"


def platform_colour(platform: str, index: int = 0) -> str:
    return PLATFORM_COLOURS.get(platform, OTHER_COLOURS[index % len(OTHER_COLOURS)])


# (label, unit, per platform: [value or None per day]); the days are shared by every panel.
PanelData = tuple[str, str, dict[str, list[float | None]]]


def context_chart_png(days: Sequence[date], panels: Sequence[PanelData], *, highlight: Sequence[date] = (),
                      goals: dict[str, float] | None = None, title: str = "") -> bytes:
    """Days in context: one panel per KPI, one colour per platform (counts stacked, ratios and times as lines),
    the highlighted days shaded, a dashed line where a goal exists (keyed by panel label)."""
    figure = context_chart_figure(days, panels, highlight=highlight, goals=goals, title=title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # Figure without pyplot: no global state, safe in a server
    return buffer.getvalue()


def context_chart_figure(days: Sequence[date], panels: Sequence[PanelData], *, highlight: Sequence[date] = (),
                         goals: dict[str, float] | None = None, title: str = ""):  # type: ignore[no-untyped-def]
    """The matplotlib Figure behind `context_chart_png` (tests read its titles, ticks and legend)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.dates import DateFormatter, DayLocator
    from matplotlib.figure import Figure

    goals = goals or {}
    # Datetimes, not dates: a date plus 12 hours is still that date, and the shading and margins need halves.
    days = [datetime.combine(day, time(0)) for day in days]
    highlight = [datetime.combine(day, time(0)) for day in highlight]
    columns = 2 if len(panels) > 1 else 1
    rows = math.ceil(len(panels) / columns)
    figure = Figure(figsize=(5.6 * columns, 3.0 * rows + 0.6), dpi=100)
    axes = figure.subplots(rows, columns, squeeze=False)
    marked = set(highlight)
    platforms = sorted({p for _, _, series in panels for p in series})
    step = max(1, math.ceil(len(days) / 8))  # at most ~8 date labels a panel
    for index, axis in enumerate(axes.flat):
        if index >= len(panels):
            axis.set_visible(False)
            continue
        label, unit, series = panels[index]
        scale = 100.0 if unit == "%" else 1.0
        for day in days:
            if day in marked:
                axis.axvspan(day - timedelta(hours=12), day + timedelta(hours=12), color="#fff3bf", zorder=0)
        if unit == "count":
            bottom = [0.0] * len(days)
            for number, platform in enumerate(platforms):
                values = [v or 0.0 for v in series.get(platform, [None] * len(days))]
                axis.bar(days, values, bottom=bottom, color=platform_colour(platform, number), label=platform,
                         width=0.8, zorder=2)
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        else:
            for number, platform in enumerate(platforms):
                line = series.get(platform)
                if not line:
                    continue
                ys = [math.nan if v is None else v * scale for v in line]
                axis.plot(days, ys, marker="o", markersize=3, linewidth=1.5,
                          color=platform_colour(platform, number), label=platform, zorder=3)
        if label in goals:
            target = goals[label] * scale
            axis.axhline(target, color=GOAL_COLOUR, linestyle="--", linewidth=1, zorder=4)
            shown = f"{target:.0f}%" if unit == "%" else f"{target:g} {unit}"
            axis.annotate(f"goal {shown}", (0.005, target), xycoords=("axes fraction", "data"), ha="left",
                          va="bottom", fontsize=7, color=GOAL_COLOUR, zorder=5,
                          bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
        axis.set_title(f"{label} ({'%' if unit == '%' else unit})", fontsize=9)
        axis.xaxis.set_major_locator(DayLocator(interval=step))
        axis.xaxis.set_major_formatter(DateFormatter("%a\n%d %b"))
        if days:
            axis.set_xlim(days[0] - timedelta(days=0.6), days[-1] + timedelta(days=0.6))
        axis.tick_params(labelsize=7)
        axis.grid(axis="y", alpha=0.3)
        if unit == "%":
            axis.set_ylim(0, 105)
        else:
            axis.set_ylim(bottom=0)
    handles, names = next(((h, n) for h, n in (a.get_legend_handles_labels() for a in axes.flat) if h), ([], []))
    if handles:
        figure.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8, frameon=False)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0.05 if handles else 0, 1, 1))
    return figure
