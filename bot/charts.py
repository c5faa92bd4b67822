"""Charts as PNG bytes (matplotlib, Agg backend: no display needed): KPI trends and the digest summary."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date

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
